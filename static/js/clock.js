// Counts down activity timers and counts up the lesson clock from the server's figures.
// The server sends when a timer ends and its own time; the offset between the server's clock
// and this device's makes every screen show the same time left, however wrong its clock is.
(function () {
  "use strict";
  const offsets = new WeakMap();

  function serverNow(element) {
    if (!offsets.has(element)) {
      offsets.set(element, Number(element.dataset.serverNow || Date.now()) - Date.now());
    }
    return Date.now() + offsets.get(element);
  }

  function format(totalSeconds) {
    const seconds = Math.max(0, Math.round(totalSeconds));
    const hours = Math.floor(seconds / 3600);
    const minutes = Math.floor((seconds % 3600) / 60);
    const rest = String(seconds % 60).padStart(2, "0");
    return hours ? `${hours}:${String(minutes).padStart(2, "0")}:${rest}` : `${String(minutes).padStart(2, "0")}:${rest}`;
  }

  function tick() {
    document.querySelectorAll("[data-countdown]").forEach((element) => {
      if (element.dataset.state !== "running" || !element.dataset.endsAt) return;
      const left = (Number(element.dataset.endsAt) - serverNow(element)) / 1000;
      element.textContent = format(left);
      const box = element.closest(".timer, .big-timer");
      if (box) box.classList.toggle("time-up", left <= 0);
    });
    document.querySelectorAll("[data-elapsed-since]").forEach((element) => {
      element.textContent = format((serverNow(element) - Number(element.dataset.elapsedSince)) / 1000);
    });
  }

  tick();
  setInterval(tick, 250);
})();
