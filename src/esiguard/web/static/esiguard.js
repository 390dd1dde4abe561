// Progressive enhancement only: every page works without this file.
(function () {
  "use strict";
  // Show print buttons (hidden without JavaScript, where the browser's own print works).
  document.querySelectorAll(".js-print").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () { window.print(); });
  });
  // Printed results show everything, including folded sections.
  window.addEventListener("beforeprint", function () {
    document.querySelectorAll("details:not([open])").forEach(function (d) {
      d.setAttribute("open", "");
      d.setAttribute("data-opened-for-print", "");
    });
  });
  window.addEventListener("afterprint", function () {
    document.querySelectorAll("details[data-opened-for-print]").forEach(function (d) {
      d.removeAttribute("open");
      d.removeAttribute("data-opened-for-print");
    });
  });
  // After a failed submission, move focus to the error summary so it is read out first.
  var summary = document.getElementById("error-summary");
  if (summary) { summary.focus(); }
})();
