// The printable health summary's "Print" button (no inline handlers: CSP).
document.addEventListener("DOMContentLoaded", () => {
  const button = document.getElementById("btn-print");
  if (button) button.addEventListener("click", () => window.print());
});
