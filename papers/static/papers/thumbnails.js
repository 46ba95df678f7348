// Hides a paper thumbnail the CDN could not serve, instead of showing a broken image.
// Images load (and fail) independently of this script, so it checks both ways.
(function () {
  "use strict";
  function hide(img) {
    var frame = img.closest("[data-thumb]") || img;
    frame.hidden = true;
  }
  document.addEventListener("error", function (event) {
    var target = event.target;
    if (target instanceof HTMLImageElement && target.closest("[data-thumb]")) hide(target);
  }, true);
  function sweep() {
    document.querySelectorAll("[data-thumb] img").forEach(function (img) {
      if (img.complete && img.naturalWidth === 0) hide(img);
    });
  }
  document.addEventListener("DOMContentLoaded", sweep);
  document.addEventListener("htmx:afterSettle", sweep);
  window.addEventListener("load", sweep);
})();
