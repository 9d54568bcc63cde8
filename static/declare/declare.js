// Optional help on the declaration form: open the correction fields when "Sửa lại" is
// chosen, and check a line as it is typed with the register's own rules (the server
// answers; the form works the same without this script).
(function () {
  var form = document.getElementById("decl");
  if (!form) { return; }
  var csrf = form.querySelector("input[name=csrf_token]").value;
  form.addEventListener("change", function (ev) {
    var t = ev.target;
    if (t.type === "radio") {
      var box = t.closest("fieldset").querySelector("details");
      if (box && t.value === "correct") { box.open = true; }
    }
    t.setAttribute("data-touched", "1");
    var set = t.closest("fieldset[data-prefix]");
    if (set && t.name && t.type !== "radio") { check(set); }
  });
  var asked = 0;
  function check(set) {
    var prefix = set.getAttribute("data-prefix"), body = new FormData(), mine = ++asked;
    body.append("csrf_token", csrf);
    body.append("kind", set.getAttribute("data-kind"));
    set.querySelectorAll("[name^='" + prefix + "']").forEach(function (el) {
      body.append(el.name.slice(prefix.length), el.value);
    });
    fetch(form.getAttribute("data-check"), {method: "POST", body: body, credentials: "same-origin"})
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (errors) {
        if (!errors || mine !== asked) { return; }  // a later answer is on its way
        set.querySelectorAll("[data-field]").forEach(function (box) {
          var name = box.getAttribute("data-field"), input = box.querySelector("input,select");
          var msg = box.querySelector(".err"), text = errors[name];
          if (!input || !input.hasAttribute("data-touched")) { return; }  // not typed in yet: no scolding
          box.classList.toggle("has-err", !!text);
          if (msg) { msg.textContent = text || ""; msg.hidden = !text; }
        });
      });
  }
})();
