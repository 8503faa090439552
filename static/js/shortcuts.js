// Keyboard shortcuts for the presenter console. Every shortcut presses a visible button that
// declares its keys in data-shortcut, so a key does exactly what the button does. A console
// action goes to the ordered queue (actions.js) at once, so keys pressed faster than the
// server answers all count, in order.
(function () {
  "use strict";

  function typing(target) {
    return target.closest("input, textarea, select, [contenteditable=true]");
  }

  function controlFor(key, rawKey) {
    return [...document.querySelectorAll("[data-shortcut]")].find((element) =>
      element.dataset.shortcut.split(" ").some((k) => k === key || k === rawKey),
    );
  }

  function press(control) {
    const queued = window.consoleActions && control.name === "action" && control.closest("#stage");
    // Next and Previous are decided from where the queue will be, not from the buttons on
    // screen, which show where the server was a moment ago.
    if (queued && ["next", "prev"].includes(control.value)) {
      window.consoleActions.enqueue(control.value);
    } else if (!control.disabled && control.getClientRects().length) {
      if (queued) window.consoleActions.enqueue(control.value);
      else control.click();
    }
  }

  document.addEventListener("keydown", (event) => {
    if (event.ctrlKey || event.metaKey || event.altKey || typing(event.target)) return;
    if (document.querySelector("dialog[open]")) return;
    const key = event.key.length === 1 ? event.key.toLowerCase() : event.key;
    const control = controlFor(key, event.key);
    if (!control) return;
    event.preventDefault();
    press(control);
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
