// Brings a projector that is a window of the console's browser (the usual set-up) along at
// once, rather than at its next poll, so the room sees the slide as the clicker is pressed.
// The console speaks on the delivery's BroadcastChannel twice per action:
//   {kind: "sending", revision}  an action made on this revision is on its way to the server;
//   {kind: "changed", revision}  the server answered: the delivery is now at this revision.
// The projector, from "sending" on, asks the server for its stage by the same request its poll
// makes, again and again (204s, one indexed read each) until it shows a newer revision, so it
// gets the change as soon as it is committed, not after the console's own answer is rendered;
// "changed" makes sure it gets at least that revision. The server stays the one source of what
// the room sees; a projector on another machine, or without BroadcastChannel, just polls.
// Included as <script src="live.js" data-delivery="<id>" data-screen="console|projector">.
(function () {
  "use strict";
  const script = document.currentScript;
  if (!script || !("BroadcastChannel" in window)) return;
  const delivery = script.dataset.delivery;
  const channel = new BroadcastChannel(`cop-delivery-${delivery}`);
  const CHASE_MS = 2000; // how long a projector looks for a change an action may make
  const RETRY_MS = 25; // between its requests while it does

  const stage = () => document.getElementById("stage");
  const revisionOf = (element) => (element ? Number(element.dataset.revision) || 0 : 0);
  const tell = (kind, revision) => channel.postMessage({ delivery, kind, revision });

  function speakForConsole() {
    // actions.js announces each action as it posts it, then swaps in the server's answer.
    document.addEventListener("console:sending", (event) => {
      tell("sending", Number(event.detail.revision) || 0);
    });
    document.addEventListener("htmx:afterSwap", (event) => {
      if (event.target === stage()) tell("changed", revisionOf(stage()));
    });
  }

  function followConsole() {
    let confirmed = 0; // the server is at least at this revision
    let madeOn = 0; // an action made on this revision is on its way…
    let until = 0; // …or was refused, or lost, if nothing has changed by then
    let chasing = false;
    let failed = false; // the last request for the stage failed

    // A server that is busy (503) or gone gets no burst of requests from here: the projector's
    // poll, a second apart, goes on asking it.
    document.addEventListener("htmx:afterRequest", (event) => {
      if (event.detail.elt.id === "stage") failed = !event.detail.successful;
    });

    function behind() {
      const shown = revisionOf(stage());
      return shown < confirmed || (shown <= madeOn && performance.now() < until);
    }

    async function chase() {
      if (chasing) return;
      chasing = true;
      while (stage() && behind()) {
        const element = stage();
        failed = false;
        try {
          // htmx queues this behind a poll already on its way and drops it if that poll swaps
          // in a new stage; either way the loop asks again while still behind.
          await htmx.ajax("GET", element.getAttribute("hx-get"), {
            source: element,
            target: element,
            swap: "outerHTML",
          });
        } catch (error) {
          failed = true;
        }
        if (failed) break;
        if (behind()) await new Promise((resolve) => setTimeout(resolve, RETRY_MS));
      }
      chasing = false;
    }

    channel.addEventListener("message", (event) => {
      const data = event.data || {};
      const revision = Number(data.revision) || 0;
      if (String(data.delivery) !== delivery) return;
      if (data.kind === "sending") {
        madeOn = Math.max(madeOn, revision);
        until = performance.now() + CHASE_MS;
      } else if (data.kind === "changed") {
        confirmed = Math.max(confirmed, revision);
        madeOn = 0; // that action is answered; the next one says so itself
      }
      chase();
    });
  }

  if (script.dataset.screen === "console") speakForConsole();
  else if (script.dataset.screen === "projector") followConsole();
})();
