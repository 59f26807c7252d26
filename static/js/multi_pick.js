/* Checkbox lists with a filter box (the MultiPick widget of edoc/forms.py): typing hides the
   options that do not match, ignoring case and Vietnamese diacritics; a counter shows how many
   are ticked. Without this file the same checkboxes work, unfiltered. */
(function () {
  "use strict";

  function fold(text) {
    return text
      .normalize("NFD")
      .replace(/[\u0300-\u036f]/g, "")
      .replace(/đ/g, "d")
      .replace(/Đ/g, "D")
      .toLowerCase()
      .trim();
  }

  function count(pick) {
    var output = pick.querySelector("[data-multi-pick-count]");
    if (!output) return;
    var ticked = pick.querySelectorAll("input[type=checkbox]:checked").length;
    output.textContent = ticked
      ? pick.getAttribute("data-count-text").replace("%(count)s", String(ticked))
      : "";
  }

  function filter(pick, query) {
    var words = fold(query).split(/\s+/).filter(Boolean);
    var shown = 0;
    pick.querySelectorAll("[data-multi-pick-option]").forEach(function (option) {
      var text = option.getAttribute("data-folded");
      if (text === null) {
        text = fold(option.textContent);
        option.setAttribute("data-folded", text);
      }
      var match = words.every(function (word) {
        return text.indexOf(word) >= 0;
      });
      option.hidden = !match;
      if (match) shown += 1;
    });
    var none = pick.querySelector("[data-multi-pick-none]");
    if (none) none.hidden = shown > 0;
  }

  function init(root) {
    root.querySelectorAll("[data-multi-pick]").forEach(function (pick) {
      if (pick.hasAttribute("data-multi-pick-ready")) return;
      pick.setAttribute("data-multi-pick-ready", "");
      var tools = pick.querySelector("[data-multi-pick-tools]");
      if (tools) tools.hidden = false;
      count(pick);
    });
  }

  document.addEventListener("input", function (event) {
    var box = event.target.closest && event.target.closest("[data-multi-pick-filter]");
    if (box) filter(box.closest("[data-multi-pick]"), box.value);
  });
  document.addEventListener("change", function (event) {
    var pick = event.target.closest && event.target.closest("[data-multi-pick]");
    if (pick && event.target.type === "checkbox") count(pick);
  });
  /* Enter in the filter box must not submit the form. */
  document.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && event.target.matches && event.target.matches("[data-multi-pick-filter]")) {
      event.preventDefault();
    }
  });
  document.addEventListener("DOMContentLoaded", function () {
    init(document);
  });
  document.addEventListener("htmx:load", function (event) {
    init(event.target);
  });
})();
