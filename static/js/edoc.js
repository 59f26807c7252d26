/* eDoc staff UI: small progressive enhancements. Every page works without this file. */
(function () {
  "use strict";

  var previewUrls = {};

  function isPdf(file) {
    return file && (file.type === "application/pdf" || /\.pdf$/i.test(file.name));
  }

  /* Show the chosen PDF beside the form through a local object URL: nothing is uploaded. */
  function updatePreview(input) {
    var targetId = input.getAttribute("data-pdf-preview");
    var frame = document.getElementById(targetId);
    if (!frame) return;
    var empty = document.getElementById(targetId + "-empty");
    if (previewUrls[targetId]) {
      URL.revokeObjectURL(previewUrls[targetId]);
      delete previewUrls[targetId];
    }
    var file = input.files && input.files[0];
    if (isPdf(file)) {
      previewUrls[targetId] = URL.createObjectURL(file);
      frame.src = previewUrls[targetId];
      frame.hidden = false;
      if (empty) empty.hidden = true;
    } else {
      frame.removeAttribute("src");
      frame.hidden = true;
      if (empty) empty.hidden = false;
    }
  }

  document.addEventListener("change", function (event) {
    var input = event.target;
    if (input.matches && input.matches("input[type=file][data-pdf-preview]")) {
      updatePreview(input);
    }
  });

  /* The server refused the chosen file (not a PDF, damaged, …): do not preview it. */
  document.addEventListener("htmx:afterSettle", function () {
    if (!document.querySelector("#file-messages .field-error")) return;
    var input = document.querySelector("input[type=file][data-pdf-preview]");
    if (!input) return;
    var targetId = input.getAttribute("data-pdf-preview");
    var frame = document.getElementById(targetId);
    var empty = document.getElementById(targetId + "-empty");
    if (previewUrls[targetId]) {
      URL.revokeObjectURL(previewUrls[targetId]);
      delete previewUrls[targetId];
    }
    if (frame) {
      frame.removeAttribute("src");
      frame.hidden = true;
    }
    if (empty) empty.hidden = false;
  });

  /* A filter applied as soon as its choice changes (<select data-autosubmit>): the
     Content-Security-Policy forbids inline onchange handlers. */
  document.addEventListener("change", function (event) {
    var field = event.target;
    if (field.matches && field.matches("[data-autosubmit]") && field.form) field.form.submit();
  });

  /* A form that asks before it posts (<form data-confirm="Question?">). */
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form.matches && form.matches("form[data-confirm]") &&
        !window.confirm(form.getAttribute("data-confirm"))) {
      event.preventDefault();
      event.stopImmediatePropagation();
    }
  }, true);

  /* Left menu on small screens. */
  document.addEventListener("click", function (event) {
    var toggle = event.target.closest && event.target.closest("#menu-toggle");
    if (!toggle) return;
    var open = document.body.classList.toggle("nav-open");
    toggle.setAttribute("aria-expanded", open ? "true" : "false");
  });
})();
