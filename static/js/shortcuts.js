// Keyboard shortcuts for the presenter console. Every shortcut presses a visible button that
// declares its keys in data-shortcut, so a key does exactly what the button does.
(function () {
  "use strict";
  let swapping = false; // between htmx taking the new console in and wiring it up
  const queued = [];

  function typing(target) {
    return target.closest("input, textarea, select, [contenteditable=true]");
  }

  function press(key, rawKey) {
    const control = [...document.querySelectorAll("[data-shortcut]")].find((element) =>
      element.dataset.shortcut.split(" ").some((k) => k === key || k === rawKey),
    );
    if (!control || control.disabled) return false;
    control.click();
    return true;
  }

  document.addEventListener("keydown", (event) => {
    if (event.ctrlKey || event.metaKey || event.altKey || typing(event.target)) return;
    if (document.querySelector("dialog[open]")) return;
    const key = event.key.length === 1 ? event.key.toLowerCase() : event.key;
    if (![...document.querySelectorAll("[data-shortcut]")].some((element) =>
      element.dataset.shortcut.split(" ").some((k) => k === key || k === event.key))) return;
    event.preventDefault();
    // A key pressed while the console is being replaced would hit a button htmx has not wired
    // up yet and post the whole page; it waits for the new console instead (a clicker's
    // double press arrives as two keys, and both count).
    if (swapping) queued.push([key, event.key]);
    else press(key, event.key);
  });

  function settled() {
    swapping = false;
    const next = queued.shift();
    if (next) press(...next);
  }
  document.addEventListener("htmx:beforeSwap", (event) => {
    // htmx announces every answer, an unchanged poll's 204 too; only a real swap counts.
    if (event.detail.target.id !== "stage" || !event.detail.shouldSwap) return;
    swapping = true;
    setTimeout(() => swapping && settled(), 1000); // never hold keys for longer than this
  });
  document.addEventListener("htmx:afterSettle", settled);

  function report(text) {
    const element = document.getElementById("console-status");
    if (element) {
      element.textContent = text;
      element.hidden = !text;
    }
  }
  document.addEventListener("htmx:responseError", (event) => {
    if (event.detail.requestConfig.verb !== "post") return;
    const status = event.detail.xhr.status;
    report(message(status === 503 ? "busy" : "failed"));
  });
  document.addEventListener("htmx:sendError", (event) => {
    if (event.detail.requestConfig.verb === "post") report(message("offline"));
  });
  document.addEventListener("htmx:afterSwap", (event) => {
    if (event.detail.target.id === "stage") report("");
  });

  // The messages come from the page, so they are translated with the rest of it.
  function message(which) {
    const element = document.getElementById("console-status");
    return element ? element.dataset[which] : "";
  }

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
