// Shrinks a projector slide's text until it fits the screen, so a long slide never runs off
// the bottom at the back of the room. Runs on load and after every htmx swap.
(function () {
  "use strict";
  const SMALLEST_REM = 1.1;

  function fit() {
    document.querySelectorAll("[data-fit]").forEach((box) => {
      box.style.fontSize = "";
      let size = parseFloat(getComputedStyle(box).fontSize) / 16;
      while (box.scrollHeight > box.clientHeight + 1 && size > SMALLEST_REM) {
        size -= 0.05;
        box.style.fontSize = `${size}rem`;
      }
    });
  }

  document.addEventListener("DOMContentLoaded", fit);
  window.addEventListener("load", fit);
  // Fit as soon as a new slide is in the page, not only once htmx has settled it, so the room
  // never sees a frame of unfitted text.
  document.addEventListener("htmx:afterSwap", fit);
  document.addEventListener("htmx:afterSettle", fit);
  window.addEventListener("resize", fit);
})();
