/* MigraHub network view: a compact force-directed layout drawn in SVG, no library.
   Reads the graph from the container's data-src (same origin), lays it out (repulsion between all nodes, springs
   along links, a pull to the centre, cooling), then draws it. Click or Enter on a node opens its page; a link opens
   the list of its passages. Written for the hub's strict CSP: no inline code, no eval, no style attributes. */
(function () {
  "use strict";
  var box = document.getElementById("network");
  if (!box || !window.fetch) { return; }
  var SVG = "http://www.w3.org/2000/svg";
  var COLORS = { places: "#0b5cad", initiatives: "#1a7f37", organisations: "#8250df" };

  function el(name, attrs, parent) {
    var node = document.createElementNS(SVG, name);
    Object.keys(attrs).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (parent) { parent.appendChild(node); }
    return node;
  }

  function layout(nodes, edges, width, height) {
    var n = nodes.length, i, j, k;
    var seed = 7;
    function rand() { seed = (seed * 16807) % 2147483647; return seed / 2147483647; }
    nodes.forEach(function (d, idx) {
      var a = idx * 2.399963, r = 10 * Math.sqrt(idx + 1);  // phyllotaxis start: stable, spread
      d.x = width / 2 + r * Math.cos(a) + rand(); d.y = height / 2 + r * Math.sin(a) + rand();
      d.vx = 0; d.vy = 0;
    });
    var index = {};
    nodes.forEach(function (d, idx) { index[d.id] = idx; });
    var links = edges.map(function (e) { return [index[e.source], index[e.target], e.weight]; })
      .filter(function (l) { return l[0] !== undefined && l[1] !== undefined; });
    var ideal = Math.max(24, Math.min(110, Math.sqrt(width * height / Math.max(n, 1)) * 0.55));
    var temp = width / 8;
    var iterations = n > 250 ? 160 : 300;
    for (k = 0; k < iterations; k++) {
      for (i = 0; i < n; i++) { nodes[i].fx = 0; nodes[i].fy = 0; }
      for (i = 0; i < n; i++) {          // repulsion (Fruchterman–Reingold)
        for (j = i + 1; j < n; j++) {
          var dx = nodes[i].x - nodes[j].x, dy = nodes[i].y - nodes[j].y;
          var d2 = dx * dx + dy * dy + 0.01, f = ideal * ideal / d2;
          nodes[i].fx += dx * f; nodes[i].fy += dy * f; nodes[j].fx -= dx * f; nodes[j].fy -= dy * f;
        }
      }
      links.forEach(function (l) {       // springs
        var a = nodes[l[0]], b = nodes[l[1]];
        var dx = a.x - b.x, dy = a.y - b.y, d = Math.sqrt(dx * dx + dy * dy) + 0.01;
        var f = d / ideal * Math.min(3, 1 + Math.log(l[2]));
        a.fx -= dx * f; a.fy -= dy * f; b.fx += dx * f; b.fy += dy * f;
      });
      for (i = 0; i < n; i++) {          // gravity, then move limited by the temperature
        var p = nodes[i];
        p.fx += (width / 2 - p.x) * 0.12 * ideal / 40; p.fy += (height / 2 - p.y) * 0.12 * ideal / 40;
        var len = Math.sqrt(p.fx * p.fx + p.fy * p.fy) + 0.01, step = Math.min(len, temp);
        p.x = Math.max(12, Math.min(width - 12, p.x + p.fx / len * step));
        p.y = Math.max(12, Math.min(height - 12, p.y + p.fy / len * step));
      }
      temp *= 0.97;
    }
  }

  function draw(data) {
    var width = Math.max(box.clientWidth, 320), height = Math.max(420, Math.min(720, width * 0.7));
    var nodes = data.nodes, edges = data.edges;
    box.textContent = "";
    if (!nodes.length) {
      var empty = document.createElement("p");
      empty.textContent = "No links to draw under this filter.";
      box.appendChild(empty);
      return;
    }
    layout(nodes, edges, width, height);
    var byId = {};
    nodes.forEach(function (d) { byId[d.id] = d; });
    var svg = el("svg", { viewBox: "0 0 " + width + " " + height, width: "100%", role: "group",
      "aria-label": "Network drawing: " + nodes.length + " records, " + edges.length + " links" }, box);
    var edgeUrl = box.getAttribute("data-edge-url"), entityUrl = box.getAttribute("data-entity-url");
    // labels lie under every circle, so that a label running over another node never takes its click
    var gEdges = el("g", { "class": "edges" }, svg), gLabels = el("g", { "class": "labels" }, svg),
      gNodes = el("g", { "class": "nodes" }, svg);
    var maxW = edges.reduce(function (m, e) { return Math.max(m, e.weight); }, 1);
    edges.forEach(function (e) {
      var a = byId[e.source], b = byId[e.target];
      if (!a || !b) { return; }
      var link = el("a", { href: edgeUrl.replace(/0-0$/, e.source + "-" + e.target) }, gEdges);
      var line = el("line", { x1: a.x, y1: a.y, x2: b.x, y2: b.y, stroke: "#8c959f", "stroke-opacity": "0.7",
        "stroke-width": 1 + 5 * Math.log(1 + e.weight) / Math.log(1 + maxW) }, link);
      el("title", {}, line).textContent = a.label + " – " + b.label + ": " + e.weight + " passage" +
        (e.weight === 1 ? "" : "s") + " (" + e.relations.join(", ") + ")";
    });
    var maxD = nodes.reduce(function (m, d) { return Math.max(m, d.weighted_degree); }, 1);
    nodes.forEach(function (d) {
      var link = el("a", { href: entityUrl.replace(/0$/, d.id), "class": "node node-" + d.category }, gNodes);
      var r = 4 + 10 * Math.sqrt(d.weighted_degree / maxD);
      el("circle", { cx: d.x, cy: d.y, r: r, fill: COLORS[d.category] || "#57606a", stroke: "#fff",
        "stroke-width": 1.5 }, link);
      el("title", {}, link).textContent = d.label + " (" + d.category + ")";
      if (r > 8 || nodes.length <= 40) {
        var labelLink = el("a", { href: entityUrl.replace(/0$/, d.id), "class": "label", tabindex: "-1",
          "aria-hidden": "true" }, gLabels);  // the node itself is the keyboard's stop
        var label = el("text", { x: d.x + r + 2, y: d.y + 4, "font-size": 11, fill: "#1b1f24" }, labelLink);
        label.textContent = d.label.length > 30 ? d.label.slice(0, 29) + "…" : d.label;
      }
    });
    box.setAttribute("data-ready", "true");
  }

  fetch(box.getAttribute("data-src"), { credentials: "same-origin", headers: { Accept: "application/json" } })
    .then(function (r) { if (!r.ok) { throw new Error("HTTP " + r.status); } return r.json(); })
    .then(draw)
    .catch(function (err) {
      var p = document.createElement("p");
      p.className = "error-text";
      p.textContent = "The network could not be drawn (" + err.message + "); the table below lists the links.";
      box.appendChild(p);
    });
})();
