// Sign-up: the hidden time_zone field gets the browser's zone, so a new account shows times in
// it from the first page. Without JavaScript (or without Intl's zone) it keeps UTC; the server
// ignores a zone it does not know. The profile page changes it later.
const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
if (zone) {
  for (const field of document.querySelectorAll('input[type="hidden"][name="time_zone"]')) {
    field.value = zone;
  }
}
