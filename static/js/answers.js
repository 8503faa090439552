// Keeps a group's typed answers safe on a weak network.
// Every keystroke is kept on the phone (localStorage) until the server confirms it. A send that
// fails is retried with the same key, so the server stores it once. A live update of the page
// never loses what is being typed: drafts, focus and cursor are put back after every swap.
(function () {
  "use strict";
  const STORE = "cop-drafts";
  const RETRY_MS = 3000;
  const inFlight = new Set();
  let retryAfter = 0;
  let remembered = null;

  const stage = () => document.getElementById("stage");
  // The page carries these messages in its language (templates/participants/stage.html).
  let messages = null;
  function t(text) {
    if (messages === null) {
      const source = document.getElementById("answer-messages");
      try {
        messages = source ? JSON.parse(source.textContent) : {};
      } catch (error) {
        messages = {};
      }
    }
    return messages[text] || text;
  }
  const scope = () => (stage() ? stage().dataset.draftScope : "");

  function readDrafts() {
    try {
      return JSON.parse(localStorage.getItem(STORE) || "{}");
    } catch (error) {
      return {};
    }
  }
  function writeDrafts(drafts) {
    try {
      localStorage.setItem(STORE, JSON.stringify(drafts));
    } catch (error) {
      /* storage full or disabled: the text stays in the page */
    }
  }
  function draftName(slot) {
    return `${scope()}|${slot}`;
  }
  function getDraft(slot) {
    return readDrafts()[draftName(slot)];
  }
  function putDraft(slot, draft) {
    const drafts = readDrafts();
    drafts[draftName(slot)] = draft;
    writeDrafts(drafts);
  }
  function dropDraft(name) {
    const drafts = readDrafts();
    delete drafts[name];
    writeDrafts(drafts);
  }

  // A new point's box is slot "new", or "new:c1" for a list's second column (the key says it).
  function isNew(slot) {
    return slot === "new" || slot.startsWith("new:");
  }
  function newKey(slot) {
    const random = window.crypto && crypto.randomUUID ? crypto.randomUUID() : `${Date.now()}-${Math.random().toString(36).slice(2)}`;
    const column = slot && slot.startsWith("new:") ? `${slot.slice(4)}-` : "";
    return `point:${column}${random}`;
  }

  // The banner goes under the name and group, not over them: placed after that header, it sticks
  // to the top only once the header has scrolled away. A live update replaces the stage, header
  // and all, so the same element is put back after every swap.
  const offlineBanner = document.getElementById("offline-banner");
  function placeBanner() {
    const head = document.querySelector("#stage .phone-head");
    if (offlineBanner && head && head.nextElementSibling !== offlineBanner) head.after(offlineBanner);
  }

  function banner(text) {
    if (!offlineBanner) return;
    placeBanner();
    offlineBanner.textContent = text || "";
    offlineBanner.hidden = !text;
  }

  // Whether an answer of this page's activity is waiting to be sent (or being sent).
  function sendingHere() {
    return Object.entries(readDrafts()).some(([name, d]) => d.pending && name.startsWith(`${scope()}|`));
  }
  // What the banner says when the server cannot be reached: most of all, that nothing is lost.
  function connectionLost() {
    if (sendingHere()) {
      banner(t("No connection. Your answer is kept on this phone and will be sent when the connection is back."));
    } else if (!navigator.onLine) {
      banner(t("You are offline. What you type is kept on this phone."));
    } else {
      banner(t("Connection lost. Trying again…"));
    }
  }

  function pieceFor(slot) {
    return [...document.querySelectorAll("[data-piece]")].find((p) => p.dataset.slot === slot);
  }
  // The piece a draft belongs to as the page shows it now (a live update replaces pieces), if
  // the draft is of this page's activity.
  function livePiece(name) {
    return name.startsWith(`${scope()}|`) ? pieceFor(name.slice(name.indexOf("|") + 1)) : null;
  }

  function status(piece, text, kind) {
    if (!piece) return;
    const element = piece.querySelector(".piece-status");
    if (element) {
      element.textContent = text;
      element.dataset.kind = kind || "";
    }
  }

  // The limit speaks before it is reached: a counter from 90% of it, and above it a refusal
  // that says by how much, instead of the silent cut a maxlength made of pasted text.
  const NEAR = 0.9;
  const number = (n) => n.toLocaleString(document.documentElement.lang || undefined);
  function length(text) {
    return [...text.replace(/\r\n/g, "\n").trim()].length; // as the server counts: characters
  }
  function overLimit(textarea) {
    const limit = Number(textarea.dataset.limit || 0);
    return limit > 0 && length(textarea.value) > limit ? length(textarea.value) - limit : 0;
  }
  function showCount(textarea) {
    const counter = textarea.closest("[data-piece]").querySelector("[data-char-count]");
    const limit = Number(textarea.dataset.limit || 0);
    if (!counter || !limit) return;
    const count = length(textarea.value);
    const over = overLimit(textarea);
    counter.hidden = count < limit * NEAR;
    counter.dataset.kind = over ? "error" : "";
    counter.textContent = (over ? counter.dataset.over : counter.dataset.near)
      .replace("{count}", number(count))
      .replace("{limit}", number(limit))
      .replace("{over}", number(over));
    textarea.setAttribute("aria-invalid", over ? "true" : "false");
  }

  function onInput(textarea) {
    showCount(textarea);
    const piece = textarea.closest("[data-piece]");
    const slot = piece.dataset.slot;
    const previous = getDraft(slot) || {};
    const heading = document.getElementById("activity-title");
    putDraft(slot, {
      text: textarea.value,
      activity: heading ? heading.textContent.trim() : "",
      key: previous.key || (isNew(slot) ? newKey(slot) : slot),
      base: previous.base !== undefined ? previous.base : piece.dataset.version,
      pending: false,
      conflict: previous.conflict,
    });
    if (!previous.conflict) status(piece, t("Not sent yet"), "draft");
  }

  async function post(operation, body) {
    const base = stage().dataset.answerBase;
    return fetch(`${base}${operation}/`, {
      method: "POST",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken() },
      body: JSON.stringify(body),
      credentials: "same-origin",
    });
  }

  function csrfToken() {
    try {
      return JSON.parse(document.body.getAttribute("hx-headers"))["X-CSRFToken"];
    } catch (error) {
      return "";
    }
  }

  // "<delivery>.<group>": whether the revision `a` comes after `b`.
  function later(a, b) {
    const [delivery, group] = String(a).split(".").map(Number);
    const [shownDelivery, shownGroup] = String(b).split(".").map(Number);
    return delivery > shownDelivery || (delivery === shownDelivery && group > shownGroup);
  }
  // An answer's response carries the group's stage as the change left it: shown at once, unless
  // a live update has already brought a later one. Without it, the stage is asked for.
  function showStage(data, sentAt) {
    const current = stage();
    if (!current) return;
    if (!data.stage) {
      htmx.trigger(current, "refresh");
    } else if (!current.dataset.revision || later(data.revision, current.dataset.revision)) {
      htmx.swap(current, data.stage, { swapStyle: "outerHTML" }, { beforeSwapCallback: rememberFocus, eventInfo: { sentAt } });
    }
  }

  async function send(name, draft) {
    if (inFlight.has(name) || Date.now() < retryAfter) return;
    const slot = name.slice(name.indexOf("|") + 1);
    inFlight.add(name);
    draft.pending = true;
    const drafts = readDrafts();
    drafts[name] = draft;
    writeDrafts(drafts);
    status(livePiece(name), t("Sending…"), "sending");
    let response;
    const sentAt = Date.now();
    try {
      // The activity the draft was typed for: the server refuses it once that one is closed.
      const run = name.split("|")[0].split(":")[2];
      response = await post("save", { key: draft.key, text: draft.text, base_version: draft.base, run });
    } catch (error) {
      inFlight.delete(name);
      connectionLost();
      status(livePiece(name), t("Waiting for the connection…"), "offline");
      return;
    }
    inFlight.delete(name);
    let data = {};
    try {
      data = await response.json();
    } catch (error) {
      data = {};
    }
    // What was typed while the answer was on its way is newer than what was sent: keep it.
    const typedSince = readDrafts()[name];
    const typedOn = typedSince && typedSince.text !== draft.text ? typedSince : null;
    if (response.ok) {
      if (typedOn) {
        // A new point was stored; what follows it in the box is the start of another one.
        if (isNew(slot)) typedOn.key = newKey(slot);
        else typedOn.base = data.version;
        typedOn.pending = false;
        const drafts = readDrafts();
        drafts[name] = typedOn;
        writeDrafts(drafts);
      } else {
        dropDraft(name);
      }
      banner("");
      showStage(data, sentAt);
      const live = livePiece(name);
      if (live) {
        if (!isNew(slot)) live.dataset.version = data.version;
        status(live, typedOn ? t("Not sent yet") : t("Sent ✓"), typedOn ? "draft" : "sent");
        const textarea = live.querySelector("textarea");
        if (isNew(slot) && !typedOn) textarea.value = "";
      }
      return;
    }
    // A live update may have replaced the piece while the answer was on its way.
    const live = livePiece(name);
    if (response.status === 429 || response.status >= 500) {
      const wait = Number(response.headers.get("Retry-After") || 3);
      retryAfter = Date.now() + wait * 1000;
      banner(data.error || t("The server is busy. Your answer is kept and will be sent again shortly."));
      status(live, t("Will retry…"), "offline");
      return;
    }
    draft = typedOn || draft;
    draft.pending = false;
    // Kept with the draft: a live update that replaces the piece (or the whole activity) at the
    // same moment must not take the reason away with it.
    draft.refused = data.error || t("Not sent. Try again.");
    if (response.status === 409 && data.current_text !== undefined) {
      // Kept with the draft, so the choice survives live updates and reloads until it is made.
      draft.conflict = { message: data.error, theirs: data.current_text, version: data.current_version };
    }
    const kept = readDrafts();
    kept[name] = draft;
    writeDrafts(kept);
    showNotSent();
    if (draft.conflict) {
      if (live) showConflict(live, draft.conflict);
      return;
    }
    status(live, data.error || t("Not sent. Try again."), "error");
    if (response.status === 423 && live) live.querySelector("textarea").readOnly = true;
  }

  function showConflict(piece, conflict) {
    const box = piece.querySelector(".conflict");
    if (!box) return;
    box.querySelector(".conflict-message").textContent = conflict.message;
    box.querySelector(".conflict-theirs").textContent = conflict.theirs;
    box.hidden = false;
    status(piece, t("Not saved: see below"), "error");
  }

  function sendPiece(piece) {
    const slot = piece.dataset.slot;
    const textarea = piece.querySelector("textarea");
    if (overLimit(textarea)) {
      showCount(textarea);
      status(piece, piece.querySelector("[data-char-count]").textContent, "error");
      textarea.focus();
      return;
    }
    let draft = getDraft(slot);
    if (!draft || draft.text !== textarea.value) {
      onInput(textarea);
      draft = getDraft(slot);
    }
    send(draftName(slot), draft);
  }

  async function operate(piece, operation, extra) {
    try {
      const sentAt = Date.now();
      const response = await post(operation, { key: piece.dataset.slot, ...extra });
      const data = await response.json().catch(() => ({}));
      if (!response.ok) status(piece, data.error || t("Not done. Try again."), "error");
      showStage(response.ok ? data : {}, sentAt);
    } catch (error) {
      banner(t("No connection. Try again when the connection is back."));
    }
  }

  function retryPending() {
    if (!navigator.onLine) return;
    const drafts = readDrafts();
    // Only this page's activity: the server files an answer under the activity open now, so a
    // point kept from an earlier activity (or another class) would land in the wrong one.
    Object.entries(drafts).forEach(([name, draft]) => {
      if (draft.pending && name.startsWith(`${scope()}|`)) send(name, draft);
    });
  }

  function restoreDrafts() {
    document.querySelectorAll("[data-piece]").forEach((piece) => {
      const draft = getDraft(piece.dataset.slot);
      const textarea = piece.querySelector("textarea");
      if (!draft || !textarea) return;
      if (textarea.value !== draft.text) textarea.value = draft.text;
      showCount(textarea);
      // A closed activity's form shows its unsent box only when there is text to show in it.
      const unsent = piece.closest("[data-shows-draft]");
      if (unsent) unsent.hidden = false;
      const copy = piece.querySelector("[data-copy]");
      if (copy) copy.hidden = !draft.text;
      if (textarea.readOnly) status(piece, t("Not sent: the activity is closed"), "error");
      else if (draft.conflict) showConflict(piece, draft.conflict);
      else if (draft.refused) status(piece, draft.refused, "error");
      else if (!draft.pending) status(piece, t("Not sent yet"), "draft");
      else if (inFlight.has(draftName(piece.dataset.slot))) status(piece, t("Sending…"), "sending");
      else status(piece, t("Waiting for the connection…"), "offline");
    });
    if (remembered) {
      const piece = pieceFor(remembered.slot);
      const textarea = piece && piece.querySelector("textarea");
      if (textarea) {
        textarea.focus();
        textarea.setSelectionRange(remembered.start, remembered.end);
      }
      remembered = null;
    }
  }

  // What this participant typed for another activity than the one on the page now (the
  // instructor moved on) and did not send: sent if that activity still takes it, else shown
  // below the stage with the reason and a way to copy it, until dismissed.
  function owner() {
    return scope().split(":").slice(0, 2).join(":");
  }
  function notSent() {
    return Object.entries(readDrafts()).filter(
      ([name, draft]) =>
        name.startsWith(`${owner()}:`) && !name.startsWith(`${scope()}|`) && draft.text && draft.text.trim(),
    );
  }
  function sendNotSent() {
    notSent().forEach(([name, draft]) => {
      if (!draft.refused && !draft.conflict) send(name, draft);
    });
  }
  function showNotSent() {
    const box = document.getElementById("not-sent");
    if (!box) return;
    const list = box.querySelector("[data-not-sent-list]");
    const template = box.querySelector("template");
    const items = notSent()
      .filter(([, draft]) => draft.refused || draft.conflict)
      .map(([name, draft]) => {
        const item = template.content.firstElementChild.cloneNode(true);
        item.dataset.draft = name;
        item.querySelector("[data-activity]").textContent = draft.activity || "";
        item.querySelector("[data-reason]").textContent = draft.refused || (draft.conflict && draft.conflict.message) || "";
        item.querySelector("textarea").value = draft.text;
        return item;
      });
    list.replaceChildren(...items);
    box.hidden = items.length === 0;
  }

  function copyText(button, textarea) {
    const done = () => {
      button.textContent = button.dataset.copied;
    };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(textarea.value).then(done, () => select(textarea));
    } else {
      select(textarea);
      if (document.execCommand && document.execCommand("copy")) done();
    }
  }
  function select(textarea) {
    textarea.focus();
    textarea.setSelectionRange(0, textarea.value.length);
  }

  document.addEventListener("click", (event) => {
    const copy = event.target.closest("[data-copy]");
    if (copy) {
      const holder = copy.closest("[data-piece], [data-draft]");
      copyText(copy, holder.querySelector("textarea"));
      return;
    }
    const dismiss = event.target.closest("[data-dismiss]");
    if (dismiss) {
      dropDraft(dismiss.closest("[data-draft]").dataset.draft);
      showNotSent();
    }
  });

  document.addEventListener("input", (event) => {
    if (event.target.matches("[data-piece] textarea")) onInput(event.target);
  });
  document.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey) && event.target.matches("[data-piece] textarea")) {
      event.preventDefault();
      sendPiece(event.target.closest("[data-piece]"));
    }
  });
  document.addEventListener("click", (event) => {
    const piece = event.target.closest("[data-piece]");
    if (!piece) return;
    if (event.target.closest("[data-send]")) sendPiece(piece);
    else if (event.target.closest("[data-remove]")) operate(piece, "delete", {});
    else if (event.target.closest("[data-move]")) operate(piece, "move", { step: Number(event.target.closest("[data-move]").dataset.move) });
    else if (event.target.closest("[data-keep-mine]")) {
      const draft = getDraft(piece.dataset.slot);
      piece.querySelector(".conflict").hidden = true;
      if (!draft || !draft.conflict) return;
      // Mine, typed in the box now, replaces the version the conflict showed.
      draft.text = piece.querySelector("textarea").value;
      draft.base = draft.conflict.version;
      delete draft.conflict;
      putDraft(piece.dataset.slot, draft);
      send(draftName(piece.dataset.slot), draft);
    } else if (event.target.closest("[data-keep-theirs]")) {
      const draft = getDraft(piece.dataset.slot);
      piece.querySelector(".conflict").hidden = true;
      dropDraft(draftName(piece.dataset.slot));
      if (draft && draft.conflict) {
        piece.querySelector("textarea").value = draft.conflict.theirs;
        piece.dataset.version = draft.conflict.version;
      }
      status(piece, "", "");
      htmx.trigger(stage(), "refresh");
    }
  });

  function rememberFocus() {
    const active = document.activeElement;
    const piece = active && active.closest && active.closest("[data-piece]");
    if (piece && active.tagName === "TEXTAREA") {
      remembered = { slot: piece.dataset.slot, start: active.selectionStart, end: active.selectionEnd };
    }
  }
  document.addEventListener("htmx:beforeSwap", (event) => {
    if (event.detail.target.id === "stage") rememberFocus();
  });
  // Right after the swap, in the same task: a key pressed before htmx settles (20 ms later) would
  // land in the server's copy of the box and replace the draft with that one letter.
  document.addEventListener("htmx:afterSwap", (event) => {
    placeBanner();
    restoreDrafts();
    sendNotSent();
    showNotSent();
  });
  document.addEventListener("htmx:sendError", connectionLost);
  document.addEventListener("htmx:afterRequest", (event) => {
    if (event.detail.successful && !sendingHere()) banner("");
  });
  window.addEventListener("online", retryPending);
  window.addEventListener("offline", connectionLost);

  placeBanner();
  restoreDrafts();
  sendNotSent();
  showNotSent();
  retryPending(); // what a reload interrupted goes at once, not after the first interval
  setInterval(retryPending, RETRY_MS);
})();
