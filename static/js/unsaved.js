// Unsaved changes in the content editor: marks a field whose text was changed and not saved
// (so its Save button shows), counts them in the header, and asks before leaving the page
// while any is left. A field the server sent back refused (invalid or stale) stays marked.
(function () {
  "use strict";
  const FIELD = "form[data-field]";
  let submitting = null;

  document.documentElement.classList.add("js-unsaved");

  function unsaved() {
    return [...document.querySelectorAll(`${FIELD}.is-dirty`)].filter((form) => form !== submitting);
  }

  function showCount() {
    const count = unsaved().length;
    // The words come from the page, in its language: data-one, and data-many with {count}.
    document.querySelectorAll("[data-unsaved-count]").forEach((element) => {
      element.hidden = count === 0;
      element.textContent =
        count === 1 ? element.dataset.one : element.dataset.many.replace("{count}", count);
    });
  }

  function markDirty(event) {
    const form = event.target.closest(FIELD);
    if (!form || event.target.type === "hidden") return;
    form.classList.add("is-dirty");
    form.classList.remove("just-saved");
    showCount();
  }

  document.addEventListener("input", markDirty);
  document.addEventListener("change", markDirty);
  // A plain (non-htmx) save leaves the page on purpose.
  document.addEventListener("submit", (event) => {
    if (event.target.matches(FIELD) && !window.htmx) submitting = event.target;
  });
  document.addEventListener("htmx:afterSettle", showCount);
  document.addEventListener("DOMContentLoaded", showCount);

  window.addEventListener("beforeunload", (event) => {
    if (unsaved().length === 0) return;
    event.preventDefault();
    event.returnValue = "";
  });
})();
