// Keyboard shortcuts for the presenter console. Every shortcut presses a visible button that
// declares its keys in data-shortcut, so a key does exactly what the button does.
(function () {
  "use strict";

  function typing(target) {
    return target.closest("input, textarea, select, [contenteditable=true]");
  }

  document.addEventListener("keydown", (event) => {
    if (event.ctrlKey || event.metaKey || event.altKey || typing(event.target)) return;
    if (document.querySelector("dialog[open]")) return;
    const key = event.key.length === 1 ? event.key.toLowerCase() : event.key;
    const control = [...document.querySelectorAll("[data-shortcut]")].find((element) =>
      element.dataset.shortcut.split(" ").some((k) => k === key || k === event.key),
    );
    if (!control || control.disabled) return;
    event.preventDefault();
    control.click();
  });

  document.addEventListener("click", (event) => {
    const opener = event.target.closest("[data-opens]");
    if (opener) {
      document.getElementById(opener.dataset.opens).showModal();
      return;
    }
    const confirming = event.target.closest("[data-confirm]");
    if (confirming && !window.confirm(confirming.dataset.confirm)) event.preventDefault();
  });
})();
