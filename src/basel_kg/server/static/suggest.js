// Suggestions under the search box of every page: names from /search/suggest while typing;
// arrow keys move, Enter opens the highlighted entity (or searches), Escape closes.
(function () {
  "use strict";
  const input = document.getElementById("site-search");
  const list = document.getElementById("site-search-list");
  if (!input || !list) return;
  let active = -1, timer = null, asked = "";

  function close() { list.hidden = true; input.setAttribute("aria-expanded", "false"); active = -1; }
  function mark(i) {
    const options = list.querySelectorAll("[role=option]");
    options.forEach((o, j) => o.setAttribute("aria-selected", j === i ? "true" : "false"));
    active = i;
    if (options[i]) input.setAttribute("aria-activedescendant", options[i].id); else input.removeAttribute("aria-activedescendant");
  }
  async function ask(q) {
    asked = q;
    const response = await fetch("/search/suggest?" + new URLSearchParams({ q: q }));
    if (!response.ok || asked !== q) return;
    const hits = await response.json();
    list.replaceChildren(...hits.map((hit, i) => {
      const li = document.createElement("li");
      li.id = "suggestion-" + i;
      li.setAttribute("role", "option");
      const a = document.createElement("a");
      a.href = hit.href;
      a.tabIndex = -1;
      a.textContent = hit.label;
      const type = document.createElement("span");
      type.className = "muted";
      type.textContent = " " + hit.type;
      li.append(a, type);
      return li;
    }));
    list.hidden = hits.length === 0;
    input.setAttribute("aria-expanded", hits.length ? "true" : "false");
    mark(-1);
  }
  input.addEventListener("input", () => {
    clearTimeout(timer);
    const q = input.value.trim();
    if (!q) { close(); return; }
    timer = setTimeout(() => ask(q), 120);
  });
  input.addEventListener("keydown", (event) => {
    const options = list.querySelectorAll("[role=option]");
    if (list.hidden || !options.length) return;
    if (event.key === "ArrowDown") { mark((active + 1) % options.length); event.preventDefault(); }
    else if (event.key === "ArrowUp") { mark((active - 1 + options.length) % options.length); event.preventDefault(); }
    else if (event.key === "Escape") { close(); }
    else if (event.key === "Enter" && active >= 0) { window.location.href = options[active].querySelector("a").href; event.preventDefault(); }
  });
  input.addEventListener("blur", () => setTimeout(close, 200));
})();
