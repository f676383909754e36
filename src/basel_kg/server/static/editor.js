// The query editor: YASGUI (from npm, served from node_modules), pointed at this server's
// endpoint, prefilled with our prefixes, the published queries one click away.
(function () {
  "use strict";
  const config = JSON.parse(document.getElementById("editor-config").textContent);
  const endpoint = new URL(config.endpoint, window.location.href).href;
  // Longest namespace first, so bkg: (…/ontology#) wins over basel: (…/) for ontology terms.
  const prefixes = Object.fromEntries(Object.entries(config.prefixes).sort((a, b) => b[1].length - a[1].length));
  const yasgui = new Yasgui(document.getElementById("yasgui"), {
    requestConfig: { endpoint: endpoint, method: "POST" },
    copyEndpointOnNewTab: true,
    persistenceId: null, // start clean: no tabs restored from earlier visits
    populateFromUrl: false,
    yasqe: {
      value: config.defaultQuery,
      autocompleters: ["prefixes", "variables"], // the others ask remote services
      prefixCcApi: null,
    },
    yasr: { prefixes: prefixes },
  });
  window.basel_kg_yasgui = yasgui;

  // Result tables: links to this server's pages instead of w3id.org, and plain dates and numbers.
  const READABLE = /\^\^xsd:(date|dateTime|gYear|gYearMonth|integer|decimal|double|boolean)$/;
  function tidy(yasr) {
    yasr.resultsEl.querySelectorAll("a.iri").forEach((a) => {
      const iri = a.getAttribute("href");
      if (iri && iri.startsWith(config.base)) {
        a.setAttribute("href", "/" + iri.slice(config.base.length));
        a.title = iri;
        a.removeAttribute("target"); // this server's pages open in place, like every other link of the site
        a.removeAttribute("rel");
      }
    });
    yasr.resultsEl.querySelectorAll("span.nonIri").forEach((span) => {
      const sup = span.querySelector("sup");
      if (!sup || !READABLE.test(sup.textContent)) return;
      span.title = sup.textContent.slice(2);
      span.textContent = span.textContent.slice(0, -sup.textContent.length).replace(/^"|"$/g, "");
    });
  }
  function watch(tab) {
    const yasr = tab.getYasr && tab.getYasr();
    if (!yasr || yasr._basel_kg_watched) return;
    yasr._basel_kg_watched = true;
    yasr.on("drawn", () => tidy(yasr));
    const table = yasr.resultsEl;
    new MutationObserver(() => tidy(yasr)).observe(table, { childList: true, subtree: true });
  }
  yasgui.on("tabSelect", (_, id) => setTimeout(() => watch(yasgui.getTab(id)), 0));
  yasgui.on("tabAdd", (_, id) => setTimeout(() => watch(yasgui.getTab(id)), 0));
  yasgui.on("queryResponse", (_, tab) => watch(tab));
  watch(yasgui.getTab());

  // YASGUI leaves some controls without names and puts its "add tab" button inside the tab
  // list: name them and give the button the role of a tab, so screen readers can use the editor.
  const NAMES = [["textarea", "SPARQL query"], ["input.autocomplete", "SPARQL endpoint"],
    [".tab input[type=text]", "Tab name"], ["select.tableSizer", "Rows per page"], ["select", "Download format"],
    ["input[type=search]", "Filter the results"]];
  function accessible() {
    const root = document.getElementById("yasgui");
    for (const [selector, name] of NAMES) {
      root.querySelectorAll(selector).forEach((el) => { if (!el.getAttribute("aria-label") && !el.labels?.length) el.setAttribute("aria-label", name); });
    }
    root.querySelectorAll(".tabsList button.addTab:not([role])").forEach((button) => {
      button.setAttribute("role", "tab"); // a tab list may hold only tabs
      button.setAttribute("aria-selected", "false");
    });
  }
  accessible();
  new MutationObserver(accessible).observe(document.getElementById("yasgui"), { childList: true, subtree: true });

  function open(title, query) {
    const tab = yasgui.addTab(true, { name: title.slice(0, 40) });
    tab.setQuery(query);
    tab.setEndpoint(endpoint);
    return tab;
  }

  const byName = Object.fromEntries(config.examples.map((q) => [q.name, q]));
  document.querySelectorAll("button.example").forEach((button) => {
    button.addEventListener("click", () => {
      const q = byName[button.dataset.name];
      open(q.title, q.query);
    });
  });

  // /sparql#query=... (links from the published-query pages) opens that query.
  const fromHash = new URLSearchParams(window.location.hash.slice(1)).get("query");
  if (fromHash) {
    open("Query", fromHash);
  }
})();
