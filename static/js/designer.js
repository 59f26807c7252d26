/* Process designer: show only the step-form fields that apply to the chosen type and rule.
   Without this file every field shows, and the server ignores those that do not apply. */
(function () {
  "use strict";

  function update(form) {
    if (!form) return;
    var type = form.querySelector("[name=type]");
    var kind = type ? type.value : "";
    form.querySelectorAll("[data-types]").forEach(function (el) {
      el.hidden = el.getAttribute("data-types").split(" ").indexOf(kind) < 0;
    });
    /* A user step has one assignee rule; a parallel step one row per rule. */
    form.querySelectorAll("[data-rule-row]").forEach(function (row) {
      var index = parseInt(row.getAttribute("data-rule-row"), 10);
      row.hidden = kind === "user" && index > 0;
      var rule = row.querySelector("select[name$='-rule']");
      var value = rule ? rule.value : "";
      row.querySelectorAll("[data-for-rule]").forEach(function (field) {
        field.hidden = field.getAttribute("data-for-rule").split(" ").indexOf(value) < 0;
      });
    });
    var join = form.querySelector("[name=join]");
    var count = form.querySelector("[data-join-count]");
    if (join && count) count.hidden = join.value !== "count";
  }

  function init(root) {
    (root || document).querySelectorAll("form[data-step-form]").forEach(update);
  }

  document.addEventListener("change", function (event) {
    var form = event.target.closest && event.target.closest("form[data-step-form]");
    if (form) update(form);
  });
  document.addEventListener("DOMContentLoaded", function () {
    init(document);
  });
  document.addEventListener("htmx:load", function (event) {
    init(event.target);
  });
})();
