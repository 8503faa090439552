// Pages through a projector box that is taller than the screen, so nothing is ever cut off:
// every few seconds the box scrolls to the first item (an answer, a list item) not yet fully
// seen, and back to the top after the last. A box is `[data-rotate="<item selector>"]` with an
// id; `data-rotate-seconds` sets the pace. Items of a `[data-rotate-group]` (a group's answers)
// land below the group's sticky `[data-rotate-head]`, so the group's name stays in view.
// The stage is re-rendered on every change, so the page each box shows is remembered by item
// and put back after a swap: a new answer does not send the room back to the first page.
(function () {
  "use strict";
  const DEFAULT_SECONDS = 10;
  const shown = new Map(); // box id -> data-rotate-key of the item at the top, or its index
  const due = new Map(); // box id -> when it turns next (ms since page load)

  function items(box) {
    return Array.from(box.querySelectorAll(box.dataset.rotate));
  }

  function keyOf(item, index) {
    return item.dataset.rotateKey || `#${index}`;
  }

  // Where the box's scrollTop must be for `item` to sit at the top, below its group's name.
  function anchor(box, item) {
    const top = item.getBoundingClientRect().top - box.getBoundingClientRect().top + box.scrollTop;
    const group = item.closest("[data-rotate-group]");
    const head = group && group.querySelector("[data-rotate-head]");
    if (!head || !box.contains(group)) return Math.max(0, top);
    const groupTop =
      group.getBoundingClientRect().top - box.getBoundingClientRect().top + box.scrollTop;
    const first = group.querySelector(box.dataset.rotate);
    if (first === item) return Math.max(0, groupTop);
    return Math.max(groupTop, top - head.offsetHeight);
  }

  function overflows(box) {
    return box.scrollHeight > box.clientHeight + 1;
  }

  // Only whole items show: a line sliced by the box's edge reads as cut off from the back row.
  // An item taller than the box shows anyway, or it would never show.
  function hidePartial(box) {
    const view = box.getBoundingClientRect();
    items(box).forEach((item) => item.classList.remove("rotate-out"));
    if (!overflows(box)) return;
    items(box).forEach((item, index) => {
      const rect = item.getBoundingClientRect();
      const top = anchor(box, item) - box.scrollTop;
      const out = top < -1 || rect.bottom > view.bottom + 1 || rect.top < view.top - 1;
      if (out && rect.height <= box.clientHeight) item.classList.add("rotate-out");
    });
  }

  function turn(box) {
    if (!overflows(box)) {
      box.scrollTop = 0;
      box.classList.remove("rotating");
      shown.delete(box.id);
      hidePartial(box);
      return;
    }
    box.classList.add("rotating");
    const viewBottom = box.scrollTop + box.clientHeight;
    let next = null;
    items(box).forEach((item, index) => {
      const top = anchor(box, item);
      const bottom =
        item.getBoundingClientRect().bottom - box.getBoundingClientRect().top + box.scrollTop;
      const unseen = bottom > viewBottom + 1 && top > box.scrollTop + 1;
      if (unseen && (next === null || top < next.top)) next = { top, key: keyOf(item, index) };
    });
    if (next === null) {
      box.scrollTop = 0;
      shown.delete(box.id);
    } else {
      box.scrollTop = next.top;
      shown.set(box.id, next.key);
    }
    hidePartial(box);
  }

  function restore() {
    document.querySelectorAll("[data-rotate]").forEach((box) => {
      const key = shown.get(box.id);
      const item = key && items(box).find((it, index) => keyOf(it, index) === key);
      box.scrollTop = item ? anchor(box, item) : 0;
      box.classList.toggle("rotating", overflows(box));
      hidePartial(box);
    });
  }

  function tick() {
    const now = performance.now();
    document.querySelectorAll("[data-rotate]").forEach((box) => {
      const seconds = parseFloat(box.dataset.rotateSeconds) || DEFAULT_SECONDS;
      if (!due.has(box.id)) due.set(box.id, now + seconds * 1000);
      if (now >= due.get(box.id)) {
        due.set(box.id, now + seconds * 1000);
        turn(box);
      }
    });
  }

  document.addEventListener("DOMContentLoaded", restore);
  document.addEventListener("htmx:afterSwap", restore);
  document.addEventListener("htmx:afterSettle", restore);
  window.addEventListener("resize", restore);
  setInterval(tick, 250);
})();
