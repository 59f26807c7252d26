/* Zoom and pan for process diagrams (workflows/templates/workflows/partials/diagram_frame.html).
   The diagram starts at its natural size, where labels are 12–13 px; the buttons, Ctrl + wheel
   and the + / - / 0 keys zoom around the middle of the frame, dragging moves it (touch screens
   scroll it natively). Without this file the frame simply scrolls. */
(function () {
  "use strict";

  var STEPS = [0.25, 0.33, 0.5, 0.67, 0.8, 0.9, 1, 1.25, 1.5, 1.75, 2, 2.5, 3];
  var remembered = {}; /* zoom per page, kept when htmx redraws the designer's diagram */

  function natural(svg) {
    var box = svg.viewBox && svg.viewBox.baseVal;
    return {
      width: (box && box.width) || parseFloat(svg.getAttribute("width")) || svg.clientWidth,
      height: (box && box.height) || parseFloat(svg.getAttribute("height")) || svg.clientHeight,
    };
  }

  function Zoom(root) {
    this.root = root;
    this.frame = root.querySelector("[data-diagram-frame]");
    this.svg = this.frame && this.frame.querySelector("svg");
    this.output = root.querySelector("[data-diagram-scale]");
    this.scale = 1;
  }

  Zoom.prototype.apply = function (scale, keepCentre) {
    var frame = this.frame;
    var size = natural(this.svg);
    var old = this.scale;
    var cx = (frame.scrollLeft + frame.clientWidth / 2) / old;
    var cy = (frame.scrollTop + frame.clientHeight / 2) / old;
    this.scale = Math.min(STEPS[STEPS.length - 1], Math.max(STEPS[0], scale));
    this.svg.style.width = size.width * this.scale + "px";
    this.svg.style.height = size.height * this.scale + "px";
    if (keepCentre) {
      frame.scrollLeft = cx * this.scale - frame.clientWidth / 2;
      frame.scrollTop = cy * this.scale - frame.clientHeight / 2;
    }
    if (this.output) this.output.textContent = Math.round(this.scale * 100) + "%";
    this.root.setAttribute("data-scale", String(this.scale));
    remembered[location.pathname] = this.scale;
  };

  Zoom.prototype.step = function (direction) {
    var current = this.scale;
    var next = direction > 0
      ? STEPS.find(function (s) { return s > current + 0.001; })
      : STEPS.slice().reverse().find(function (s) { return s < current - 0.001; });
    if (next) this.apply(next, true);
  };

  Zoom.prototype.fit = function () {
    var size = natural(this.svg);
    var scale = Math.min(
      (this.frame.clientWidth - 2) / size.width,
      (Math.max(this.frame.clientHeight, 200) - 2) / size.height,
      1
    );
    this.scale = Math.max(scale, STEPS[0]);
    this.apply(this.scale, false);
    this.frame.scrollLeft = 0;
    this.frame.scrollTop = 0;
  };

  function setUp(root) {
    if (root.hasAttribute("data-diagram-ready")) return;
    var zoom = new Zoom(root);
    if (!zoom.svg || zoom.svg.classList.contains("wf-empty")) return;
    root.setAttribute("data-diagram-ready", "");
    root.zoom = zoom;
    var tools = root.querySelector("[data-diagram-tools]");
    if (tools) tools.hidden = false;
    zoom.frame.classList.add("is-pannable");
    zoom.apply(remembered[location.pathname] || 1, false);
    /* Bring the current step into view. */
    var current = zoom.svg.querySelector(".is-current");
    if (current) {
      var frameBox = zoom.frame.getBoundingClientRect();
      var stepBox = current.getBoundingClientRect();
      zoom.frame.scrollLeft += stepBox.left + stepBox.width / 2 - (frameBox.left + frameBox.width / 2);
      zoom.frame.scrollTop += stepBox.top + stepBox.height / 2 - (frameBox.top + frameBox.height / 2);
    }

    /* Drag to pan with a mouse or pen; touch keeps the frame's native scrolling. */
    var drag = null;
    zoom.frame.addEventListener("pointerdown", function (event) {
      if (event.pointerType === "touch" || event.button !== 0) return;
      if (event.target.closest && event.target.closest("a, button, input, select, textarea")) return;
      drag = { x: event.clientX, y: event.clientY, left: zoom.frame.scrollLeft, top: zoom.frame.scrollTop };
      zoom.frame.setPointerCapture(event.pointerId);
      zoom.frame.classList.add("is-panning");
    });
    zoom.frame.addEventListener("pointermove", function (event) {
      if (!drag) return;
      zoom.frame.scrollLeft = drag.left - (event.clientX - drag.x);
      zoom.frame.scrollTop = drag.top - (event.clientY - drag.y);
    });
    function stop() {
      drag = null;
      zoom.frame.classList.remove("is-panning");
    }
    zoom.frame.addEventListener("pointerup", stop);
    zoom.frame.addEventListener("pointercancel", stop);

    /* Ctrl + wheel zooms; a plain wheel scrolls the page as usual. */
    zoom.frame.addEventListener(
      "wheel",
      function (event) {
        if (!event.ctrlKey) return;
        event.preventDefault();
        zoom.step(event.deltaY < 0 ? 1 : -1);
      },
      { passive: false }
    );
    zoom.frame.addEventListener("keydown", function (event) {
      if (event.key === "+" || event.key === "=") zoom.step(1);
      else if (event.key === "-") zoom.step(-1);
      else if (event.key === "0") zoom.apply(1, true);
      else return;
      event.preventDefault();
    });
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-zoom]");
    if (!button) return;
    var root = button.closest("[data-diagram]");
    if (!root || !root.zoom) return;
    var action = button.getAttribute("data-zoom");
    if (action === "in") root.zoom.step(1);
    else if (action === "out") root.zoom.step(-1);
    else if (action === "fit") root.zoom.fit();
    else root.zoom.apply(1, true);
  });

  function init(scope) {
    scope.querySelectorAll("[data-diagram]").forEach(setUp);
  }
  document.addEventListener("DOMContentLoaded", function () {
    init(document);
  });
  document.addEventListener("htmx:load", function (event) {
    init(event.target);
  });
})();
