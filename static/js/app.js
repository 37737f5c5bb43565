// htmx set-up shared by every page.
document.addEventListener("DOMContentLoaded", function () {
  if (!window.htmx) return;
  // Swap 400 (inline form errors) and 409 (someone else changed it) responses like successes, so the
  // server's fragment with the message replaces the form; other errors are not swapped.
  htmx.config.responseHandling = [
    { code: "204", swap: false },
    { code: "[23]..", swap: true },
    { code: "400", swap: true, error: false },
    { code: "409", swap: true, error: false },
    { code: "422", swap: true, error: false },
    { code: "[45]..", swap: false, error: true },
  ];
});
document.addEventListener("htmx:responseError", function (event) {
  var box = document.getElementById("messages");
  if (!box) return;
  var status = event.detail.xhr.status;
  var div = document.createElement("div");
  div.className = "flash flash-error";
  div.setAttribute("role", "alert");
  div.textContent = status === 403 ? "You are not allowed to do that." :
    status === 404 ? "That record no longer exists." : "Something went wrong (" + status + "). Please try again.";
  box.appendChild(div);
});
