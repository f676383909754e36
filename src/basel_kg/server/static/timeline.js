// Timelines drawn with vis-timeline (from npm, served from node_modules): all meetings,
// decisions and partnerships (/timeline, with filters) or those linked to one entity (on its
// page). Each item is a link to its page; the list under the drawing repeats them in order.
(function () {
  "use strict";
  function escape(text) {
    return String(text).replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);
  }

  function fillSelect(select, options) {
    const keep = select.value;
    while (select.options.length > 1) select.remove(1);
    options.forEach((o) => select.add(new Option(o.label + " (" + o.count + ")", o.value)));
    select.value = keep;
  }

  function draw(container, data) {
    const items = new vis.DataSet(data.items.map((i) => ({
      id: i.id, start: i.start, end: i.end || undefined, type: i.end ? "range" : "box",
      className: "kind-" + i.kind + (i.id === container.dataset.center ? " center" : ""),
      title: escape(i.content + " · " + i.kind + " · " + i.start + (i.end ? " – " + i.end : "") + (i.bodyLabel ? " · " + i.bodyLabel : "")),
      content: '<a href="' + escape(i.href) + '">' + escape(i.content.length > 44 ? i.content.slice(0, 42).replace(/\s+\S*$/, "") + " …" : i.content) + "</a>",
    })));
    // Open on the years most items fall in (a few early foundings would squeeze everything else).
    const starts = data.items.map((i) => i.start).sort();
    const cut = starts.length >= 20 ? 0.2 : 0;
    const first = starts[Math.floor(starts.length * cut)], last = starts[Math.ceil(starts.length * (1 - cut)) - 1];
    const pad = 1000 * 60 * 60 * 24 * 120;
    const timeline = new vis.Timeline(container, items, { stack: true, maxHeight: 560, zoomMin: 1000 * 60 * 60 * 24 * 7,
      orientation: "top", margin: { item: 4 },
      start: new Date(new Date(first).getTime() - pad), end: new Date(new Date(last).getTime() + pad) });
    const byId = Object.fromEntries(data.items.map((i) => [i.id, i]));
    timeline.on("click", (props) => { if (props.item && byId[props.item]) window.location.href = byId[props.item].href; });
    return timeline;
  }

  function list(target, data) {
    if (!target) return;
    target.replaceChildren(...data.items.map((i) => {
      const li = document.createElement("li");
      const a = document.createElement("a");
      a.href = i.href;
      a.textContent = i.content;
      li.append(document.createTextNode(i.start + (i.end ? " – " + i.end : "") + " · " + i.kind + ": "), a);
      return li;
    }));
  }

  async function load(container, form) {
    const params = form ? new URLSearchParams(new FormData(form)) : new URLSearchParams();
    [...params.keys()].forEach((k) => { if (!params.getAll(k).some(Boolean)) params.delete(k); });
    if (form && !params.has("kind")) params.append("kind", "none");
    const source = container.dataset.source;
    const response = await fetch(source + (params.toString() ? (source.includes("?") ? "&" : "?") + params : ""));
    const data = await response.json();
    if (form) {
      fillSelect(form.elements.body, data.filters.body);
      fillSelect(form.elements.convention, data.filters.convention);
      document.getElementById("timeline-summary").textContent = data.items.length + " items";
    }
    if (container._timeline) container._timeline.destroy();
    container.replaceChildren();
    if (data.items.length) container._timeline = draw(container, data);
    container.dataset.ready = "true";
    list(document.getElementById(container.id + "-list"), data);
  }

  document.querySelectorAll(".timeline[data-source]").forEach((container) => {
    const form = document.getElementById(container.id + "-filters");
    if (form) form.addEventListener("change", () => load(container, form));
    load(container, form);
  });
})();
