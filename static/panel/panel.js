/* Lists keep one line per row: a cell cut by the ellipsis shows its full value on hover. */
(function () {
  function titles() {
    document.querySelectorAll("table.model-list td:not(.list-buttons-column)").forEach(function (cell) {
      if (cell.scrollWidth > cell.clientWidth + 1 && !cell.hasAttribute("title")) {
        cell.setAttribute("title", cell.innerText.trim());
      }
    });
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", titles); } else { titles(); }
  window.addEventListener("resize", titles);
})();
