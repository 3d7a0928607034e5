"""The page at / as HTML, without a browser: escaping, the policy header, the shipped editor files.
(tests/test_browser.py drives it in Chromium.)"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from starlette.applications import Starlette
from starlette.testclient import TestClient

from her2kg.catalog import CannedQuery, Parameter, load_queries
from her2kg.web.pages import CONTENT_SECURITY_POLICY, STATIC, page_routes, render

HOSTILE = '<script>alert("x")</script>&"\''


def hostile_query() -> CannedQuery:
    return CannedQuery(
        name="q",
        title=f"title {HOSTILE}",
        description=f"about {HOSTILE}",
        tags=("t",),
        parameters=(Parameter("drug", "drug", f"a drug {HOSTILE}", default=HOSTILE, example=HOSTILE),),
        text=f"SELECT * WHERE {{ ?s ?p ?o }} # </script><!-- {HOSTILE}",
        path=Path("q.rq"),
    )


@dataclass
class FakeState:
    queries: dict[str, CannedQuery]
    release_dir: Path | None = None
    release_version: str | None = None
    release_files: list[str] = field(default_factory=list)


def test_text_from_the_catalogue_is_escaped_everywhere_in_the_page():
    page = render({"q": hostile_query()}, [])
    assert "<script>alert" not in page
    assert page.count("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;") >= 4  # title ×2, description, placeholder


def test_the_configuration_script_cannot_be_closed_by_a_query_text():
    page = render({"q": hostile_query(), "mechanisms-affecting-drug": hostile_query()}, [])
    block = re.search(r'<script type="application/json" id="her2kg-config">(.*?)</script>', page, re.DOTALL)
    assert block and "<" not in block[1]
    assert json.loads(block[1])["examples"][0]["text"].endswith(HOSTILE)


def test_every_canned_query_has_a_form_with_a_field_per_parameter():
    queries = load_queries()
    page = render(queries, [])
    for query in queries.values():
        assert f'id="q-{query.name}"' in page
        for parameter in query.parameters:
            assert f'id="p-{query.name}-{parameter.name}"' in page


@pytest.mark.parametrize(
    ("type_", "attributes"),
    [("integer", 'type="number" step="1"'), ("decimal", 'type="number" step="any"'), ("drug", 'type="text"')],
)
def test_parameter_fields_are_typed(type_, attributes):
    query = CannedQuery("q", "t", "d", ("x",), (Parameter("n", type_, "n", example="3"),), "", Path("q.rq"))
    assert f'<input id="p-q-n" name="n" {attributes}' in render({"q": query}, [])


def test_release_files_are_linked_with_their_size(tmp_path):
    (tmp_path / "her2kg.nt").write_bytes(b"x" * 2500)
    page = render({}, [tmp_path / "her2kg.nt"])
    assert '<a href="/release/her2kg.nt" download>her2kg.nt</a> <span class="size">2.5 kB</span>' in page


def test_a_file_in_a_release_subfolder_is_linked_by_its_path(tmp_path):
    (tmp_path / "her2kg-kgx").mkdir()
    (tmp_path / "her2kg-kgx" / "nodes.tsv").write_bytes(b"x" * 10)
    page = render({}, [tmp_path / "her2kg-kgx" / "nodes.tsv"], folder=tmp_path)
    assert '<a href="/release/her2kg-kgx/nodes.tsv" download>her2kg-kgx/nodes.tsv</a>' in page


def test_the_page_forbids_other_origins_and_its_static_files_are_served():
    app = Starlette(routes=page_routes(FakeState(load_queries())))
    with TestClient(app) as client:
        page = client.get("/")
        assert page.status_code == 200
        assert page.headers["content-security-policy"] == CONTENT_SECURITY_POLICY
        for src in re.findall(r'(?:src|href)="(/static/[^"]+)"', page.text):
            assert client.get(src).status_code == 200, src


def test_yasgui_ships_with_its_licence_and_no_reference_to_a_remote_endpoint_in_our_code():
    assert (STATIC / "yasgui" / "yasgui.min.js").stat().st_size > 500_000
    assert "MIT License" in (STATIC / "yasgui" / "LICENSE").read_text()
    ours = (STATIC / "her2kg.js").read_text() + (STATIC / "her2kg.css").read_text()
    assert not re.search(r"https?://", ours), "the page's own files name no other server"
