// Small enhancements of every page (the pages work without them): a collapsible navigation and a "Filters"
// button on small screens, and after htmx swaps the search results, focus kept on the link that was used (or the
// results heading) and the new result count announced in a live region outside the swapped part.
(function () {
  "use strict";
  document.documentElement.classList.add("js");

  function toggler(button, onChange) {
    button.hidden = false;
    button.addEventListener("click", function () {
      var open = button.getAttribute("aria-expanded") !== "true";
      button.setAttribute("aria-expanded", open ? "true" : "false");
      if (onChange) { onChange(open); }
    });
  }

  var filtersOpen = false;

  function setUpFilters(root) {
    var button = root.querySelector(".filters-toggle");
    if (!button) { return; }
    button.setAttribute("aria-expanded", filtersOpen ? "true" : "false");
    toggler(button, function (open) {
      filtersOpen = open;
      if (open) {
        var target = document.getElementById(button.getAttribute("aria-controls"));
        var heading = target && target.querySelector("h2");
        if (heading) { heading.setAttribute("tabindex", "-1"); heading.focus(); }
      }
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll(".nav-toggle, .list-toggle").forEach(function (b) { toggler(b); });
    setUpFilters(document);
  });

  var lastKey = null;
  document.addEventListener("click", function (e) {
    var link = e.target.closest && e.target.closest("#results [data-key], #results a");
    lastKey = link ? (link.getAttribute("data-key") || null) : null;
  }, true);

  document.addEventListener("htmx:afterSettle", function (e) {
    var results = document.getElementById("results");
    if (!results || !(e.target === results || results.contains(e.target) || e.target.contains(results))) { return; }
    setUpFilters(results);
    var live = document.getElementById("results-live");
    var summary = results.querySelector(".summary");
    if (live && summary) { live.textContent = summary.textContent.replace(/\s+/g, " ").trim(); }
    var again = null;
    if (lastKey) {
      results.querySelectorAll("[data-key]").forEach(function (el) {
        if (el.getAttribute("data-key") === lastKey) { again = el; }
      });
    }
    var active = document.activeElement;
    if (active && active !== document.body && document.contains(active) && !again) { return; }  // typing
    (again || document.getElementById("results-title")).focus();
    lastKey = null;
  });
})();
