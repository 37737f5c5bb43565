// The lesson page: an absent student has no understanding level. Delegated, so it survives htmx swaps.
document.addEventListener("change", function (event) {
  var input = event.target;
  if (!input.matches(".lesson-row input[type=radio]")) return;
  var select = input.closest(".lesson-row").querySelector("select.understanding");
  if (!select) return;
  select.disabled = input.value === "absent";
  if (select.disabled) select.value = "";
});
