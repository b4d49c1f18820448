// The composer's email preview. This page is loaded in <iframe sandbox="allow-scripts">
// (an opaque origin: nothing here can reach the app's storage or tokens) and served with
// its own Content-Security-Policy: inline styles allowed (an email is made of them), no
// script but this file. The app posts the email's HTML; this script puts it in place of
// its own document, keeps the email's links from navigating, and tells the app its height.
"use strict";

(function () {
  /** The app's origin: this file is served from it, so the URL says it (the document's own
   * origin is opaque in the sandbox). */
  var app = location.origin;

  function show(html) {
    var parsed = new DOMParser().parseFromString(html, "text/html");
    // Parsed by DOMParser, the email's scripts (it has none) would never run; the policy
    // forbids them as well. The root is replaced, not document.write()n: writing would
    // drop this script's listeners.
    document.replaceChild(document.importNode(parsed.documentElement, true), document.documentElement);
    tell();
  }

  function tell() {
    var root = document.documentElement;
    parent.postMessage(
      { type: "preview-height", height: Math.ceil(root.scrollHeight) },
      app,
    );
  }

  window.addEventListener("message", function (event) {
    if (event.source !== parent || event.origin !== app) return;
    var data = event.data;
    if (data && data.type === "preview-html" && typeof data.html === "string") show(data.html);
  });

  // A preview's links lead to the petition's page; inside the preview they lead nowhere.
  document.addEventListener("click", function (event) {
    var target = event.target;
    if (target instanceof Element && target.closest("a")) event.preventDefault();
  });

  // Photos load after the HTML: follow the height as they arrive.
  document.addEventListener("load", tell, true);
  window.addEventListener("resize", tell);

  parent.postMessage({ type: "preview-ready" }, app);
})();
