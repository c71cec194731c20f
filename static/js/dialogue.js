// Small improvements only: every page works without this file.
document.addEventListener("DOMContentLoaded", function () {
  // Move focus to the error summary so screen reader and keyboard users meet it first.
  var summary = document.querySelector("[data-autofocus]");
  if (summary) {
    summary.focus();
  }
});
