"""The page at / in a real browser: headless Debian Chromium driven by Selenium through Debian's
chromedriver, against `her2kg serve` running on the shipped release.

A new user's path: open the page, run a canned query with a parameter, sort the table, run a query
typed into the editor, download results and release files — and nothing is fetched from anywhere
but the server. Screenshots at desktop and phone widths are saved in test-artifacts/browser/.
"""

from __future__ import annotations

import json
import shutil
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urljoin

import pytest

from her2kg.catalog import find_query, run
from her2kg.namespaces import HK
from her2kg.results import show
from her2kg.sparql import execute
from her2kg.web.entities import href
from serving import serve

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts" / "browser"
WIDTHS = {"desktop": (1280, 1000), "phone": (390, 844)}
WAIT = 20  # seconds for the page to answer

selenium = pytest.importorskip("selenium", reason="selenium is not installed (pip install -e '.[test]')")
if not (CHROMIUM.exists() and CHROMEDRIVER.exists()):
    pytest.skip(
        "needs Debian's chromium and chromium-driver (apt-get install chromium chromium-driver)",
        allow_module_level=True,
    )

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support import expected_conditions
from selenium.webdriver.support.ui import WebDriverWait

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def server(shipped_release: Path) -> Iterator[str]:
    """`her2kg serve` on a free port of 127.0.0.1, serving the shipped release; its base URL."""
    with serve("--release", str(shipped_release)) as served:
        yield served.url


@pytest.fixture(scope="module")
def artifacts() -> Path:
    shutil.rmtree(ARTIFACTS, ignore_errors=True)
    ARTIFACTS.mkdir(parents=True)
    return ARTIFACTS


def requested(driver: webdriver.Chrome) -> list[str]:
    """The URLs the browser asked for since the last call (Chrome's performance log)."""
    messages = [json.loads(entry["message"])["message"] for entry in driver.get_log("performance")]
    return [m["params"]["request"]["url"] for m in messages if m["method"] == "Network.requestWillBeSent"]


def elsewhere(urls: list[str], server: str) -> list[str]:
    return sorted({url for url in urls if not url.startswith((server, "data:"))})


@pytest.fixture(params=list(WIDTHS))
def browser(request, server: str) -> Iterator[webdriver.Chrome]:
    """Headless Chromium at a desktop or a phone width; afterwards its console must be free of
    errors (a CSP violation is one) and it must have asked nothing of any other server."""
    width, height = WIDTHS[request.param]
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for argument in (
        "--headless=new",
        "--no-sandbox",
        "--disable-dev-shm-usage",
        "--disable-gpu",
        f"--window-size={width},{height}",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-default-apps",
        "--disable-sync",
    ):
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"performance": "ALL", "browser": "ALL"})
    # Selenium Manager would download a driver: point at Debian's chromedriver instead.
    driver = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
    driver.width_name = request.param  # type: ignore[attr-defined]
    try:
        yield driver
        assert not elsewhere(requested(driver), server), "the page fetched from another server"
        errors = [e["message"] for e in driver.get_log("browser") if e["level"] == "SEVERE"]
        assert not errors, f"the browser console reports errors (a CSP violation is one): {errors}"
    finally:
        driver.quit()


def shot(driver: webdriver.Chrome, artifacts: Path, name: str, element_id: str | None = None) -> None:
    """A full-page screenshot (the window grown to the page's height) in test-artifacts/browser/."""
    if element_id:
        driver.execute_script("document.getElementById(arguments[0]).scrollIntoView()", element_id)
    width = driver.get_window_size()["width"]
    height = driver.execute_script("return document.documentElement.scrollHeight")
    driver.set_window_size(width, min(height + 150, 6000))
    driver.save_screenshot(str(artifacts / f"{name}-{driver.width_name}.png"))


def table_cells(driver: webdriver.Chrome) -> list[list[str]]:
    return [
        [td.text for td in tr.find_elements(By.TAG_NAME, "td")]
        for tr in driver.find_elements(By.CSS_SELECTOR, "#result-table tbody tr")
    ]


