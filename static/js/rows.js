// Rows of a repeated field (phases, questions, key points): "Add a row" appends an empty row
// from the field's <template>, "Remove" takes a row out. The field is saved as usual; without
// JavaScript an emptied row is removed and the last empty row adds one. The buttons and the
// help for each case are in the page, in its language; this only shows the ones that apply.
(function () {
  "use strict";

  function isEmpty(row) {
    return [...row.querySelectorAll("input, textarea")].every((box) => box.value.trim() === "");
  }

  function reveal(root) {
    root.querySelectorAll("[data-remove-row][hidden]").forEach((button) => {
      button.hidden = false;
    });
    root.querySelectorAll("[data-add-row][hidden]").forEach((add) => {
      const form = add.closest("form");
      // The empty last row lets a row be added without JavaScript; the button replaces it.
      const last = form.querySelector("tbody tr:last-child");
      if (last && isEmpty(last)) last.remove();
      const help = form.querySelector(".rows-help[data-with-script]");
      if (help) help.textContent = help.dataset.withScript;
      add.hidden = false;
    });
  }

  function changed(form) {
    // Counts as typing: marks the field unsaved and refreshes the preview.
    form.querySelector("tbody").dispatchEvent(new Event("input", { bubbles: true }));
  }

  document.addEventListener("click", (event) => {
    const add = event.target.closest("[data-add-row]");
    if (add) {
      const form = add.closest("form");
      const row = form.querySelector("template[data-blank-row]").content.firstElementChild;
      const copy = row.cloneNode(true);
      form.querySelector("tbody").append(copy);
      copy.querySelector("input, textarea").focus();
      changed(form);
      return;
    }
    const remove = event.target.closest("[data-remove-row]");
    if (remove) {
      const form = remove.closest("form");
      remove.closest("tr").remove();
      changed(form);
    }
  });

  document.addEventListener("DOMContentLoaded", () => reveal(document));
  document.addEventListener("htmx:load", (event) => reveal(event.target));
})();
