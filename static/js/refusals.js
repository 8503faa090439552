// When the server refuses an edit it still answers with what to show: 400 with the field and
// its message (or the list of problems that stop a publish), 409 with both texts when someone
// else saved the field first. htmx leaves 4xx answers unswapped; inside [data-swap-refusals]
// these two are swapped like any answer, so nothing typed is lost from view.
(function () {
  "use strict";
  const SHOWN = [400, 409];

  document.addEventListener("htmx:beforeSwap", (event) => {
    const detail = event.detail;
    if (!SHOWN.includes(detail.xhr.status)) return;
    if (!detail.elt.closest("[data-swap-refusals]")) return;
    detail.shouldSwap = true;
    detail.isError = false;
  });
})();
