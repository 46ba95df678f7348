/* Notes: typeset math with the vendored KaTeX, and small comforts for forms swapped in by htmx.
 * Loaded with `defer` after katex.min.js; everything here is an enhancement: without it notes show
 * their TeX source and every action still works as a plain form. */
(function () {
  "use strict";

  // KaTeX's options, each set on purpose (https://katex.org/docs/options):
  // - trust: false: \href, \url, \includegraphics and \html* never make links, images,
  //   classes, ids or styles; KaTeX shows them as unsupported commands instead.
  // - strict: LaTeX-compatibility problems are errors (shown as the note's TeX source), except
  //   the three harmless ways people write math loosely, which typeset as usual.
  // - maxSize: sizes the writer gives (\rule, \kern, \rule{100000em}...) are capped at 10em,
  //   so a formula cannot cover the page.
  // - maxExpand: at most 200 macro expansions, so \def\x{\x}\x stops at once.
  // - macros: a new object each time, so \gdef in one note cannot redefine another note's math.
  // - throwOnError: true, and the error is shown here rather than by KaTeX: with throwOnError
  //   false KaTeX writes style="color:..." on its error span, an inline style the CSP refuses.
  //   This shows the same thing (the TeX source, the message as hover text), styled by
  //   .math-error in app.css.
  var LOOSE_BUT_HARMLESS = ["unicodeTextInMathMode", "newLineInDisplayMode", "commentAtEnd"];
  var OPTIONS = {
    throwOnError: true,
    trust: false,
    strict: function (code) {
      return LOOSE_BUT_HARMLESS.indexOf(code) === -1 ? "error" : "ignore";
    },
    maxSize: 10,
    maxExpand: 200,
  };

  function typeset(el) {
    var source = el.textContent.trim();
    var options = Object.assign({}, OPTIONS, {
      displayMode: el.classList.contains("block"),
      macros: {},
    });
    try {
      // katex.render builds DOM nodes and sets styles through the CSSOM, which CSP allows.
      katex.render(source, el, options);
    } catch (error) {
      if (!(error instanceof katex.ParseError)) throw error;
      el.textContent = source;
      el.classList.add("math-error");
      el.title = error.message;
    }
  }

  function renderMath(root) {
    if (typeof katex === "undefined" || !root.querySelectorAll) return;
    root.querySelectorAll(".math.inline, .math.block").forEach(function (el) {
      if (el.dataset.typeset) return;
      typeset(el);
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