def run_canned(driver: webdriver.Chrome, server: str, name: str, **params: str) -> None:
    driver.get(server)
    picker = driver.find_element(By.ID, "query-picker")
    picker.find_element(By.CSS_SELECTOR, f"option[value='{name}']").click()
    form = driver.find_element(By.ID, f"q-{name}")
    for key, value in params.items():
        form.find_element(By.NAME, key).send_keys(value)
    form.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    WebDriverWait(driver, WAIT).until(expected_conditions.visibility_of_element_located((By.ID, "result-table")))


def test_a_canned_query_with_a_parameter_shows_the_rows_the_catalogue_answers(
    browser, server, shipped_store, artifacts
):
    run_canned(browser, server, "mechanisms-affecting-drug", drug="tucatinib")
    with run(find_query("mechanisms-affecting-drug"), {"drug": "tucatinib"}, shipped_store) as results:
        variables, rows = results.variables, list(results)
    assert rows, "the shipped graph knows mechanisms affecting tucatinib"
    headers = [th.text.rstrip(" ↕↑↓") for th in browser.find_elements(By.CSS_SELECTOR, "#result-table th")]
    assert headers == list(variables)
    # IRIs as the command line shows them (drug/tucatinib, hk:…), each a link to its page on this server.
    assert table_cells(browser) == [[show(term) for term in row] for row in rows]
    links = browser.find_elements(By.CSS_SELECTOR, "#result-table tbody tr:first-child a")
    assert [a.get_attribute("href") for a in links] == [
        urljoin(server, href(t.value)) for t in rows[0] if t is not None and t.value and t.value.startswith("https://")
    ]
    assert browser.find_element(By.ID, "status").text == f"{len(rows)} rows"
    shot(browser, artifacts, "canned-query")


# From neratinib to a resistance mechanism (through a class it belongs to) to a trial with hazard
# ratios: a trial of a strategy against the mechanism.
TRIALS_WITH_HAZARD_RATIOS = """
SELECT DISTINCT ?mechanism ?trial WHERE {
  { ?mechanism hk:confersResistanceTo <https://w3id.org/her2kg/drug/neratinib> }
  UNION { <https://w3id.org/her2kg/drug/neratinib> hk:inClass/hk:broaderClass* ?class . ?mechanism hk:confersResistanceTo ?class }
  ?mechanism a hk:ResistanceMechanism .
  ?strategy hk:overcomes|hk:proposedAgainst ?mechanism ; hk:testedIn ?trial .
  ?outcome hk:ofStudy ?trial ; hk:hazardRatio ?hr .
} ORDER BY ?mechanism ?trial LIMIT 1"""


def test_from_a_search_to_a_drug_to_a_mechanism_to_a_trial_and_its_forest_plot(
    browser, server, shipped_store, artifacts
):
    """A new user's path through the graph: search "neratinib", open it, follow a resistance
    mechanism that affects it, then a trial of a strategy against that mechanism — whose forest
    plot shows the trial's hazard ratios."""
    from her2kg.namespaces import sparql_prologue

    mechanism, trial = next(iter(shipped_store.query(sparql_prologue() + TRIALS_WITH_HAZARD_RATIOS)))
    hazard_ratios = {
        f"{float(row[0].value):g}"
        for row in shipped_store.query(
            f"SELECT ?hr WHERE {{ ?o <{HK}ofStudy> <{trial.value}> ; <{HK}hazardRatio> ?hr }}"
        )
    }
    browser.get(server)
    browser.find_element(By.ID, "q").send_keys("neratinib", Keys.ENTER)
    WebDriverWait(browser, WAIT).until(expected_conditions.presence_of_element_located((By.CSS_SELECTOR, "ol.hits")))
    shot(browser, artifacts, "search")
    browser.find_element(By.CSS_SELECTOR, "ol.hits li:first-child a").click()
    WebDriverWait(browser, WAIT).until(expected_conditions.url_contains("/drug/neratinib.html"))
    assert browser.find_element(By.TAG_NAME, "h1").text == "neratinib"
    assert loaded_pictures(browser) == ["/drug/neratinib/neighbourhood.svg"]  # no trial of it reports an HR
    shot(browser, artifacts, "drug")
    browser.find_element(By.CSS_SELECTOR, f"a[href='{href(mechanism.value)}']").click()
    WebDriverWait(browser, WAIT).until(expected_conditions.url_contains(href(mechanism.value) + ".html"))
    shot(browser, artifacts, "mechanism")
    browser.find_element(By.CSS_SELECTOR, f"a[href='{href(trial.value)}']").click()
    WebDriverWait(browser, WAIT).until(expected_conditions.url_contains(href(trial.value) + ".html"))
    assert "trial" in browser.find_element(By.CSS_SELECTOR, "p.types").text
    forest = href(trial.value) + "/forest.svg"
    assert forest in loaded_pictures(browser)
    with urllib.request.urlopen(urljoin(server, forest)) as answer:
        drawn = answer.read().decode("utf-8")
    assert hazard_ratios and all(f">{hr}" in drawn for hr in hazard_ratios), (hazard_ratios, "not all drawn")
    shot(browser, artifacts, "trial")


