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

// Folds (<details data-open-wide>) are open on wide screens and one tappable line on phones.
var WIDE = window.matchMedia("(min-width: 768px)");
function openWideFolds(root) {
  if (!WIDE.matches || !root.querySelectorAll) return;
  root.querySelectorAll("details[data-open-wide]").forEach(function (fold) { fold.open = true; });
}
document.addEventListener("DOMContentLoaded", function () { openWideFolds(document); });
// <details data-open-print>: figures folded on screen are printed open; they fold again afterwards.
window.addEventListener("beforeprint", function () {
  document.querySelectorAll("details[data-open-print]:not([open])").forEach(function (fold) {
    fold.open = true;
    fold.dataset.printOpened = "";
  });
});
window.addEventListener("afterprint", function () {
  document.querySelectorAll("details[data-print-opened]").forEach(function (fold) {
    fold.open = false;
    delete fold.dataset.printOpened;
  });
});
document.addEventListener("htmx:load", function (event) { openWideFolds(event.target.parentNode || document); });
WIDE.addEventListener("change", function () { openWideFolds(document); });

// Dialogs: [data-open-dialog=ID] opens <dialog id=ID> as a modal (the browser keeps the focus inside it,
// Escape closes it); [data-close-dialog=ID] closes it. The focus then goes back to what opened it, or to
// the page's opener button when the dialog opened with the page. [data-print] prints the page.
document.addEventListener("click", function (event) {
  var opener = event.target.closest("[data-open-dialog]");
  if (opener) {
    var dialog = document.getElementById(opener.dataset.openDialog);
    if (dialog && !dialog.open) { dialog.returnFocusTo = opener; dialog.showModal(); }
  }
  var closer = event.target.closest("[data-close-dialog]");
  if (closer) {
    var open = document.getElementById(closer.dataset.closeDialog);
    if (open) { open.close(); }
  }
  if (event.target.closest("[data-print]")) { window.print(); }
});
document.addEventListener("close", function (event) {
  var dialog = event.target;
  if (!(dialog instanceof HTMLDialogElement)) return;
  var back = dialog.returnFocusTo || document.querySelector('[data-open-dialog="' + dialog.id + '"]');
  dialog.returnFocusTo = null;
  if (back && (document.activeElement === document.body || dialog.contains(document.activeElement))) { back.focus(); }
}, true);
document.addEventListener("DOMContentLoaded", function () {
  var dialog = document.querySelector("dialog[data-open-on-load]");
  if (dialog) { dialog.showModal(); }
});

// A panel filled by htmx ([data-reveal-on-swap], e.g. the progress tracker) is shown, scrolled to and
// given the focus on its heading, so keyboard and screen-reader users land where the content appeared.
document.addEventListener("htmx:afterSwap", function (event) {
  var panel = event.detail.target;
  if (!panel.matches || !panel.matches("[data-reveal-on-swap]")) return;
  var firstShow = panel.hidden;
  panel.hidden = false;
  var heading = panel.querySelector("h1, h2, h3");
  var launched = event.detail.requestConfig && event.detail.requestConfig.elt;
  if (heading && launched && !panel.contains(launched)) {
    heading.setAttribute("tabindex", "-1");
    heading.focus({ preventScroll: true });
  }
  if (firstShow || (launched && !panel.contains(launched))) {
    panel.scrollIntoView({ behavior: "smooth", block: "start" });
  }
});

// htmx swaps announce their result. Messages come as [role=status] / [role=alert] in the new content and
// speak for themselves; a swap with no message (a filtered list) marks its summary, e.g. "27 alerts",
// with [data-announce], whose text the polite live region #announcer reads out.
document.addEventListener("htmx:afterSettle", function (event) {
  var announcer = document.getElementById("announcer");
  var target = event.detail.elt || event.detail.target;
  if (!announcer || !target || !target.querySelectorAll) return;
  var nodes = Array.prototype.slice.call(target.querySelectorAll("[data-announce]"));
  if (target.matches("[data-announce]")) nodes.unshift(target);
  var parts = nodes.map(function (node) { return node.textContent.replace(/\s+/g, " ").trim(); }).filter(Boolean);
  if (!parts.length) return;
  announcer.textContent = "";
  window.setTimeout(function () { announcer.textContent = parts.join(" "); }, 50);
});
