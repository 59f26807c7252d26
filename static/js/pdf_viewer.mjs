/* Inline PDF viewer of the task page (the workspace): pdf.js, vendored under static/vendor/pdfjs
   (npm pdfjs-dist, legacy build, Apache-2.0), draws each page of the document's current version
   on a canvas, pages drawn as they scroll into view.

   No inline script, no eval (isEvalSupported: false), no iframe, no blob: URL: it runs under a
   strict Content-Security-Policy with script-src 'self' (this module and pdf.min.mjs),
   worker-src 'self' (pdf.worker.min.mjs) and connect-src 'self' (the PDF, the standard fonts and
   the image decoders). PDF JavaScript is never run. The page keeps a download link for when this
   script cannot run or the file cannot be drawn. */

const ZOOM_STEP = 1.25;
const MIN_ZOOM = 0.25;
const MAX_ZOOM = 4;

function show(element, visible) {
  if (element) element.hidden = !visible;
}

class Viewer {
  constructor(root, pdfjs) {
    this.root = root;
    this.pdfjs = pdfjs;
    this.pagesBox = root.querySelector("[data-pdf-pages]");
    this.pageNumber = root.querySelector("[data-pdf-page-number]");
    this.pageCount = root.querySelector("[data-pdf-page-count]");
    this.zoom = 1; // relative to "fit the width"
    this.slots = [];
    this.tasks = new Map();
    this.baseSize = null;
  }

  async open() {
    const data = this.root.dataset;
    this.pdf = await this.pdfjs.getDocument({
      url: data.pdfUrl,
      isEvalSupported: false,
      disableRange: true,
      disableStream: true,
      disableAutoFetch: true,
      standardFontDataUrl: data.pdfFonts,
      wasmUrl: data.pdfWasm,
    }).promise;
    const first = await this.pdf.getPage(1);
    this.baseSize = first.getViewport({ scale: 1 });
    if (this.pageCount) this.pageCount.textContent = String(this.pdf.numPages);
    this.root.dataset.pdfPages = String(this.pdf.numPages);
    this.build();
    this.root.querySelectorAll("[data-pdf-zoom]").forEach((button) => {
      button.addEventListener("click", () => this.setZoom(button.dataset.pdfZoom));
      button.disabled = false;
    });
  }

  fitScale() {
    const width = this.pagesBox.clientWidth - 16;
    return Math.max(width, 120) / this.baseSize.width;
  }

  build() {
    this.observer = new IntersectionObserver((entries) => this.onVisible(entries), {
      root: this.pagesBox,
      rootMargin: "200px 0px",
    });
    for (let number = 1; number <= this.pdf.numPages; number += 1) {
      const slot = document.createElement("div");
      slot.className = "pdf-page";
      slot.dataset.pageNumber = String(number);
      const canvas = document.createElement("canvas");
      canvas.setAttribute("role", "img");
      canvas.setAttribute("aria-label", `${this.root.dataset.pdfPageLabel || "Page"} ${number}`);
      slot.appendChild(canvas);
      this.pagesBox.appendChild(slot);
      this.slots.push(slot);
    }
    this.layout();
  }

  layout() {
    const scale = this.fitScale() * this.zoom;
    for (const slot of this.slots) {
      const size = slot.pageSize || this.baseSize;
      slot.style.width = `${Math.floor(size.width * scale)}px`;
      slot.style.height = `${Math.floor(size.height * scale)}px`;
      slot.dataset.rendered = "";
      this.observer.unobserve(slot);
      this.observer.observe(slot);
    }
  }

  onVisible(entries) {
    let topmost = null;
    for (const entry of entries) {
      if (!entry.isIntersecting) continue;
      const slot = entry.target;
      if (!topmost || slot.offsetTop < topmost.offsetTop) topmost = slot;
      if (slot.dataset.rendered !== String(this.zoom)) this.render(slot);
    }
    if (topmost && this.pageNumber) this.pageNumber.textContent = topmost.dataset.pageNumber;
  }

  async render(slot) {
    const number = Number(slot.dataset.pageNumber);
    const zoom = this.zoom;
    slot.dataset.rendered = String(zoom);
    const previous = this.tasks.get(number);
    if (previous) previous.cancel();
    const page = await this.pdf.getPage(number);
    const scale = this.fitScale() * zoom;
    const viewport = page.getViewport({ scale });
    slot.pageSize = page.getViewport({ scale: 1 });
    slot.style.width = `${Math.floor(viewport.width)}px`;
    slot.style.height = `${Math.floor(viewport.height)}px`;
    const ratio = window.devicePixelRatio || 1;
    const canvas = slot.querySelector("canvas");
    canvas.width = Math.floor(viewport.width * ratio);
    canvas.height = Math.floor(viewport.height * ratio);
    canvas.style.width = `${Math.floor(viewport.width)}px`;
    canvas.style.height = `${Math.floor(viewport.height)}px`;
    const task = page.render({
      canvas,
      canvasContext: canvas.getContext("2d"),
      viewport,
      transform: ratio !== 1 ? [ratio, 0, 0, ratio, 0, 0] : null,
    });
    this.tasks.set(number, task);
    try {
      await task.promise;
      canvas.dataset.drawn = "1";
      this.root.dataset.pdfState = "ready";
    } catch (error) {
      if (error && error.name === "RenderingCancelledException") return;
      throw error;
    } finally {
      if (this.tasks.get(number) === task) this.tasks.delete(number);
    }
  }

  setZoom(how) {
    if (how === "in") this.zoom = Math.min(this.zoom * ZOOM_STEP, MAX_ZOOM);
    else if (how === "out") this.zoom = Math.max(this.zoom / ZOOM_STEP, MIN_ZOOM);
    else this.zoom = 1;
    this.layout();
  }
}

async function start(root) {
  const loading = root.querySelector("[data-pdf-loading]");
  const failure = root.querySelector("[data-pdf-error]");
  try {
    const pdfjs = await import(root.dataset.pdfjs);
    pdfjs.GlobalWorkerOptions.workerSrc = root.dataset.pdfWorker;
    const viewer = new Viewer(root, pdfjs);
    await viewer.open();
    show(loading, false);
  } catch (error) {
    show(loading, false);
    show(failure, true);
    root.dataset.pdfState = "error";
    console.error("PDF viewer:", error);
  }
}

document.querySelectorAll("[data-pdf-viewer]").forEach(start);
