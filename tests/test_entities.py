"""The graph's IRIs, dereferenced: every /<kind>/<slug> names a thing and answers 303 to a document
about it — an HTML page for a browser, Turtle, N-Triples, JSON-LD or RDF/XML for a client that asks —
the ontology answers at its IRI and its version IRI, and a search box finds records by label,
synonym or identifier. Every string from the data is shown escaped, never run.

Search cases are files in tests/server/search/; the hostile record is tests/server/entities/hostile.ttl.
"""

from __future__ import annotations

import re
from pathlib import Path

import pyoxigraph
import pytest
import rdflib
import yaml
from starlette.testclient import TestClient

from her2kg.web import ServerConfig, State, create_app
from her2kg.web.backend import LocalBackend

HERE = Path(__file__).parent / "server"
SEARCH_CASES = sorted((HERE / "search").glob("*.yaml"))
NERATINIB = rdflib.URIRef("https://w3id.org/her2kg/drug/neratinib")
RDF_FORMATS = [  # (?format=, Accept, media type, rdflib parser)
    ("ttl", "text/turtle", "text/turtle", "turtle"),
    ("nt", "application/n-triples", "application/n-triples", "nt"),
    ("jsonld", "application/ld+json", "application/ld+json", "json-ld"),
    ("rdf", "application/rdf+xml", "application/rdf+xml", "xml"),
]
# One record of each kind a page is built differently for, and the label its page must show.
PAGES = [
    ("/drug/neratinib", "neratinib"),
    ("/trial/nala", "NALA"),
    ("/claim/ahm-dual-treatment-may-be-effective-strategy", "This dual treatment may be an effective"),
    ("/publication/rygiel-2020", "Rygiel 2020"),
    ("/mechanism/egfr-her3-bypass", "bypass of HER2 blockade by EGFR and HER3 homodimers"),
    ("/vocab/polarity/supports", "supports"),
    ("/ontology/ResistanceMechanism", "resistance mechanism"),
    ("/ontology/targets", "targets"),
    ("/ontology", "Classes"),
]


@pytest.fixture(scope="module")
def client(shipped_release):
    state = State.open(ServerConfig(release_dir=shipped_release, workers=2, timeout=10))
    with TestClient(create_app(state.config, state), raise_server_exceptions=False) as client:
        yield client
    state.backend.close()


@pytest.fixture(scope="module")
def hostile_client():
    store = pyoxigraph.Store()
    store.load(path=str(HERE / "entities" / "hostile.ttl"), format=pyoxigraph.RdfFormat.TURTLE)
    config = ServerConfig(workers=1, timeout=10)
    state = State(config, LocalBackend(store, 1), {}, None)
    with TestClient(create_app(config, state), raise_server_exceptions=False) as client:
        yield client
    state.backend.close()


# --- content negotiation -------------------------------------------------------------------------


def test_a_browser_is_sent_to_the_page(client):
    answer = client.get(
        "/drug/neratinib", headers={"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"}, follow_redirects=False
    )
    assert answer.status_code == 303
    assert answer.headers["location"] == "/drug/neratinib.html"
    assert "Accept" in answer.headers["vary"]


@pytest.mark.parametrize(("ext", "accept", "media", "parser"), RDF_FORMATS, ids=[f[0] for f in RDF_FORMATS])
def test_a_client_asking_for_rdf_gets_the_triples_about_the_record(client, ext, accept, media, parser):
    redirect = client.get("/drug/neratinib", headers={"Accept": accept}, follow_redirects=False)
    assert (redirect.status_code, redirect.headers["location"]) == (303, f"/drug/neratinib.{ext}")
    for answer in (
        client.get("/drug/neratinib", headers={"Accept": accept}),
        client.get(f"/drug/neratinib?format={ext}"),
        client.get(f"/drug/neratinib.{ext}"),
    ):
        assert answer.status_code == 200
        assert answer.headers["content-type"].split(";")[0] == media
        graph = rdflib.Graph().parse(data=answer.content, format=parser)
        assert (NERATINIB, rdflib.RDFS.label, rdflib.Literal("neratinib")) in graph
        assert any(graph.triples((None, None, NERATINIB)))  # the incoming links travel too


@pytest.mark.parametrize(("ext", "accept", "media", "parser"), RDF_FORMATS, ids=[f[0] for f in RDF_FORMATS])
def test_the_ontology_iri_and_its_version_iri_answer_the_ontology(client, ext, accept, media, parser):
    ontology = rdflib.URIRef("https://w3id.org/her2kg/ontology")
    version = client.get("/ontology", headers={"Accept": "text/turtle"}).text.split("owl:versionIRI <")[1]
    version_path = "/" + version.split(">")[0].removeprefix("https://w3id.org/her2kg/")
    for path in ("/ontology", version_path):
        answer = client.get(path, headers={"Accept": accept})
        assert answer.status_code == 200 and answer.headers["content-type"].split(";")[0] == media
        assert (ontology, rdflib.RDF.type, rdflib.OWL.Ontology) in rdflib.Graph().parse(
            data=answer.content, format=parser
        )


