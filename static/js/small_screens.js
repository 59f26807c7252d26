/* Phones: each table row becomes a card whose cells carry their column's heading (data-label,
   shown by edoc.css below 640 px); the folded menu closes with Escape or a tap outside it.
   Without this file the cards show their values without headings. */
(function () {
  "use strict";

  function label(root) {
    root.querySelectorAll("table.table").forEach(function (table) {
      var headings = [];
      table.querySelectorAll("thead tr:first-child > th").forEach(function (th) {
        var span = parseInt(th.getAttribute("colspan") || "1", 10);
        for (var i = 0; i < span; i += 1) headings.push(th.textContent.replace(/\s+/g, " ").trim());
      });
      if (!headings.length) return;
      table.querySelectorAll("tbody > tr").forEach(function (row) {
        var column = 0;
        Array.prototype.forEach.call(row.children, function (cell) {
          if (!cell.hasAttribute("data-label") && headings[column]) {
            cell.setAttribute("data-label", headings[column]);
          }
          column += parseInt(cell.getAttribute("colspan") || "1", 10);
        });
      });
    });
  }

  function closeMenu() {
    if (!document.body.classList.contains("nav-open")) return;
    document.body.classList.remove("nav-open");
    var toggle = document.getElementById("menu-toggle");
    if (toggle) toggle.setAttribute("aria-expanded", "false");
  }

  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape") closeMenu();
  });
  document.addEventListener("click", function (event) {
    if (!event.target.closest) return;
    if (event.target.closest("#sidebar") || event.target.closest("#menu-toggle")) return;
    closeMenu();
  });
  document.addEventListener("DOMContentLoaded", function () {
    label(document);
  });
  document.addEventListener("htmx:load", function (event) {
    label(event.target);
  });
})();
