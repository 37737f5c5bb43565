// Program pages. A button with data-confirm asks first; on the session register, a notes box shows
// only when the status is not "present" (delegated, so it survives htmx swapping the form).
document.addEventListener("click", function (event) {
  var button = event.target.closest("button[data-confirm]");
  if (!button || !button.dataset.confirm) return;
  if (!window.confirm(button.dataset.confirm)) event.preventDefault();
});
document.addEventListener("change", function (event) {
  var input = event.target;
  if (!input.matches(".session-attendance .register-row input[type=radio]")) return;
  input.closest(".register-row").classList.toggle("needs-reason", input.value !== "present");
});
