// The bulletin editor: a section's 400 (bad input) and 409 (someone saved first, or the bulletin
// can no longer change) answers carry the section's card with the message; htmx swaps them in.
document.body.addEventListener("htmx:beforeSwap", function (event) {
  var status = event.detail.xhr.status;
  var target = event.detail.target;
  if ((status === 400 || status === 409) && target && target.matches(".bulletin-section")) {
    event.detail.shouldSwap = true;
    event.detail.isError = false;
  }
});
