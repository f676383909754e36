// The query editor: YASGUI (from npm, served from node_modules), pointed at this server's
// endpoint, prefilled with our prefixes, the published queries one click away.
(function () {
  "use strict";
  const config = JSON.parse(document.getElementById("editor-config").textContent);
  const endpoint = new URL(config.endpoint, window.location.href).href;
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
    yasr: { prefixes: {} },
  });
  window.basel_kg_yasgui = yasgui;

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
