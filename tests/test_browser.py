"""A headless Chromium (Debian's, driven by Playwright) uses the site as a person would:
home page -> query editor -> run a query and see results -> open an entity page."""

from __future__ import annotations

import shutil

import pytest

from basel_kg.server import Settings, create_app
from basel_kg.server.background import BackgroundServer
from basel_kg.sources import load_sources
from basel_kg.store import EmbeddedStore

playwright = pytest.importorskip("playwright.sync_api")
pytestmark = pytest.mark.slow

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="module")
def server(shipped_server):
    return shipped_server


@pytest.fixture(scope="module")
def browser():
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield browser
        browser.close()


@pytest.fixture()
def page(browser, server):
    context = browser.new_context(base_url=server.url)
    outside: list[str] = []
    context.route("**/*", lambda route: route.continue_() if route.request.url.startswith(server.url)
                  else (outside.append(route.request.url), route.abort()))
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    yield page
    context.close()
    assert not errors, errors
    assert not outside, f"the page tried to reach other sites: {outside}"


def test_home_editor_query_results_and_entity_page(page):
    page.goto("/")
    assert "Basel Convention knowledge graph" in page.locator("h1").inner_text()
    page.get_by_role("link", name="Query editor").first.click()
    page.wait_for_url("**/sparql")
    editor = page.locator(".yasqe .CodeMirror")
    editor.wait_for()
    assert "PREFIX bkg:" in page.evaluate("() => window.basel_kg_yasgui.getTab().getQuery()")

    query = ('PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n'
             'SELECT ?label WHERE { <https://w3id.org/basel-kg/mea/basel> rdfs:label ?label '
             'FILTER (lang(?label) = "en") }')
    page.evaluate("(q) => { window.basel_kg_yasgui.getTab().setQuery(q); }", query)
    page.locator(".tabPanel.active .yasqe_queryButton").click()
    cell = page.locator(".tabPanel.active .yasr table.dataTable tbody td").filter(has_text="Basel Convention on the Control")
    cell.first.wait_for(timeout=15000)

    page.goto("/mea/basel")
    assert page.locator("h1").inner_text().startswith("Basel Convention on the Control")
    page.get_by_role("link", name="Conference of the Parties to the Basel Convention").first.click()
    page.wait_for_url("**/body/basel-cop")
    assert "Conference of the Parties" in page.locator("h1").inner_text()


def test_published_example_opens_in_the_editor_and_runs(page):
    page.goto("/sparql")
    page.locator(".yasqe .CodeMirror").wait_for()
    page.locator('button.example[data-name="decisions"]').click()
    assert "bkg:Decision" in page.evaluate("() => window.basel_kg_yasgui.getTab().getQuery()")
    page.locator(".tabPanel.active .yasqe_queryButton").click()
    page.locator(".tabPanel.active .yasr table.dataTable tbody tr").first.wait_for(timeout=15000)
    assert page.locator(".tabPanel.active .yasr table.dataTable tbody tr").count() > 1


def test_an_ontology_term_iri_lands_on_its_section_of_the_documentation(browser, mini_release):
    """/ontology#Convention scrolls to the term, whatever id the generated docs gave it."""
    _, release = mini_release
    with EmbeddedStore() as store:
        store.load_dataset(load_sources())
        with BackgroundServer(create_app(Settings(store=store, dumps_dir=release.directory))) as running:
            page = browser.new_page()
            try:
                page.goto(running.url + "ontology#Convention")
                page.wait_for_load_state("load")
                code = page.locator("code", has_text="https://w3id.org/basel-kg/ontology#Convention").first
                page.wait_for_function("() => window.scrollY > 0")
                assert code.is_visible() and code.bounding_box()["y"] < page.viewport_size["height"]
            finally:
                page.close()


def test_api_docs_render_without_any_outside_request(page):
    """/docs: Swagger UI comes from our npm copy, not a CDN (the fixture fails on any
    request to another site), and it renders the server's OpenAPI description."""
    page.goto("/docs")
    page.locator(".swagger-ui .info .title").wait_for()
    assert "Basel Convention" in page.locator(".swagger-ui .info .title").inner_text()
    page.locator(".opblock-summary-path", has_text="/sparql").first.wait_for()
