// Shrinks a projector slide's text until it fits the screen, but never below what reads from the
// back of the room (28 px): what still does not fit pages through instead (static/js/rotate.js).
// A box fits when neither it nor a paging box inside it overflows. Runs on load and after every
// htmx swap.
(function () {
  "use strict";
  const SMALLEST_REM = 1.75;
  const STEP_REM = 0.05;

  function overflows(box) {
    const boxes = [box, ...box.querySelectorAll("[data-rotate]")];
    return boxes.some((b) => b.scrollHeight > b.clientHeight + 1);
  }

  function fit() {
    document.querySelectorAll("[data-fit]").forEach((box) => {
      box.style.fontSize = "";
      let size = parseFloat(getComputedStyle(box).fontSize) / 16;
      while (overflows(box) && size - STEP_REM >= SMALLEST_REM - 1e-9) {
        size -= STEP_REM;
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
