"""A headless Chromium (Debian's, driven by Playwright) uses the site as a person would:
search, browse, the network, the timeline, the query editor and entity pages.

Every page visited is checked at 1,280 px: no horizontal overflow, no console error, no
request to another site, and no serious or critical accessibility violation (axe-core from
npm). A screenshot of each is written to ``$BASEL_KG_SCREENSHOTS`` (default: a temporary
folder of the test session)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from basel_kg.namespaces import BASE
from basel_kg.server import Settings, create_app
from basel_kg.server.background import BackgroundServer
from basel_kg.project import checkout
from basel_kg.sources import load_sources
from basel_kg.store import EmbeddedStore
from support.explore import reasoned_server

playwright = pytest.importorskip("playwright.sync_api")
pytestmark = pytest.mark.slow

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
WIDTH = 1280
AXE = checkout() / "node_modules" / "axe-core" / "axe.min.js"


@pytest.fixture(scope="module")
def server():
    with reasoned_server() as running:
        yield running


@pytest.fixture(scope="session")
def screenshots(tmp_path_factory) -> Path:
    folder = Path(os.environ.get("BASEL_KG_SCREENSHOTS") or tmp_path_factory.mktemp("screenshots"))
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture(scope="module")
def browser():
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield browser
        browser.close()


@pytest.fixture()
def page(browser, server):
    context = browser.new_context(base_url=server.url, viewport={"width": WIDTH, "height": 900})
    outside: list[str] = []
    context.route("**/*", lambda route: route.continue_() if route.request.url.startswith(server.url)
                  else (outside.append(route.request.url), route.abort()))
    page = context.new_page()
    page.set_default_timeout(10000)
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda message: errors.append(f"console {message.text}") if message.type == "error" else None)
    yield page
    context.close()
    assert not errors, errors
    assert not outside, f"the page tried to reach other sites: {outside}"


def check(page, name: str, folder: Path) -> None:
    """The checks every page passes, and its screenshot."""
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= WIDTH, f"{name}: the page is {width} px wide in a {WIDTH} px window"
    page.add_script_tag(path=str(AXE))
    violations = page.evaluate("""async () => {
        const result = await axe.run(document, { resultTypes: ["violations"] });
        return result.violations.filter((v) => v.impact === "serious" || v.impact === "critical")
            .map((v) => v.id + ": " + v.help + " — " + v.nodes.slice(0, 3).map((n) => n.target.join(" ")).join(", "));
    }""")
    assert not violations, f"{name}: {violations}"
    page.screenshot(path=str(folder / f"{name}.png"), full_page=True, timeout=30000)


def test_search_from_the_home_page_to_an_entity(page, screenshots):
    page.goto("/")
    assert "Basel Convention knowledge graph" in page.locator("h1").inner_text()
    check(page, "home", screenshots)
    box = page.locator("#site-search")
    box.press_sequentially("Partnership for Action")
    option = page.get_by_role("option").filter(has_text="Partnership for Action on Computing Equipment").first
    option.wait_for()
    box.press("ArrowDown")
    box.press("Enter")
    page.wait_for_url("**/partnership/pace")
    assert page.locator("h1").inner_text() == "Partnership for Action on Computing Equipment"

    page.goto("/")
    page.locator("#home-search").fill("巴塞尔")
    page.locator("#home-search").press("Enter")
    page.wait_for_url("**/search?q=*")
    assert "results for “巴塞尔”" in page.locator("#search-summary").inner_text()
    check(page, "search-zh", screenshots)
    first = page.locator("ol.hits > li > a").first
    label = first.inner_text()
    first.click()
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == label


def test_browse_a_class_with_facets_and_sorting(page, screenshots):
    page.goto("/")
    page.locator("#key-classes").get_by_role("link", name="Meetings").click()
    page.wait_for_url("**/class/Meeting")
    total = page.locator("table.instances tbody tr").count()
    assert total > 20
    page.get_by_role("link", name="date (newest first)").click()
    dates = [d for d in page.locator("table.instances tbody td:nth-child(3)").all_inner_texts() if d]
    assert dates == sorted(dates, reverse=True)
    page.locator("aside.facets h2", has_text="body").locator("xpath=following-sibling::ul[1]//a").first.click()
    page.wait_for_load_state()
    assert 0 < page.locator("table.instances tbody tr").count() < total
    check(page, "class-meetings", screenshots)
    page.locator("table.instances tbody a").first.click()
    page.wait_for_load_state()
    assert page.locator("dl.keyfacts").is_visible()

    page.goto("/")
    page.get_by_role("link", name="dataset description").first.click()
    page.wait_for_url("**/.well-known/void")
    assert page.locator("h1").inner_text() == "Dataset description"
    check(page, "void", screenshots)


def test_the_network_and_following_a_node(page, screenshots):
    page.goto("/network")
    page.wait_for_selector("#network[data-ready=true]")
    check(page, "network", screenshots)
    node_id = BASE + "org/unep-chemicals"
    box = page.locator("#network").bounding_box()
    position = page.evaluate("(id) => window.basel_kg_graph('network').getElementById(id).renderedPosition()", node_id)
    page.mouse.click(box["x"] + position["x"], box["y"] + position["y"])
    page.wait_for_url("**/org/unep-chemicals")
    assert "Chemicals" in page.locator("h1").inner_text()
    page.wait_for_selector("#neighbourhood[data-ready=true]")
    assert page.evaluate("() => window.basel_kg_graph('neighbourhood').nodes().length") > 1
    check(page, "organisation", screenshots)

    page.goto("/network")
    page.wait_for_selector("#network[data-ready=true]")
    before = page.evaluate("() => window.basel_kg_graph('network').nodes().length")
    page.locator("select[name=topic]").select_option(index=1)
    page.wait_for_function("(n) => window.basel_kg_graph('network').nodes().length < n", arg=before)


def test_the_timeline_and_following_an_item(page, screenshots):
    page.goto("/timeline")
    page.wait_for_selector("#timeline[data-ready=true] .vis-item")
    check(page, "timeline", screenshots)
    page.locator("select[name=body]").select_option(BASE + "body/basel-cop")
    page.wait_for_function("() => document.getElementById('timeline-summary').textContent.startsWith('8 ')")
    page.locator(".vis-item a", has_text="Decision IX/9").first.click()
    page.wait_for_url("**/decision/basel-cop-IX-9")
    page.wait_for_selector("#neighbourhood[data-ready=true]")
    check(page, "decision", screenshots)

    page.goto("/meeting/basel-cop-9")
    page.wait_for_selector("#entity-timeline[data-ready=true] .vis-item")
    assert page.locator("#entity-timeline .vis-item.center").count() == 1
    check(page, "meeting", screenshots)


def test_editor_results_have_short_names_local_links_and_other_views(page, screenshots):
    page.goto("/sparql")
    page.locator(".yasqe .CodeMirror").wait_for()
    query = ("PREFIX bkg: <https://w3id.org/basel-kg/ontology#>\nPREFIX schema: <https://schema.org/>\n"
             "SELECT ?meeting ?body ?start WHERE { ?meeting a bkg:Meeting ; bkg:meetingOf ?body ; schema:startDate ?start }"
             " ORDER BY ?start LIMIT 30")
    page.evaluate("(q) => { window.basel_kg_yasgui.getTab().setQuery(q); }", query)
    page.locator(".tabPanel.active .yasqe_queryButton").click()
    link = page.locator(".tabPanel.active .yasr table.dataTable tbody a.iri").first
    link.wait_for(timeout=15000)
    assert link.inner_text().startswith("basel:")
    assert link.get_attribute("href").startswith("/")
    cells = page.locator(".tabPanel.active .yasr table.dataTable tbody td").all_inner_texts()
    assert not any("^^" in c for c in cells), "dates show their datatype IRI"
    check(page, "editor", screenshots)
    page.locator(".tabPanel.active .yasr .select_network").click()
    page.wait_for_function("() => window.basel_kg_result_network && window.basel_kg_result_network.nodes().length > 2")
    page.locator(".tabPanel.active .yasr .select_timeline").click()
    page.locator(".tabPanel.active .yasr .vis-item").first.wait_for()
    page.locator(".tabPanel.active .yasr .select_table").click()
    page.locator(".tabPanel.active .yasr table.dataTable tbody a.iri").first.click()
    page.wait_for_url("**/meeting/**")

    page.goto("/sparql")
    page.locator(".yasqe .CodeMirror").wait_for()
    counts = ("PREFIX bkg: <https://w3id.org/basel-kg/ontology#>\n"
              "SELECT ?body (COUNT(?m) AS ?meetings) WHERE { ?m a bkg:Meeting ; bkg:meetingOf ?body } GROUP BY ?body")
    page.evaluate("(q) => { window.basel_kg_yasgui.getTab().setQuery(q); }", counts)
    page.locator(".tabPanel.active .yasqe_queryButton").click()
    page.locator(".tabPanel.active .yasr table.dataTable tbody tr").first.wait_for(timeout=15000)
    page.locator(".tabPanel.active .yasr .select_chart").click()
    page.locator(".tabPanel.active .yasr .result-view canvas").wait_for()


def test_published_example_opens_in_the_editor_and_runs(page):
    page.goto("/sparql")
    page.locator(".yasqe .CodeMirror").wait_for()
    page.locator('button.example[data-name="decisions"]').click()
    assert "bkg:Decision" in page.evaluate("() => window.basel_kg_yasgui.getTab().getQuery()")
    page.locator(".tabPanel.active .yasqe_queryButton").click()
    page.locator(".tabPanel.active .yasr table.dataTable tbody tr").first.wait_for(timeout=15000)
    assert page.locator(".tabPanel.active .yasr table.dataTable tbody tr").count() > 1


def test_an_ontology_term_iri_lands_on_its_section_of_the_documentation(browser, mini_release, screenshots):
    """/ontology#Convention scrolls to the term, whatever id the generated docs gave it; the
    page has the site's navigation."""
    _, release = mini_release
    with EmbeddedStore() as store:
        store.load_dataset(load_sources())
        with BackgroundServer(create_app(Settings(store=store, dumps_dir=release.directory))) as running:
            page = browser.new_page(viewport={"width": WIDTH, "height": 900})
            try:
                page.goto(running.url + "ontology#Convention")
                page.wait_for_load_state("load")
                code = page.locator("code", has_text="https://w3id.org/basel-kg/ontology#Convention").first
                page.wait_for_function("() => window.scrollY > 0")
                assert code.is_visible() and code.bounding_box()["y"] < page.viewport_size["height"]
                assert page.locator("nav.basel-kg-site a", has_text="basel-kg").get_attribute("href") == "/"
                page.evaluate("() => window.scrollTo(0, 0)")
                page.screenshot(path=str(screenshots / "ontology.png"))
            finally:
                page.close()


def test_api_docs_render_without_any_outside_request(page):
    """/docs: Swagger UI comes from our npm copy, not a CDN (the fixture fails on any
    request to another site), and it renders the server's OpenAPI description."""
    page.goto("/docs")
    page.locator(".swagger-ui .info .title").wait_for()
    assert "Basel Convention" in page.locator(".swagger-ui .info .title").inner_text()
    page.locator(".opblock-summary-path", has_text="/sparql").first.wait_for()
