// Result views of the query editor beyond the table, registered as YASR plugins before the
// editor starts: a network (two columns of entities), a timeline (a column of dates) and a
// bar chart (a column of counts), drawn with cytoscape, vis-timeline and Chart.js from npm.
(function () {
  "use strict";
  const config = JSON.parse(document.getElementById("editor-config").textContent);
  const DATE = /^\d{4}(-\d{2}(-\d{2})?)?([T ].*)?$/;
  const DATE_TYPES = /#(date|dateTime|gYear|gYearMonth)$/;
  const NUMBER_TYPES = /#(integer|decimal|double|float|int|long|nonNegativeInteger)$/;

  function local(iri) { return iri.startsWith(config.base) ? "/" + iri.slice(config.base.length) : iri; }
  function shortName(iri) {
    for (const [p, ns] of Object.entries(config.prefixes).sort((a, b) => b[1].length - a[1].length)) {
      if (iri.startsWith(ns)) return p + ":" + iri.slice(ns.length);
    }
    return iri;
  }
  function columns(yasr) {
    const vars = yasr.results.getVariables(), rows = yasr.results.getBindings();
    const kind = (v) => {
      const cells = rows.map((r) => r[v]).filter(Boolean);
      if (!cells.length) return "empty";
      if (cells.every((c) => c.type === "uri")) return "iri";
      if (cells.every((c) => c.type !== "uri" && (DATE_TYPES.test(c.datatype || "") || DATE.test(c.value)))) return "date";
      if (cells.every((c) => NUMBER_TYPES.test(c.datatype || "") || (c.type !== "uri" && /^-?\d+(\.\d+)?$/.test(c.value)))) return "number";
      return "text";
    };
    return { vars, rows, kinds: Object.fromEntries(vars.map((v) => [v, kind(v)])) };
  }
  function labelOf(row, v, vars) {
    const named = vars.find((x) => x.toLowerCase() === (v + "label").toLowerCase());
    return named && row[named] ? row[named].value : shortName(row[v].value);
  }
  function host(yasr) {
    const div = document.createElement("div");
    div.className = "result-view";
    yasr.resultsEl.appendChild(div);
    return div;
  }
  function icon(text) { const s = document.createElement("span"); s.textContent = text; return s; }
  function hasRows(yasr) { return !!yasr.results && !!yasr.results.getVariables && yasr.results.getBindings && yasr.results.getBindings().length > 0; }

  class NetworkView {
    constructor(yasr) { this.yasr = yasr; this.priority = 3; this.label = "Network"; }
    canHandleResults() {
      if (!hasRows(this.yasr) || typeof cytoscape === "undefined") return false;
      const c = columns(this.yasr);
      return c.vars.filter((v) => c.kinds[v] === "iri").length >= 2;
    }
    getIcon() { return icon("⋈"); }
    draw() {
      const c = columns(this.yasr);
      const [a, b] = c.vars.filter((v) => c.kinds[v] === "iri");
      const weight = c.vars.find((v) => c.kinds[v] === "number");
      const nodes = new Map(), edges = [];
      c.rows.forEach((row, i) => {
        if (!row[a] || !row[b]) return;
        for (const v of [a, b]) nodes.set(row[v].value, { data: { id: row[v].value, label: labelOf(row, v, c.vars), href: local(row[v].value) } });
        edges.push({ data: { id: "e" + i, source: row[a].value, target: row[b].value, weight: weight && row[weight] ? Number(row[weight].value) : 1 } });
      });
      const div = host(this.yasr);
      div.style.height = "520px";
      const cy = cytoscape({ container: div, elements: [...nodes.values(), ...edges], layout: { name: "cose", animate: false },
        style: [{ selector: "node", style: { label: "data(label)", "font-size": 10, "background-color": "#0b5f8a", width: 14, height: 14 } },
          { selector: "edge", style: { width: (e) => Math.min(8, e.data("weight")), "line-color": "#b8c3cf" } }] });
      cy.on("tap", "node", (e) => { window.location.href = e.target.data("href"); });
      window.basel_kg_result_network = cy;
    }
  }

  class TimelineView {
    constructor(yasr) { this.yasr = yasr; this.priority = 2; this.label = "Timeline"; }
    canHandleResults() {
      if (!hasRows(this.yasr) || typeof vis === "undefined") return false;
      const c = columns(this.yasr);
      return c.vars.some((v) => c.kinds[v] === "date");
    }
    getIcon() { return icon("⧖"); }
    draw() {
      const c = columns(this.yasr);
      const [start, end] = c.vars.filter((v) => c.kinds[v] === "date");
      const entity = c.vars.find((v) => c.kinds[v] === "iri");
      const text = c.vars.find((v) => c.kinds[v] === "text");
      const items = c.rows.filter((r) => r[start]).map((r, i) => {
        const day = (v) => { const p = r[v].value.slice(0, 10).split("-"); return [p[0], p[1] || "01", p[2] || "01"].join("-"); };
        const label = text && r[text] ? r[text].value : entity && r[entity] ? labelOf(r, entity, c.vars) : r[start].value;
        const item = { id: i, start: day(start), content: label.replace(/[&<>]/g, (ch) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;" })[ch]),
          href: entity && r[entity] ? local(r[entity].value) : null };
        if (end && r[end] && day(end) > item.start) { item.end = day(end); } else { item.type = "box"; }
        return item;
      });
      const div = host(this.yasr);
      const timeline = new vis.Timeline(div, new vis.DataSet(items), { maxHeight: 520, stack: true });
      timeline.on("click", (p) => { const it = items[p.item]; if (it && it.href) window.location.href = it.href; });
    }
  }

  class ChartView {
    constructor(yasr) { this.yasr = yasr; this.priority = 1; this.label = "Chart"; }
    canHandleResults() {
      if (!hasRows(this.yasr) || typeof Chart === "undefined") return false;
      const c = columns(this.yasr);
      return c.vars.some((v) => c.kinds[v] === "number") && c.vars.some((v) => c.kinds[v] !== "number");
    }
    getIcon() { return icon("▤"); }
    draw() {
      const c = columns(this.yasr);
      const value = c.vars.find((v) => c.kinds[v] === "number");
      const label = c.vars.find((v) => c.kinds[v] === "text") || c.vars.find((v) => c.kinds[v] !== "number");
      const rows = c.rows.filter((r) => r[value]).slice(0, 60);
      const div = host(this.yasr);
      const canvas = document.createElement("canvas");
      canvas.setAttribute("role", "img");
      canvas.setAttribute("aria-label", "Bar chart of " + value + " by " + label);
      div.appendChild(canvas);
      div.style.height = Math.max(240, rows.length * 22 + 60) + "px";
      new Chart(canvas, { type: "bar", data: { labels: rows.map((r) => (r[label] ? (c.kinds[label] === "iri" ? labelOf(r, label, c.vars) : r[label].value) : "")),
        datasets: [{ label: value, data: rows.map((r) => Number(r[value].value)), backgroundColor: "#0b5f8a" }] },
        options: { indexAxis: "y", maintainAspectRatio: false, animation: false } });
    }
  }

  Yasgui.Yasr.registerPlugin("network", NetworkView);
  Yasgui.Yasr.registerPlugin("timeline", TimelineView);
  Yasgui.Yasr.registerPlugin("chart", ChartView);
})();
