/* Notes: typeset math with the vendored KaTeX, and small comforts for forms swapped in by htmx.
 * Loaded with `defer` after katex.min.js; everything here is an enhancement: without it notes show
 * their TeX source and every action still works as a plain form. */
(function () {
  "use strict";

  function renderMath(root) {
    if (typeof katex === "undefined" || !root.querySelectorAll) return;
    root.querySelectorAll(".math.inline, .math.block").forEach(function (el) {
      if (el.dataset.typeset) return;
      // katex.render builds DOM nodes and sets styles through the CSSOM, which CSP allows.
      katex.render(el.textContent.trim(), el, {
        displayMode: el.classList.contains("block"),
        throwOnError: false,
        trust: false,
        maxExpand: 500,
      });
      el.dataset.typeset = "1";
    });
  }

  function start() {
    renderMath(document);
    // htmx fires htmx:load (it bubbles) on every piece of HTML it swaps in.
    document.addEventListener("htmx:load", function (event) {
      renderMath(event.detail && event.detail.elt ? event.detail.elt : document);
    });
    document.addEventListener("click", function (event) {
      var cancel = event.target.closest("[data-notes-cancel]");
      if (cancel) {
        event.preventDefault();
        var form = cancel.closest("form");
        if (form) form.remove();
      }
    });
  }

  if (document.readyState === "complete") {
    start();
  } else {
    document.addEventListener("DOMContentLoaded", start);
  }
})();