def loaded_pictures(driver: webdriver.Chrome) -> list[str]:
    """The paths of the page's images that the browser loaded and drew (a broken one has no width)."""
    return driver.execute_script(
        "return Array.from(document.images).filter(i => i.complete && i.naturalWidth > 0)"
        ".map(i => new URL(i.src).pathname)"
    )


def test_clicking_a_column_header_sorts_the_table_and_clicking_again_reverses_it(browser, server, artifacts):
    run_canned(browser, server, "mechanisms-affecting-drug", drug="tucatinib")
    header = browser.find_element(By.XPATH, "//table[@id='result-table']//th[button[text()='actorLabel']]")
    column = [th.text.rstrip(" ↕↑↓") for th in browser.find_elements(By.CSS_SELECTOR, "#result-table th")].index(
        "actorLabel"
    )
    header.find_element(By.TAG_NAME, "button").click()
    ascending = [row[column] for row in table_cells(browser)]
    assert header.get_attribute("aria-sort") == "ascending"
    assert ascending == sorted(ascending, key=str.casefold)
    header.find_element(By.TAG_NAME, "button").click()
    assert header.get_attribute("aria-sort") == "descending"
    assert [row[column] for row in table_cells(browser)] == ascending[::-1]
    shot(browser, artifacts, "sorted")


def test_a_bad_parameter_shows_the_servers_message_and_no_table(browser, server):
    run_canned_error = "no-such-drug"
    browser.get(server)
    form = browser.find_element(By.ID, "q-mechanisms-affecting-drug")
    form.find_element(By.NAME, "drug").send_keys(run_canned_error)
    form.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    status = browser.find_element(By.ID, "status")
    WebDriverWait(browser, WAIT).until(lambda _: "error" in status.get_attribute("class"))
    assert "no-such-drug" in status.text and "not in the graph" in status.text
    assert not browser.find_element(By.ID, "result-table").is_displayed()
    # The server answered 400, which the console reports as a failed resource: not a page error.
    browser.get_log("browser")


def test_download_links_answer_csv_tsv_json_and_every_release_file(browser, server, shipped_release):
    run_canned(browser, server, "mechanisms-affecting-drug", drug="tucatinib")
    links = {a.text: a.get_attribute("href") for a in browser.find_elements(By.CSS_SELECTOR, "#result-downloads a")}
    assert set(links) == {"CSV", "TSV", "JSON"}
    for label, url in links.items():
        assert "drug=tucatinib" in url and f"format={label.lower()}" in url
        with urllib.request.urlopen(url) as response:
            assert response.status == 200
            assert "mechanism" in response.read().decode()
    release_links = browser.find_elements(By.CSS_SELECTOR, "#downloads a")
    offered = {a.text for a in release_links}
    assert {"her2kg.ttl", "her2kg.nt", "her2kg.owl", "void.ttl", "build-report.json"} <= offered
    for a in release_links:
        with urllib.request.urlopen(a.get_attribute("href")) as response:
            assert response.read() == (shipped_release / a.text).read_bytes()


