// Coding a selection: reads the user's text selection inside a passage of the coding view and fills the one
// coding control of the page (the side panel's form) with the passage and code-point offsets into the document
// text (each passage text carries data-start, its own code-point offset). JavaScript strings count UTF-16 units,
// so lengths are taken with Array.from (one element per code point). Without JavaScript each passage's own
// "Code" and "Memo" buttons send the same form for the whole passage.
(function () {
  "use strict";

  function codePoints(text) {
    return Array.from(text).length;
  }

  function passageOf(node) {
    var el = node && (node.nodeType === 1 ? node : node.parentElement);
    return el ? el.closest(".passage-text") : null;
  }

  // The code-point length of the passage text from its beginning up to (container, offset).
  function prefixLength(textEl, container, offset) {
    var r = document.createRange();
    r.selectNodeContents(textEl);
    r.setEnd(container, offset);
    return codePoints(r.toString());
  }

  function control() {
    return document.getElementById("coding-control");
  }

  function setSpan(passage, start, end, label) {
    var form = control();
    if (!form) { return; }
    form.querySelector("input.span-passage").value = passage;
    form.querySelector("input.span-start").value = String(start);
    form.querySelector("input.span-end").value = String(end);
    var choice = form.querySelector(".span-choice");
    choice.textContent = label;
    choice.classList.add("selected");
    document.querySelectorAll(".code-passage.chosen").forEach(function (s) { s.classList.remove("chosen"); });
    var section = document.getElementById("p-" + passage);
    if (section) { section.classList.add("chosen"); }
  }

  function onSelection() {
    var sel = window.getSelection();
    if (!sel || sel.rangeCount === 0 || sel.isCollapsed) { return; }
    var range = sel.getRangeAt(0);
    var textEl = passageOf(range.startContainer);
    if (!textEl || textEl !== passageOf(range.endContainer)) { return; }
    var base = parseInt(textEl.dataset.start, 10);
    var startCp = prefixLength(textEl, range.startContainer, range.startOffset);
    var endCp = prefixLength(textEl, range.endContainer, range.endOffset);
    var text = Array.from(textEl.textContent);
    // trim white space at the edges of the selection (double-click often takes a trailing space)
    while (startCp < endCp && /\s/.test(text[startCp])) { startCp++; }
    while (endCp > startCp && /\s/.test(text[endCp - 1])) { endCp--; }
    if (endCp <= startCp) { return; }
    var picked = text.slice(startCp, endCp).join("");
    var shown = Array.from(picked).length > 60 ? Array.from(picked).slice(0, 57).join("") + "…" : picked;
    var seq = textEl.dataset.seq;
    if (startCp === 0 && endCp === text.length) {
      setSpan(textEl.dataset.passage, base, base + text.length, "Selection: the whole passage " + seq);
    } else {
      setSpan(textEl.dataset.passage, base + startCp, base + endCp, "Selection: “" + shown + "” in passage " + seq +
              " (" + (base + startCp) + "–" + (base + endCp) + ")");
    }
  }

  document.addEventListener("mouseup", function () { window.setTimeout(onSelection, 0); });
  document.addEventListener("keyup", function (e) {
    if (e.shiftKey || e.key === "Shift") { onSelection(); }
  });
  // after htmx swapped a passage (accept, reject, remove), focus stays on that passage; the undo box announces it
  document.addEventListener("htmx:afterSettle", function (e) {
    var section = e.target && e.target.closest && e.target.closest(".code-passage");
    if (!section) { section = document.getElementById((e.target && e.target.id) || ""); }
    if (section && section.classList.contains("code-passage")) {
      section.setAttribute("tabindex", "-1");
      section.focus();
    }
  });
  // Alt+C: from a selection to the code list
  document.addEventListener("keydown", function (e) {
    if (e.altKey && (e.key === "c" || e.key === "C")) {
      var select = document.getElementById("code-choice");
      if (select) { e.preventDefault(); select.focus(); }
    }
  });
})();
