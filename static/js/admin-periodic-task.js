/* Admin, Celery beat periodic task form: show the chosen crontab schedule in words under the
   field (django-celery-beat does this with an inline script, which the
   Content-Security-Policy forbids). */
(function () {
  "use strict";
  var script = document.currentScript;
  var $ = window.django.jQuery;
  var readable = JSON.parse(document.getElementById("readable-crontabs").textContent);
  var help = script.getAttribute("data-crontab-help") || "";
  var inWords = script.getAttribute("data-in-words") || "";

  $(".field-crontab_translation").hide();
  $(".field-crontab").change(function () {
    var words = readable[$("#id_crontab").val()] || "";
    $(".field-crontab .help")
      .text(help)
      .append("<br>")
      .append(document.createTextNode(inWords + ": " + words));
  });
})();