def editor_rows(driver: webdriver.Chrome) -> list[list[str]]:
    return [
        [td.text for td in tr.find_elements(By.TAG_NAME, "td")][1:]  # the first column numbers the rows
        for tr in driver.find_elements(By.CSS_SELECTOR, "#yasgui .yasr table.dataTable tbody tr")
    ]


def test_a_query_typed_in_the_editor_runs_on_this_server(browser, server, shipped_store, artifacts):
    browser.get(server)
    editor = browser.find_element(By.CSS_SELECTOR, "#yasgui .CodeMirror")
    editor.click()
    area = editor.find_element(By.TAG_NAME, "textarea")
    area.send_keys(Keys.CONTROL, "a")
    area.send_keys(Keys.DELETE)
    typed = (
        "PREFIX hk: <https://w3id.org/her2kg/ontology#>\nPREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
        "SELECT ?drug ?label WHERE { ?drug a hk:Drug ; rdfs:label ?label } ORDER BY ?label LIMIT 5"
    )
    area.send_keys(typed)
    assert browser.execute_script("return window.her2kgYasgui.getTab().getQuery()") == typed
    browser.find_element(By.CSS_SELECTOR, "#yasgui .yasqe_queryButton").click()
    with execute(shipped_store, typed) as results:
        expected = [[show(term) for term in row] for row in results]
    assert len(expected) == 5
    WebDriverWait(browser, WAIT).until(lambda d: len(editor_rows(d)) == 5 and all(editor_rows(d)))
    # YASR shows IRIs as CURIEs of the page's prefixes (drug:…) where the command line writes drug/…
    assert [
        [cell.replace(":", "/", 1) if i == 0 else cell for i, cell in enumerate(row)] for row in editor_rows(browser)
    ] == expected
    assert browser.execute_script("return window.her2kgYasgui.getTab().getEndpoint()") == server + "sparql"
    shot(browser, artifacts, "editor", "editor")


def test_the_editor_completes_the_projects_prefixes(browser, server):
    browser.get(server)
    editor = browser.find_element(By.CSS_SELECTOR, "#yasgui .CodeMirror")
    editor.click()
    area = editor.find_element(By.TAG_NAME, "textarea")
    area.send_keys(Keys.CONTROL, "a")
    area.send_keys(Keys.DELETE)
    area.send_keys("PREFIX drug-c")
    area.send_keys(Keys.CONTROL, " ")
    hints = WebDriverWait(browser, WAIT).until(
        lambda d: [li.text for li in d.find_elements(By.CSS_SELECTOR, ".CodeMirror-hints li")]
    )
    assert "drug-class: <https://w3id.org/her2kg/drug-class/>" in hints


def test_a_user_session_asks_nothing_of_any_other_server(browser, server):
    """A canned query, the editor's first query and prefix completion: every request goes to
    this server (YASGUI's defaults would ask DBpedia, prefix.cc and Linked Open Vocabularies)."""
    run_canned(browser, server, "drug-targets", drug="tucatinib")
    browser.find_element(By.CSS_SELECTOR, "#yasgui .yasqe_queryButton").click()
    WebDriverWait(browser, WAIT).until(lambda d: all(editor_rows(d)) and editor_rows(d))
    area = browser.find_element(By.CSS_SELECTOR, "#yasgui .CodeMirror textarea")
    area.send_keys(Keys.CONTROL, Keys.END, Keys.ENTER, "PREFIX sk")
    area.send_keys(Keys.CONTROL, " ")
    urls = requested(browser)
    assert server + "sparql" in urls and any(url.startswith(server + "api/queries/drug-targets") for url in urls)
    assert not elsewhere(urls, server)


def test_the_page_forbids_every_other_origin(server):
    with urllib.request.urlopen(server) as response:
        policy = response.headers["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";"))
    assert directives["default-src"] == "'none'"
    for name in ("script-src", "connect-src", "style-src", "img-src", "font-src"):
        assert "'self'" in directives[name] and "http" not in directives[name] and "*" not in directives[name]
