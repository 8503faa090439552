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

  function newKey() {
    const random = window.crypto && crypto.randomUUID ? crypto.randomUUID() : `${Date.now()}-${Math.random().toString(36).slice(2)}`;
    return `point:${random}`;
  }

  function banner(text) {
    const element = document.getElementById("offline-banner");
    if (!element) return;
    element.textContent = text || "";
    element.hidden = !text;
  }

  function pieceFor(slot) {
    return [...document.querySelectorAll("[data-piece]")].find((p) => p.dataset.slot === slot);
  }

  function status(piece, text, kind) {
    if (!piece) return;
    const element = piece.querySelector(".piece-status");
    if (element) {
      element.textContent = text;
      element.dataset.kind = kind || "";
    }
  }

  function onInput(textarea) {
    const piece = textarea.closest("[data-piece]");
    const slot = piece.dataset.slot;
    const previous = getDraft(slot) || {};
    putDraft(slot, {
      text: textarea.value,
      key: previous.key || (slot === "new" ? newKey() : slot),
      base: previous.base !== undefined ? previous.base : piece.dataset.version,
      pending: false,
    });
    status(piece, "Not sent yet", "draft");
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

  async function send(name, draft) {
    if (inFlight.has(name) || Date.now() < retryAfter) return;
    const slot = name.slice(name.indexOf("|") + 1);
    const piece = name.startsWith(`${scope()}|`) ? pieceFor(slot) : null;
    inFlight.add(name);
    draft.pending = true;
    const drafts = readDrafts();
    drafts[name] = draft;
    writeDrafts(drafts);
    status(piece, "Sending…", "sending");
    let response;
    try {
      response = await post("save", { key: draft.key, text: draft.text, base_version: draft.base });
    } catch (error) {
      inFlight.delete(name);
      banner("No connection. Your answer is kept on this phone and will be sent when the connection is back.");
      status(piece, "Waiting for the connection…", "offline");
      return;
    }
    inFlight.delete(name);
    let data = {};
    try {
      data = await response.json();
    } catch (error) {
      data = {};
    }
    if (response.ok) {
      dropDraft(name);
      banner("");
      if (piece) {
        piece.dataset.version = data.version;
        status(piece, "Sent ✓", "sent");
        if (slot === "new") piece.querySelector("textarea").value = "";
      }
      htmx.trigger(stage(), "refresh");
      return;
    }
    if (response.status === 429 || response.status >= 500) {
      const wait = Number(response.headers.get("Retry-After") || 3);
      retryAfter = Date.now() + wait * 1000;
      banner(data.error || "The server is busy. Your answer is kept and will be sent again shortly.");
      status(piece, "Will retry…", "offline");
      return;
    }
    draft.pending = false;
    const kept = readDrafts();
    kept[name] = draft;
    writeDrafts(kept);
    if (response.status === 409 && data.current_text !== undefined && piece) {
      showConflict(piece, data);
      status(piece, "Not saved: see below", "error");
      return;
    }
    status(piece, data.error || "Not sent. Try again.", "error");
    if (response.status === 423 && piece) piece.querySelector("textarea").readOnly = true;
  }

  function showConflict(piece, data) {
    const box = piece.querySelector(".conflict");
    box.querySelector(".conflict-message").textContent = data.error;
    box.querySelector(".conflict-theirs").textContent = data.current_text;
    box.dataset.version = data.current_version;
    box.dataset.theirs = data.current_text;
    box.hidden = false;
  }

  function sendPiece(piece) {
    const slot = piece.dataset.slot;
    const textarea = piece.querySelector("textarea");
    let draft = getDraft(slot);
    if (!draft || draft.text !== textarea.value) {
      onInput(textarea);
      draft = getDraft(slot);
    }
    send(draftName(slot), draft);
  }

  async function operate(piece, operation, extra) {
    try {
      const response = await post(operation, { key: piece.dataset.slot, ...extra });
      const data = await response.json().catch(() => ({}));
      if (!response.ok) status(piece, data.error || "Not done. Try again.", "error");
      htmx.trigger(stage(), "refresh");
    } catch (error) {
      banner("No connection. Try again when the connection is back.");
    }
  }

  function retryPending() {
    if (!navigator.onLine) return;
    const drafts = readDrafts();
    Object.entries(drafts).forEach(([name, draft]) => {
      if (draft.pending) send(name, draft);
    });
  }

  function restoreDrafts() {
    document.querySelectorAll("[data-piece]").forEach((piece) => {
      const draft = getDraft(piece.dataset.slot);
      const textarea = piece.querySelector("textarea");
      if (!draft || !textarea) return;
      if (textarea.value !== draft.text) textarea.value = draft.text;
      status(piece, draft.pending ? "Sending…" : "Not sent yet", draft.pending ? "sending" : "draft");
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
      const box = piece.querySelector(".conflict");
      const draft = getDraft(piece.dataset.slot);
      draft.base = box.dataset.version;
      putDraft(piece.dataset.slot, draft);
      box.hidden = true;
      send(draftName(piece.dataset.slot), draft);
    } else if (event.target.closest("[data-keep-theirs]")) {
      const box = piece.querySelector(".conflict");
      dropDraft(draftName(piece.dataset.slot));
      piece.querySelector("textarea").value = box.dataset.theirs;
      piece.dataset.version = box.dataset.version;
      box.hidden = true;
      status(piece, "", "");
      htmx.trigger(stage(), "refresh");
    }
  });

  document.addEventListener("htmx:beforeSwap", (event) => {
    if (event.detail.target.id !== "stage") return;
    const active = document.activeElement;
    const piece = active && active.closest && active.closest("[data-piece]");
    if (piece && active.tagName === "TEXTAREA") {
      remembered = { slot: piece.dataset.slot, start: active.selectionStart, end: active.selectionEnd };
    }
  });
  document.addEventListener("htmx:afterSettle", restoreDrafts);
  document.addEventListener("htmx:sendError", () => banner("Connection lost. Trying again…"));
  document.addEventListener("htmx:afterRequest", (event) => {
    if (event.detail.successful && !Object.values(readDrafts()).some((d) => d.pending)) banner("");
  });
  window.addEventListener("online", retryPending);
  window.addEventListener("offline", () => banner("You are offline. What you type is kept on this phone."));

  restoreDrafts();
  setInterval(retryPending, RETRY_MS);
})();
