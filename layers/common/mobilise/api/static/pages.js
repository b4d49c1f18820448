// The proof-of-work widget of the sign form (ALTCHA, external build: no inline style or
// worker). The page has it only past the burst of signatures from one address. Its words,
// worker address and challenge come from the server, in the widget's data attributes; it
// starts solving as soon as the worker is registered (auto="off" in the page: the widget
// must not start before the algorithm has a worker).
for (const widget of document.querySelectorAll("altcha-widget[data-worker]")) {
  const worker = widget.dataset.worker;
  globalThis.$altcha.algorithms.set("PBKDF2/SHA-256", () => new Worker(worker));
  globalThis.$altcha.i18n.set(widget.getAttribute("language"), JSON.parse(widget.dataset.strings));
  customElements.whenDefined("altcha-widget").then(() => widget.verify());
}
