/* Lists keep one line per row: a cell cut by the ellipsis shows its full value on hover. */
(function () {
  function titles() {
    document.querySelectorAll("table.model-list td").forEach(function (td) {
      if (td.scrollWidth > td.clientWidth + 1 && !td.hasAttribute("title")) {
        td.setAttribute("title", td.innerText.trim());
      }
    });
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", titles); } else { titles(); }
  window.addEventListener("resize", titles);
})();
