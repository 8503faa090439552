// A page that polls (console, projector) or saves in the background (the editor) whose session
// has ended: the server answers its htmx requests with 401 and `HX-Trigger: session-ended`
// (copsite/middleware.py). The page keeps what it shows, says so in its banner
// (templates/_session_banner.html) with a link that signs in and comes back here, and never
// swaps in what such an answer holds. Polls go on: once the instructor signs in again, in this
// tab or another, the next answered poll hides the banner and the screen follows again.
(function () {
  "use strict";
  const banner = () => document.getElementById("session-ended");

  function signInLink() {
    const element = banner();
    return element ? element.querySelector("a[data-sign-in]") : null;
  }

  function show() {
    const element = banner();
    if (!element) return;
    const link = signInLink();
    // The page as it is now: the editor's address may have changed since it was rendered.
    const next = window.location.pathname + window.location.search + window.location.hash;
    const url = new URL(link.href, window.location.href);
    url.searchParams.set("next", next);
    link.href = url.pathname + url.search;
    element.hidden = false;
    document.body.classList.add("session-has-ended");
  }

  function hide() {
    const element = banner();
    if (!element || element.hidden) return;
    element.hidden = true;
    document.body.classList.remove("session-has-ended");
  }

  // An answer that is the sign-in page (a redirect the browser followed) is as good as a 401.
  function isSignInPage(xhr) {
    const link = signInLink();
    if (!link || !xhr.responseURL) return false;
    const signIn = new URL(link.href, window.location.href).pathname;
    return new URL(xhr.responseURL).pathname === signIn;
  }

  const ended = (xhr) => xhr.status === 401 || isSignInPage(xhr);

  document.addEventListener("session-ended", show);
  document.addEventListener("htmx:beforeSwap", (event) => {
    if (!ended(event.detail.xhr)) return;
    event.detail.shouldSwap = false;
    event.detail.isError = false;
    show();
  });
  document.addEventListener("htmx:afterRequest", (event) => {
    const xhr = event.detail.xhr;
    if (xhr && xhr.status >= 200 && xhr.status < 300 && !isSignInPage(xhr)) hide();
  });

  window.copSession = { ended: show };
})();
