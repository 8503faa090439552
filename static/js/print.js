// Print buttons (the report, the take-away): the browser's print dialog, where "Save as PDF" is
// one of the printers. A button stays hidden without this script, the only thing that makes it
// work.
(function () {
  "use strict";
  document.querySelectorAll("[data-print]").forEach((button) => {
    button.hidden = false;
    button.addEventListener("click", () => window.print());
  });
})();
