// The register: a reason box only for absent, late and excused. Delegated, so it survives htmx swapping
// the form.
document.addEventListener("change", function (event) {
  var input = event.target;
  if (!input.matches(".register-row input[type=radio]")) return;
  var row = input.closest(".register-row");
  row.classList.toggle("needs-reason", input.value !== "present");
});
