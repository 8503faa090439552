// Counts down activity timers and counts up the lesson clock from the server's figures.
// The server sends when a timer ends and its own time; the offset between the server's clock
// and this device's makes every screen show the same time left, however wrong its clock is.
(function () {
  "use strict";
  const offsets = new WeakMap();

  // The server read its clock at some moment between this device sending the request and
  // receiving the answer. Correct this device's clock only by as much as that window cannot
  // explain: a screen whose clock is right (the projector on the server's own laptop, any device
  // kept on time) shows exactly the server's time left however slow the answer was, and a wrong
  // clock is corrected to within the round trip. Taking the offset as "server time minus
  // arrival" instead would bake each answer's delay into its screen, so two screens fed by the
  // same busy server would disagree by more than a second.
  function adopt(sentAt, arrivedAt) {
    document.querySelectorAll("[data-server-now]").forEach((element) => {
      if (offsets.has(element)) return;
      const server = Number(element.dataset.serverNow);
      const offset = server > arrivedAt ? server - arrivedAt : server < sentAt ? server - sentAt : 0;
      offsets.set(element, offset);
    });
  }

  function pageTimes() {
    const page = performance.getEntriesByType ? performance.getEntriesByType("navigation")[0] : null;
    if (!page || !(page.responseStart > 0)) return [Date.now(), Date.now()];
    return [performance.timeOrigin + page.requestStart, performance.timeOrigin + page.responseStart];
  }

  // Screen readers hear the countdown at two moments only, a minute before the end and at the
  // end, through one polite live region; never every second.
  const announced = new Map(); // ends-at → what was said for it
  function announce(element, left) {
    const region = document.getElementById("timer-announcer");
    if (!region) return;
    const key = element.dataset.endsAt;
    const moment = left <= 0 ? "up" : left <= 60 ? "minute" : "";
    if (!moment || announced.get(key) === moment || (announced.get(key) === "up")) return;
    if (moment === "minute" && left < 55) {
      announced.set(key, moment); // arrived late (a reload): nothing to announce
      return;
    }
    announced.set(key, moment);
    region.textContent = region.dataset[moment] || "";
  }

  // A phone's countdown takes the server's time from its stage, which carries it for the whole
  // (shared, cached) body; the console and projector put it on each clock.
  function serverNow(element) {
    const source = element.closest("[data-server-now]") || element;
    if (!offsets.has(source)) {
      offsets.set(source, Number(source.dataset.serverNow || Date.now()) - Date.now());
    }
    return Date.now() + offsets.get(source);
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
      announce(element, left);
      // The console's and projector's timer boxes, or the phone's timer line.
      const box = element.closest(".timer, .big-timer, .timer-line");
      if (box) box.classList.toggle("time-up", left <= 0);
      // The box whose choices change when time is up (the console's timer panel).
      const scope = element.closest("[data-timer-scope]");
      if (scope) scope.classList.toggle("time-up", left <= 0);
      element.classList.toggle("time-up", left <= 0);
    });
    document.querySelectorAll("[data-elapsed-since]").forEach((element) => {
      element.textContent = format((serverNow(element) - Number(element.dataset.elapsedSince)) / 1000);
    });
  }

  const sentAt = new WeakMap(); // htmx request → when it was sent
  document.addEventListener("htmx:beforeSend", (event) => sentAt.set(event.detail.xhr, Date.now()));
  // htmx swaps in the answer it has just received (or answers.js the stage an answer's
  // response carried, with when that answer was sent).
  document.addEventListener("htmx:afterSwap", (event) => {
    const arrivedAt = Date.now();
    adopt(sentAt.get(event.detail.xhr) ?? event.detail.sentAt ?? arrivedAt, arrivedAt);
    tick();
  });

  adopt(...pageTimes());
  tick();
  setInterval(tick, 250);
})();
