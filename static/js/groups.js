// Reading groups: small conveniences on top of pages that work without JavaScript.
// Invite links: focusing the field selects the whole link, ready to copy.
document.addEventListener("focusin", (event) => {
  const field = event.target;
  if (field instanceof HTMLInputElement && field.matches("[data-copy]")) {
    field.select();
  }
});

// Cancel on a confirmation htmx swapped into the page: the prompt goes, nothing was sent.
// (Without JavaScript the prompt is a page of its own, and Cancel a link back.)
document.addEventListener("click", (event) => {
  const cancel = event.target instanceof Element && event.target.closest("[data-dismiss]");
  if (cancel) {
    event.preventDefault();
    cancel.closest("form")?.remove();
  }
});
