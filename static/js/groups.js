// Reading groups: small conveniences on top of pages that work without JavaScript.
// Invite links: focusing the field selects the whole link, ready to copy.
document.addEventListener("focusin", (event) => {
  const field = event.target;
  if (field instanceof HTMLInputElement && field.matches("[data-copy]")) {
    field.select();
  }
});
