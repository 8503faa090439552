// The take-away's Print button: a button, not a link, because printing needs the page's own
// window. Without JavaScript the browser's own Print menu prints the same page.
document.querySelectorAll("[data-print]").forEach((button) => {
  button.addEventListener("click", () => window.print());
});
