// The console's actions as an ordered queue. Every button press or key is one action; they are
// sent one after another, each carrying the revision the previous one left, so the server
// applies them in the order they were pressed ("next" after "next" is "next from there") and
// never twice. Where the console is going shows at once; the server's answer then confirms it.
(function () {
  "use strict";
  const queue = [];
  let sending = false;

  const stage = () => document.getElementById("stage");

  function numbers() {
    const element = stage();
    return element ? element.dataset.slideNumbers.split(" ").map(Number) : [];
  }

  // The slide the console will be on once every queued action is done, as far as it can know.
  function expectedSlide() {
    const all = numbers();
    let slide = Number(stage().dataset.slide);
    for (const action of queue) {
      const at = all.indexOf(slide);
      if (action === "next" && at < all.length - 1) slide = all[at + 1];
      else if (action === "prev" && at > 0) slide = all[at - 1];
      else if (action.startsWith("goto:")) slide = Number(action.slice(5));
    }
    return slide;
  }

  function showPending() {
    const label = document.querySelector("[data-slide-label]");
    if (!label) return;
    const slide = expectedSlide();
    const pending = slide !== Number(stage().dataset.slide);
    label.textContent = label.dataset.template.replace("{number}", slide);
    label.classList.toggle("pending", pending);
    label.setAttribute("aria-busy", pending ? "true" : "false");
  }

  function report(text) {
    const element = document.getElementById("console-status");
    if (!element) return;
    element.textContent = text;
    element.hidden = !text;
  }
  const message = (which) => document.getElementById("console-status").dataset[which];

  // Whether `action` can do anything from where the queue will leave the console: a key held
  // on the first slide must not queue a "previous" the server would only refuse.
  function useful(action) {
    const all = numbers();
    const at = all.indexOf(expectedSlide());
    if (action === "prev") return at > 0;
    if (action === "next") return at < all.length - 1;
    return true;
  }

  function enqueue(action) {
    if (!useful(action)) return;
    queue.push(action);
    showPending();
    drain();
  }

  async function drain() {
    if (sending || queue.length === 0) return;
    sending = true;
    const form = stage().querySelector("form");
    const body = new URLSearchParams();
    body.set("csrfmiddlewaretoken", form.querySelector("[name=csrfmiddlewaretoken]").value);
    body.set("action", queue[0]);
    body.set("revision", stage().dataset.revision);
    const sentAt = Date.now();
    // A projector window of this browser starts looking for the change now (live.js).
    const detail = { action: queue[0], revision: body.get("revision") };
    document.dispatchEvent(new CustomEvent("console:sending", { detail }));
    let response = null;
    try {
      response = await fetch(form.getAttribute("action"), {
        method: "POST",
        body,
        headers: { "HX-Request": "true" },
        credentials: "same-origin",
      });
    } catch (error) {
      response = null;
    }
    if (response && response.ok) {
      queue.shift();
      const html = await response.text();
      htmx.swap(stage(), html, { swapStyle: "outerHTML" }, { eventInfo: { sentAt } });
      report("");
    } else {
      // Nothing was done: the rest of the queue would land somewhere unexpected, so it goes too.
      queue.length = 0;
      report(message(!response ? "offline" : response.status === 503 ? "busy" : "failed"));
    }
    sending = false;
    showPending();
    drain();
  }

  // The console's buttons post through the queue; without JavaScript they post the form.
  document.addEventListener("submit", (event) => {
    const button = event.submitter;
    if (!event.target.closest("#stage") || !button || button.name !== "action") return;
    event.preventDefault();
    enqueue(button.value);
  });
  // A poll answered while actions are on their way would show a console they are about to
  // change; the queue's own answers bring the stage instead.
  document.addEventListener("htmx:beforeRequest", (event) => {
    if (event.detail.elt.id === "stage" && (sending || queue.length)) event.preventDefault();
  });
  document.addEventListener("htmx:beforeSwap", (event) => {
    if (event.detail.target.id === "stage" && (sending || queue.length)) event.detail.shouldSwap = false;
  });
  document.addEventListener("htmx:afterSwap", showPending);

  window.consoleActions = { enqueue, useful };
})();
