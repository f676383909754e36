// Networks drawn with cytoscape (from npm, served from node_modules): the cooperation network
// (/network, with filters) and the neighbourhood of one entity (on its page). Every element
// <div class="graph" data-source="URL"> gets the nodes and edges of that JSON; a click on a
// node opens its page. A list under the drawing gives the same links to keyboards and readers.
(function () {
  "use strict";
  const COLOURS = { decision: "#b5462e", meeting: "#2f7d32", organisation: "#0b5f8a", partnership: "#7b3fa0",
    agreement: "#a0701a", document: "#5f6b7a", activity: "#c2185b", place: "#00796b", topic: "#455a64", other: "#8d99a6" };

  function draw(container, data) {
    const elements = data.nodes.concat(data.edges);
    const maxWeight = Math.max(1, ...data.nodes.map((n) => n.data.weight || 1));
    const big = data.nodes.length > 40;
    const cy = cytoscape({
      container: container,
      elements: elements,
      style: [
        { selector: "node", style: {
          "label": big ? "" : "data(label)", "font-size": big ? 11 : 13, "text-background-color": "#fff",
          "text-background-opacity": 0.8, "text-background-padding": 1, "text-wrap": "ellipsis", "text-max-width": 140,
          "background-color": (n) => COLOURS[n.data("group")] || COLOURS.other, "color": "#1d2430",
          "width": (n) => 14 + 26 * Math.sqrt((n.data("weight") || 1) / maxWeight),
          "height": (n) => 14 + 26 * Math.sqrt((n.data("weight") || 1) / maxWeight) } },
        // A big network names its busiest nodes; the others on hover (and all in the list below).
        { selector: "node.named, node:active, node.hover", style: { "label": "data(label)", "z-index": 10 } },
        { selector: "node[?center]", style: { "border-width": 4, "border-color": "#1d2430", "font-weight": "bold" } },
        { selector: "edge", style: { "width": (e) => Math.min(8, 1 + (e.data("weight") || 1)), "line-color": "#b8c3cf",
          "curve-style": "bezier", "opacity": 0.8 } },
        { selector: "edge[label]", style: { "label": container.dataset.edgeLabels ? "data(label)" : "", "font-size": 8,
          "color": "#5f6b7a", "text-rotation": "autorotate" } },
        { selector: "node:selected", style: { "border-width": 3, "border-color": "#f0b400" } },
      ],
      maxZoom: 2.5,
      layout: data.nodes.length > 25
        ? { name: "cose", animate: false, randomize: true, nodeDimensionsIncludeLabels: true, nodeRepulsion: () => 60000,
            idealEdgeLength: () => 60, gravity: 0.6, padding: 20 }
        // A neighbourhood: the entity in the middle, its neighbours around it, close enough to read.
        : { name: "concentric", animate: false, concentric: (n) => (n.data("center") ? 2 : 1), levelWidth: () => 1,
            minNodeSpacing: 55, padding: 30, nodeDimensionsIncludeLabels: false },
    });
    cy.on("tap", "node", (event) => { window.location.href = event.target.data("href"); });
    cy.on("mouseover", "node", (event) => { container.style.cursor = "pointer"; event.target.addClass("hover"); });
    cy.on("mouseout", "node", (event) => { container.style.cursor = ""; event.target.removeClass("hover"); });
    if (big) {
      const weights = cy.nodes().map((n) => n.data("weight") || 0).sort((a, b) => b - a);
      const threshold = weights[Math.min(weights.length - 1, 14)];
      cy.nodes().filter((n) => (n.data("weight") || 0) >= threshold).addClass("named");
    }
    return cy;
  }

  function list(target, data) {
    if (!target) return;
    const labels = Object.fromEntries(data.nodes.map((n) => [n.data.id, n.data]));
    target.replaceChildren(...data.nodes.map((n) => {
      const li = document.createElement("li");
      const a = document.createElement("a");
      a.href = n.data.href;
      a.textContent = n.data.label;
      const partners = data.edges.filter((e) => e.data.source === n.data.id || e.data.target === n.data.id)
        .map((e) => labels[e.data.source === n.data.id ? e.data.target : e.data.source].label);
      li.append(a, document.createTextNode(" (" + n.data.type + ") — " + partners.join(", ")));
      return li;
    }));
  }

  function fillSelect(select, options, formatter) {
    const keep = select.value;
    while (select.options.length > 1) select.remove(1);
    options.forEach((o) => select.add(new Option(formatter(o), o.value === undefined ? o : o.value)));
    select.value = keep;
  }

  async function load(container, form) {
    const params = form ? new URLSearchParams(new FormData(form)) : new URLSearchParams();
    [...params.keys()].forEach((k) => { if (!params.get(k)) params.delete(k); });
    const url = container.dataset.source + (params.toString() ? (container.dataset.source.includes("?") ? "&" : "?") + params : "");
    const response = await fetch(url);
    const data = await response.json();
    if (form && data.filters) {
      fillSelect(form.elements.topic, data.filters.topic, (o) => o.label + " (" + o.count + ")");
      fillSelect(form.elements.convention, data.filters.convention, (o) => o.label + " (" + o.count + ")");
      fillSelect(form.elements.from, data.filters.years, (y) => y);
      fillSelect(form.elements.to, data.filters.years, (y) => y);
      document.getElementById("network-summary").textContent =
        data.nodes.length + " agents, " + data.edges.length + " links";
    }
    if (container._cy) container._cy.destroy();
    container._cy = draw(container, data);
    container.dataset.ready = "true";
    list(document.getElementById(container.id + "-list"), data);
    return container._cy;
  }

  document.querySelectorAll(".graph[data-source]").forEach((container) => {
    const form = document.getElementById(container.id + "-filters");
    if (form) form.addEventListener("change", () => load(container, form));
    load(container, form);
  });
  window.basel_kg_graph = (id) => document.getElementById(id)._cy;
})();
