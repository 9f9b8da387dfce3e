// Coding a character span: reads the user's text selection inside a passage of the coding view and fills that
// passage's hidden start/end fields with code-point offsets into the document text (the passage element carries
// data-start, its own code-point offset). JavaScript strings count UTF-16 units, so lengths are taken with
// Array.from (one element per code point). Without JavaScript the forms code the whole passage.
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

  function setSpan(section, start, end, label) {
    section.querySelectorAll("input.span-start").forEach(function (i) { i.value = String(start); });
    section.querySelectorAll("input.span-end").forEach(function (i) { i.value = String(end); });
    var whole = label === "to the whole passage";
    section.querySelectorAll(".span-choice").forEach(function (s) {
      s.textContent = label;
      s.classList.toggle("selected", !whole);
    });
    section.querySelectorAll(".span-reset").forEach(function (b) { b.hidden = whole; });
  }

  function reset(section) {
    var textEl = section.querySelector(".passage-text");
    if (!textEl) { return; }
    setSpan(section, textEl.dataset.start, textEl.dataset.end, "to the whole passage");
  }

  function onSelection() {
    var sel = window.getSelection();
    if (!sel || sel.rangeCount === 0 || sel.isCollapsed) { return; }
    var range = sel.getRangeAt(0);
    var textEl = passageOf(range.startContainer);
    if (!textEl || textEl !== passageOf(range.endContainer)) { return; }
    var section = textEl.closest(".code-passage");
    if (!section) { return; }
    var base = parseInt(textEl.dataset.start, 10);
    var startCp = prefixLength(textEl, range.startContainer, range.startOffset);
    var endCp = prefixLength(textEl, range.endContainer, range.endOffset);
    var text = Array.from(textEl.textContent);
    // trim white space at the edges of the selection (double-click often takes a trailing space)
    while (startCp < endCp && /\s/.test(text[startCp])) { startCp++; }
    while (endCp > startCp && /\s/.test(text[endCp - 1])) { endCp--; }
    if (endCp <= startCp) { return; }
    var picked = text.slice(startCp, endCp).join("");
    var shown = picked.length > 60 ? Array.from(picked).slice(0, 57).join("") + "…" : picked;
    if (startCp === 0 && endCp === text.length) {
      reset(section);
    } else {
      setSpan(section, base + startCp, base + endCp, "to the selection “" + shown + "” (" +
              (base + startCp) + "–" + (base + endCp) + ")");
    }
  }

  document.addEventListener("mouseup", function () { window.setTimeout(onSelection, 0); });
  document.addEventListener("keyup", function (e) {
    if (e.shiftKey || e.key === "Shift") { onSelection(); }
  });
  // "whole passage" puts the choice back (after a form was sent, htmx swaps in a fresh block anyway)
  document.addEventListener("click", function (e) {
    var button = e.target.closest && e.target.closest(".span-reset");
    if (button) { reset(button.closest(".code-passage")); }
  });
})();
