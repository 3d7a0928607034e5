"""`her2kg site`: the server's pages and pictures as static files with relative links — crawled
here: every link and image of every page resolves to a written file, and no page points at a
server. The folder is replaced only when it holds a site written before.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

from her2kg.errors import UnsafeOutputError
from her2kg.release import MARKER
from her2kg.web.site import write_site

pytestmark = pytest.mark.slow  # writes some thirteen thousand files


class References(HTMLParser):
    """Every href and src of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.found += [value for name, value in attrs if name in ("href", "src") and value is not None]


def references(page: Path) -> list[str]:
    parser = References()
    parser.feed(page.read_text(encoding="utf-8"))
    return parser.found


@pytest.fixture(scope="module")
def site(shipped_release, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("static") / "site"
    report = write_site(shipped_release, out)
    assert report.pages > 2000 and report.pictures > 0
    return out


def test_every_link_and_image_of_every_page_is_a_written_file(site):
    pages = sorted(site.rglob("*.html"))
    broken, to_a_server = [], []
    for page in pages:
        for reference in references(page):
            parts = urlsplit(reference)
            if parts.scheme or reference.startswith("//"):
                continue  # another site: a registry, a source
            if reference.startswith("/"):
                to_a_server.append(f"{page.relative_to(site)}: {reference}")
            elif parts.path and not (page.parent / unquote(parts.path)).is_file():
                broken.append(f"{page.relative_to(site)}: {reference}")
    assert len(pages) > 2000
    assert not broken, f"{len(broken)} links lead nowhere, such as {broken[:5]}"
    assert not to_a_server, f"links to a server: {to_a_server[:5]}"


def test_the_home_page_leads_to_the_classes_the_ontology_its_documentation_and_search(site):
    found = references(site / "index.html")
    for target in ("ontology.html", "ontology-docs/index.html", "search.html", "ontology/Drug.html"):
        assert target in found
    assert (site / "ontology-docs" / "index.html").is_file()


def test_pictures_are_written_beside_their_pages_and_linked(site):
    page = (site / "trial" / "emilia.html").read_text(encoding="utf-8")
    assert '<img src="emilia/forest.svg"' in page
    svg = ET.parse(site / "trial" / "emilia" / "forest.svg").getroot()
    assert [e for e in svg.iter() if e.get("id") == "no-effect"]
    assert not (site / "trial" / "dpt01" / "forest.svg").exists()  # no hazard ratios: no picture
    assert "forest.svg" not in (site / "trial" / "dpt01.html").read_text(encoding="utf-8")


def test_each_page_has_its_data_beside_it(site):
    for ext in ("ttl", "nt", "jsonld", "rdf"):
        assert (site / "drug" / f"neratinib.{ext}").stat().st_size > 0
    assert re.search(r'<a href="neratinib\.ttl">ttl</a>', (site / "drug" / "neratinib.html").read_text())


def test_the_search_index_finds_records_by_label_and_links_their_pages(site):
    index = (site / "search-index.js").read_text(encoding="utf-8")
    assert '"href": "drug/neratinib.html"' in index and '"label": "neratinib"' in index
    assert "</script" not in index


def test_a_second_run_replaces_the_site_it_wrote(site, shipped_release):
    assert (site / MARKER).is_file()
    (site / "trial" / "emilia" / "forest.svg").unlink()
    write_site(shipped_release, site)
    assert (site / "trial" / "emilia" / "forest.svg").is_file()


def test_a_folder_with_someone_elses_files_is_refused_before_any_work(shipped_release, tmp_path):
    (tmp_path / "notes.txt").write_text("mine")
    with pytest.raises(UnsafeOutputError, match=r"notes\.txt"):
        write_site(shipped_release, tmp_path)
    assert [p.name for p in tmp_path.iterdir()] == ["notes.txt"]
