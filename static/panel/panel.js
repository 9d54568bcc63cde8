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

/* A field required only for some values of another (data-required-when="other=v1,v2"):
   marked with the red star and required as the other field changes, not only after a save. */
(function () {
  function setUp() {
    document.querySelectorAll("[data-required-when]").forEach(function (field) {
      var rule = field.getAttribute("data-required-when").split("=");
      var other = field.form && field.form.elements[rule[0]];
      if (!other) { return; }
      var values = rule[1].split(",");
      var label = document.querySelector("label[for='" + field.id + "']");
      var star = document.createElement("strong");
      star.className = "required-when-star";
      star.style.color = "red";
      star.textContent = "*";
      function update() {
        var on = values.indexOf(other.value) !== -1;
        field.required = on;
        field.setAttribute("aria-required", on ? "true" : "false");
        if (label) {
          if (on && !label.contains(star)) { label.appendChild(star); }
          if (!on && label.contains(star)) { label.removeChild(star); }
        }
      }
      other.addEventListener("change", update);
      if (window.jQuery) { window.jQuery(other).on("change", update); }  // select2 fires jQuery events
      update();
    });
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", setUp); } else { setUp(); }
})();