def test_a_term_answers_its_own_description(client):
    graph = rdflib.Graph().parse(data=client.get("/ontology/Drug?format=ttl").content, format="turtle")
    drug = rdflib.URIRef("https://w3id.org/her2kg/ontology#Drug")
    assert (drug, rdflib.RDF.type, rdflib.OWL.Class) in graph


def test_an_unknown_format_is_a_usage_error_and_an_unoffered_type_is_406(client):
    assert client.get("/drug/neratinib?format=docx").status_code == 400
    assert client.get("/drug/neratinib", headers={"Accept": "image/png"}).status_code == 406


# --- pages ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(("path", "label"), PAGES, ids=[p for p, _ in PAGES])
def test_a_page_for_each_kind_shows_its_label_and_a_search_box(client, path, label):
    answer = client.get(path, headers={"Accept": "text/html"})
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/html")
    assert label in answer.text
    assert '<form class="search" action="/search"' in answer.text
    assert "http://" not in answer.text.split("<body")[0].replace('"http://www.w3.org', "")  # no CDN in <head>


@pytest.mark.parametrize(
    "path",
    ["/drug/no-such-drug", "/drug/no-such-drug.ttl", "/ontology/NoSuchClass", "/no-such-kind/x", "/ontology.docx"],
)
def test_an_unknown_record_is_404(client, path):
    assert client.get(path, headers={"Accept": "text/html"}).status_code == 404


def test_identifiers_link_to_their_registries(client):
    page = client.get("/drug/neratinib.html").text
    assert '<a href="http://purl.obolibrary.org/obo/CHEBI_61397" rel="external">CHEBI:61397</a>' in page
    assert 'href="https://go.drugbank.com/drugs/DB11828"' in page


def test_types_link_to_class_pages_and_relations_to_records(client):
    page = client.get("/drug/neratinib.html").text
    assert '<a href="/ontology/Drug">' in page
    assert '<a href="/gene/erbb2">' in page


def test_claims_are_marked_supporting_negative_or_hedged(client):
    page = client.get("/drug/neratinib.html").text
    assert 'class="claim supports hedged"' in page  # "may be an effective strategy": supporting, hedged
    assert "<blockquote>This dual treatment may be an effective therapeutic strategy" in page


def test_a_publication_page_lists_every_claim_drawn_from_it(client):
    page = client.get("/publication/rygiel-2020.html").text
    count = int(page.split("<h2>Claims (")[1].split(")")[0])
    assert count > 300 and page.count('<li class="claim') == count


def test_a_trial_page_has_its_arms_and_an_outcomes_table(client):
    page = client.get("/trial/nala.html").text
    assert "<h2>Arms</h2>" in page and "neratinib + capecitabine (N/C)" in page
    assert '<table class="outcomes">' in page and "PFS rate" in page


def test_a_class_page_has_its_hierarchy_and_instances_with_a_count(client):
    page = client.get("/ontology/Drug").text
    assert "<h2>Instances (" in page and '<a href="/drug/neratinib">neratinib</a>' in page


# --- search --------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", SEARCH_CASES, ids=lambda p: p.stem)
def test_search_ranks_the_expected_record_first(client, path):
    case = yaml.safe_load(path.read_text(encoding="utf-8"))
    results = client.get("/api/search", params={"q": case["query"]}).json()["results"]
    assert results, f"nothing found for {case['query']!r}"
    assert (results[0]["href"], results[0]["match"]) == (case["first"], case["match"])


def test_search_with_nothing_to_find_is_an_empty_list(client):
    assert client.get("/api/search", params={"q": "zzzz-not-a-name"}).json()["results"] == []
    assert client.get("/api/search").json()["results"] == []


def test_search_text_is_a_value_not_query_text(client):
    answer = client.get("/api/search", params={"q": '") } DELETE WHERE { ?s ?p ?o } #'})
    assert answer.status_code == 200 and answer.json()["results"] == []


# --- escaping ------------------------------------------------------------------------------------


def test_every_string_from_the_data_is_shown_not_run(hostile_client):
    page = hostile_client.get("/drug/hostile.html").text
    body = page.split("<body", 1)[1]
    assert "<script" not in body and "<b>" not in body
    # The only images are the record's own pictures, their alt text escaped too.
    images = re.findall(r"<img [^>]*>", body)
    assert images and all(re.fullmatch(r'<img src="/drug/hostile/\w+\.svg" alt="[^"<>]*">', i) for i in images)
    assert 'alt="Neighbourhood of &lt;script&gt;alert(&quot;label&quot;)&lt;/script&gt;' in body
    for shown in (
        "&lt;script&gt;alert(&quot;label&quot;)&lt;/script&gt;",
        "&lt;img src=x onerror=alert(1)&gt;",
        "&lt;script&gt;alert(&#x27;quote&#x27;)&lt;/script&gt;",
        "ERBB2 &lt;b&gt;bold&lt;/b&gt;",
        "&lt;script&gt;alert(&#x27;definition&#x27;)&lt;/script&gt;",
    ):
        assert shown in body
    assert "<title>&lt;script&gt;" in page


def test_search_results_are_escaped_too(hostile_client):
    page = hostile_client.get("/search", params={"q": "<script>"}).text
    assert "<script" not in page.split("<body", 1)[1]
    assert "&lt;script&gt;alert(&quot;label&quot;)" in page
