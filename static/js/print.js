// The report's Print button: the browser's print dialog, where "Save as PDF" is one of the
// printers. It stays hidden without this script, which is the only thing that makes it work.
(function () {
  "use strict";
  document.querySelectorAll("[data-print]").forEach((button) => {
    button.hidden = false;
    button.addEventListener("click", () => window.print());
  });
})();
