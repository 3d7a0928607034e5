"""The pages' pictures: a forest plot of hazard ratios (one row per outcome, the line of no effect at
HR 1, a log axis) and a neighbourhood diagram whose lines say how the claims stand — valid SVG, the
same bytes every time, labels from the data escaped, and no picture at all where there is nothing
to draw. The records drawn are tests/server/pictures/records.ttl.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pyoxigraph
import pytest
from starlette.testclient import TestClient

from her2kg.namespaces import BASE, sparql_prologue
from her2kg.web import ServerConfig, State, create_app
from her2kg.web.backend import InProcessBackend
from her2kg.web.pictures import (
    HazardRatio,
    forest_data,
    forest_svg,
    neighbourhood_data,
    neighbourhood_svg,
    picture_svg,
)

RECORDS = Path(__file__).parent / "server" / "pictures" / "records.ttl"
SVG = "{http://www.w3.org/2000/svg}"
ALPHA = BASE + "trial/alpha"
# The hazard ratios of trial/alpha in records.ttl, as the plot writes them beside each row.
ALPHA_FIGURES = {"0.76 (0.63–0.91)", "1.12 (0.85–1.48)", "0.58 (0.4–?)"}


@pytest.fixture(scope="module")
def store() -> pyoxigraph.Store:
    store = pyoxigraph.Store()
    store.load(path=str(RECORDS), format=pyoxigraph.RdfFormat.TURTLE)
    return store


@pytest.fixture(scope="module")
def run(store):
    def run(text: str, iri: str) -> list[dict]:
        answer = store.query(
            sparql_prologue() + text, substitutions={pyoxigraph.Variable("this"): pyoxigraph.NamedNode(iri)}
        )
        names = [v.value for v in answer.variables]
        return [dict(zip(names, row, strict=True)) for row in answer]

    return run


def parsed(svg: str | None) -> ET.Element:
    assert svg is not None
    return ET.fromstring(svg)


def texts(root: ET.Element) -> list[str]:
    return ["".join(t.itertext()) for t in root.iter(f"{SVG}text")]


def ids(root: ET.Element) -> list[str]:
    return [e.get("id", "") for e in root.iter()]


def test_a_forest_plot_has_one_row_per_hazard_ratio_and_the_line_of_no_effect(run):
    ratios = forest_data(run, ALPHA)
    root = parsed(forest_svg(ratios, "ALPHA"))
    assert len(ratios) == 3
    assert sorted(i for i in ids(root) if i.startswith("hazard-ratio-")) == [
        "hazard-ratio-1",
        "hazard-ratio-2",
        "hazard-ratio-3",
    ]
    assert "no-effect" in ids(root)
    assert set(texts(root)) >= ALPHA_FIGURES
    assert "hazard ratio (log scale)" in " ".join(texts(root))


def test_a_drugs_forest_plot_gathers_the_hazard_ratios_of_every_trial_of_the_drug(run):
    assert {r.outcome for r in forest_data(run, BASE + "drug/alphanib")} == {
        BASE + "outcome/alpha-pfs",
        BASE + "outcome/alpha-os",
        BASE + "outcome/alpha-pfs-brain",
    }


def test_a_mechanisms_forest_plot_shows_the_trials_of_the_strategies_against_it(run):
    assert {r.trial for r in forest_data(run, BASE + "mechanism/bypass")} == {r.trial for r in forest_data(run, ALPHA)}
    assert forest_data(run, BASE + "mechanism/loss") == []  # its one strategy was tested nowhere


@pytest.mark.slow  # four drawings: seconds
def test_the_same_data_draws_the_same_bytes(run):
    assert picture_svg(run, ALPHA, "forest", "ALPHA") == picture_svg(run, ALPHA, "forest", "ALPHA")
    drug = BASE + "drug/alphanib"
    assert picture_svg(run, drug, "neighbourhood", "alphanib") == picture_svg(run, drug, "neighbourhood", "alphanib")


def test_the_svg_carries_no_date():
    svg = forest_svg([HazardRatio("T", "pfs", "", "", 0.5, 0.4, 0.6)], "T")
    assert svg is not None and "<dc:date>" not in svg and "<dc:title>her2kg</dc:title>" in svg  # not a version


HOSTILE = "ALPHA </text><script>alert(1)</script> & $x^2$"


@pytest.mark.parametrize(
    "draw",
    [
        pytest.param(lambda run: picture_svg(run, ALPHA, "forest", HOSTILE), id="title"),
        pytest.param(
            lambda run: forest_svg(
                [HazardRatio(HOSTILE, "pfs", "", "", 0.5, 0.4, 0.6), HazardRatio("B", "os", "", "", 0.9, 0.8, 1.1)], "T"
            ),
            id="row",
        ),
        pytest.param(
            lambda run: neighbourhood_svg(neighbourhood_data(run, BASE + "drug/alphanib", HOSTILE)), id="node"
        ),
    ],
)
def test_a_hostile_label_is_text_in_the_svg_never_markup(run, draw):
    svg = draw(run)
    root = parsed(svg)  # still well-formed XML
    assert not [e for e in root.iter() if e.tag.endswith("script")]
    assert "&lt;script&gt;" in svg
    assert any("$x^2$" in t for t in texts(root)), "dollar signs are text, not mathtext"


def test_a_record_without_hazard_ratios_has_no_forest_plot(run):
    assert forest_data(run, BASE + "trial/quiet") == []
    assert forest_svg([], "QUIET") is None
    assert picture_svg(run, BASE + "trial/quiet", "forest", "QUIET") is None


def test_the_neighbourhood_tells_supported_negative_and_conflicting_links_apart(run):
    picture = neighbourhood_data(run, BASE + "drug/alphanib", "alphanib")
    assert [title for title, _ in picture.columns] == [
        "targets",
        "drug",
        "resistance mechanisms",
        "strategies against them",
    ]
    kinds = {(a.rpartition("/")[2], b.rpartition("/")[2]): kind for a, b, kind in picture.edges}
    assert kinds == {
        ("alphanib", "erbb2"): "supports",
        ("alphanib", "bypass"): "conflicting",
        ("alphanib", "loss"): "asserted",
        ("bypass", "block"): "asserted",
        ("loss", "failed"): "negative",  # stated by a negative claim only: drawn, dashed
    }
    root = parsed(neighbourhood_svg(picture))
    drawn = {i.removeprefix("edge-") for i in ids(root) if i.startswith("edge-")}
    assert drawn == {"supports", "conflicting", "asserted", "negative"}
    legend = " ".join(texts(root))
    for words in ("supported by a claim", "negative claim", "conflicting claims", "in the graph, no claim"):
        assert words in legend


def test_a_record_without_neighbours_has_no_diagram(run):
    assert neighbourhood_svg(neighbourhood_data(run, BASE + "mechanism/nothing", "nothing")) is None


# --- in the pages --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def client(store):
    config = ServerConfig(workers=0, timeout=10)
    with TestClient(create_app(config, State(config, InProcessBackend(store), {}, None))) as client:
        yield client


def test_a_trial_page_shows_its_forest_plot_and_offers_it_for_download(client):
    page = client.get("/trial/alpha.html").text
    assert re.search(r'<img src="/trial/alpha/forest\.svg" alt="Hazard ratios of [^"<]*">', page)
    assert '<a href="/trial/alpha/forest.svg" download>' in page
    answer = client.get("/trial/alpha/forest.svg")
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("image/svg+xml")
    assert set(texts(parsed(answer.text))) >= ALPHA_FIGURES


def test_a_drug_page_shows_both_pictures(client):
    page = client.get("/drug/alphanib.html").text
    assert 'src="/drug/alphanib/forest.svg"' in page and 'src="/drug/alphanib/neighbourhood.svg"' in page
    assert client.get("/drug/alphanib/neighbourhood.svg").status_code == 200


def test_a_page_with_nothing_to_draw_shows_no_image_and_the_picture_is_not_found(client):
    assert "<img" not in client.get("/trial/quiet.html").text
    assert client.get("/trial/quiet/forest.svg").status_code == 404
    assert client.get("/trial/alpha/neighbourhood.svg").status_code == 404  # a trial has no such picture
    assert client.get("/trial/unknown/forest.svg").status_code == 404
