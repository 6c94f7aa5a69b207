// A refused or invalid verification (400, 409) still replaces the item, so the inspector sees why.
document.body.addEventListener("htmx:beforeSwap", function (event) {
  var status = event.detail.xhr.status;
  var target = event.detail.target;
  if ((status === 400 || status === 409) && target && (target.matches("[data-verification]") || target.id === "checkpoints")) {
    event.detail.shouldSwap = true;
    event.detail.isError = false;
  }
});
