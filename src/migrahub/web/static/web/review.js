// Keyboard work through the review queue: j/k move between suggestions, x selects the current one, a/r accept or
// reject the selected ones (or the current one when none is selected); "All on this page" selects every one.
// Without JavaScript the checkboxes and the buttons do the same.
(function () {
  "use strict";
  var items = function () { return Array.prototype.slice.call(document.querySelectorAll(".review-item[data-item]")); };
  var current = -1;

  function focusItem(i) {
    var list = items();
    if (!list.length) { return; }
    current = Math.max(0, Math.min(list.length - 1, i));
    list.forEach(function (el) { el.classList.remove("current"); });
    list[current].classList.add("current");
    list[current].focus();
  }

  function send(action) {
    var form = document.getElementById("bulk-form");
    if (!form) { return; }
    var chosen = document.querySelectorAll("input[name=item][form=bulk-form]:checked");
    if (!chosen.length) {
      var list = items();
      if (current < 0 || !list[current]) { return; }
      var box = list[current].querySelector("input[name=item]");
      if (box) { box.checked = true; }
    }
    var button = form.querySelector("button[value=" + action + "]");
    if (button) { form.requestSubmit(button); }
  }

  document.addEventListener("keydown", function (e) {
    if (e.ctrlKey || e.metaKey || e.altKey) { return; }
    var tag = (e.target.tagName || "").toLowerCase();
    if (tag === "input" && e.target.type !== "checkbox" || tag === "select" || tag === "textarea") { return; }
    if (!document.getElementById("bulk-form")) { return; }
    if (e.key === "j") { focusItem(current + 1); e.preventDefault(); }
    else if (e.key === "k") { focusItem(current - 1); e.preventDefault(); }
    else if (e.key === "x") {
      var list = items();
      if (current < 0) { focusItem(0); }
      var box = list[current] && list[current].querySelector("input[name=item]");
      if (box) { box.checked = !box.checked; }
      e.preventDefault();
    } else if (e.key === "a") { send("accept"); e.preventDefault(); }
    else if (e.key === "r") { send("reject"); e.preventDefault(); }
  });

  // after one Accept/Reject (htmx), focus moves to its result, which says what was done and offers Undo
  document.addEventListener("htmx:afterSettle", function () {
    var done = document.querySelector(".review-item.done:not([data-seen])");
    if (done) {
      done.setAttribute("data-seen", "1");
      done.setAttribute("tabindex", "-1");
      done.focus();
    }
  });

  document.addEventListener("change", function (e) {
    if (e.target.id === "select-all") {
      document.querySelectorAll("input[name=item][form=bulk-form]").forEach(function (b) {
        b.checked = e.target.checked;
      });
    }
  });
})();
