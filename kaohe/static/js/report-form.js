// The report form: refuse files over the limits before they are sent (the server refuses them
// too), and show that an upload is under way once the form is sent.
(function () {
  "use strict";
  var form = document.querySelector("[data-testid=report-form]");
  if (!form) return;
  var input = form.querySelector("input[type=file]");
  var problem = document.getElementById("upload-problem");
  var MB = 1024 * 1024;

  function check() {
    var files = input ? Array.prototype.slice.call(input.files) : [];
    var total = 0, messages = [];
    var tooBig = files.filter(function (f) { total += f.size; return f.size > form.dataset.maxFileMb * MB; });
    if (tooBig.length) messages.push(form.dataset.tooBig + " " + tooBig.map(function (f) { return f.name; }).join("、"));
    if (files.length > Number(form.dataset.maxFiles)) messages.push(form.dataset.tooMany);
    if (total > form.dataset.maxRequestMb * MB) messages.push(form.dataset.tooMuch);
    problem.textContent = messages.join(" ");
    problem.classList.toggle("d-none", messages.length === 0);
    return messages.length === 0;
  }

  if (input) input.addEventListener("change", check);
  form.addEventListener("submit", function (event) {
    if (!check()) { event.preventDefault(); return; }
    var button = form.querySelector("button[type=submit]");
    button.disabled = true;
    button.textContent = form.dataset.sending;
    button.classList.add("btn-loading");
  });
})();
