"""The nanopublications: her2kg-nanopubs.trig parses as TriG, every claim is one nanopublication, and each is
well formed by the nanopub guidelines: a head graph linking three other graphs, none of them empty, the
provenance about the assertion and the publication info about the nanopublication. IRIs come from content."""

import pytest
from rdflib import Dataset, Namespace, URIRef
from rdflib.namespace import RDF

from her2kg.formats_nanopub import nanopubs_trig

NP = Namespace("http://www.nanopub.org/nschema#")
HK = Namespace("https://w3id.org/her2kg/ontology#")
PROV = Namespace("http://www.w3.org/ns/prov#")


@pytest.fixture(scope="module")
def trig(shipped_release):
    return (shipped_release / "her2kg-nanopubs.trig").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def dataset(trig):
    return Dataset().parse(data=trig, format="trig")


def graph(dataset, name):
    return dataset.graph(URIRef(name))


def test_every_claim_is_one_nanopublication(dataset, shipped_store):
    claims = {
        str(row[0].value)
        for row in shipped_store.query("SELECT DISTINCT ?c WHERE { ?c a <https://w3id.org/her2kg/ontology#Claim> }")
    }
    typed = list(dataset.quads((None, RDF.type, NP.Nanopublication, None)))
    heads = {g.identifier if hasattr(g, "identifier") else g for _s, _p, _o, g in typed}
    nanopubs = {this for this, _p, _o, _g in typed}
    assert len(heads) == len(nanopubs) == len(claims)
    pubinfo_sources = {
        str(o)
        for _s, _p, o, g in dataset.quads((None, PROV.wasDerivedFrom, None, None))
        if str(g.identifier if hasattr(g, "identifier") else g).endswith("#pubinfo")
    }
    assert pubinfo_sources == claims


@pytest.mark.slow  # every graph of every nanopublication, through rdflib: seconds
def test_each_nanopublication_is_well_formed(dataset):
    names = {g.identifier for g in dataset.graphs() if len(g)}
    nanopubs = sorted({s for g in dataset.graphs() for s in g.subjects(RDF.type, NP.Nanopublication)})
    assert nanopubs
    for this in nanopubs:
        head = graph(dataset, f"{this}#Head")
        parts = [head.value(this, link) for link in (NP.hasAssertion, NP.hasProvenance, NP.hasPublicationInfo)]
        assert all(parts) and len(set(parts)) == 3 and head.identifier not in parts, this
        assert len(head) == 4, "the head holds only the type and the three links"
        assert all(part in names for part in parts), f"{this}: a graph is missing or empty"
        assertion, provenance, pubinfo = (graph(dataset, str(part)) for part in parts)
        assert set(provenance.subjects()) == {assertion.identifier}, "the provenance is about the assertion"
        assert (assertion.identifier, PROV.wasDerivedFrom, None) in provenance
        assert set(pubinfo.subjects()) == {this}, "the publication info is about the nanopublication"
        assert str(this) not in {str(t) for triple in assertion for t in triple}


def test_an_assertion_states_the_releases_own_triples(shipped_release, trig):
    """Each assertion's triples are her2kg.nt's, term for term: a number as the release writes it ("0.50", "7.0"),
    not in a store's canonical form, so a nanopublication's assertion is found in the release by any tool."""
    release = set((shipped_release / "her2kg.nt").read_text(encoding="utf-8").splitlines())
    asserted, inside = [], False
    for line in trig.splitlines():
        if line.endswith("#assertion> {"):
            inside = True
        elif line == "}":
            inside = False
        elif inside:
            asserted.append(line.strip())
    assert any("XMLSchema#decimal>" in line for line in asserted), "the shipped assertions hold numbers"
    assert [line for line in asserted if line not in release] == []


def test_iris_do_not_change_with_the_release_and_the_file_is_sorted(shipped_release, trig):
    ntriples = (shipped_release / "her2kg.nt").read_text(encoding="utf-8")
    other = nanopubs_trig(ntriples, "9.9.9", '"2030-01-01"^^<http://www.w3.org/2001/XMLSchema#date>').decode()
    heads = [line for line in trig.splitlines() if line.endswith("#Head> {")]
    assert heads == sorted(heads)
    assert heads == [line for line in other.splitlines() if line.endswith("#Head> {")]
    assert other != trig


@pytest.mark.slow  # every graph of every nanopublication, through rdflib: seconds
def test_every_graph_belongs_to_one_nanopublication_which_has_exactly_four(dataset):
    """Nanopub guidelines: a nanopublication is four named graphs (head, assertion, provenance, publication info),
    here named after its IRI; no graph of the file is outside one, none is empty."""
    nanopubs = {str(s) for g in dataset.graphs() for s in g.subjects(RDF.type, NP.Nanopublication)}
    by_nanopub: dict[str, set[str]] = {}
    for g in dataset.graphs():
        if not len(g):
            continue  # rdflib's default graph
        base, _, part = str(g.identifier).partition("#")
        assert base in nanopubs, f"{g.identifier}: a graph of no nanopublication"
        by_nanopub.setdefault(base, set()).add(part)
    assert set(by_nanopub) == nanopubs
    assert all(parts == {"Head", "assertion", "provenance", "pubinfo"} for parts in by_nanopub.values())


def test_the_publication_info_names_licence_date_and_release(dataset):
    """The creation date is the release's: the facts carry no curation dates (see docs/formats.md)."""
    DCT = Namespace("http://purl.org/dc/terms/")
    for g in dataset.graphs():
        if str(g.identifier).endswith("#pubinfo"):
            this = URIRef(str(g.identifier).partition("#")[0])
            assert {DCT.license, DCT.created, DCT.isPartOf} <= set(g.predicates(this)), this


NEW_CLAIM = """<https://w3id.org/her2kg/claim/an-added-claim> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> \
<https://w3id.org/her2kg/ontology#Claim> .
<https://w3id.org/her2kg/claim/an-added-claim> <https://w3id.org/her2kg/ontology#quote> "an added sentence" .
"""


def test_a_rebuild_with_a_claim_added_keeps_every_other_iri(shipped_release, trig):
    """IRIs come from each claim's own content: adding a claim mints one IRI and changes none of the others."""
    ntriples = (shipped_release / "her2kg.nt").read_text(encoding="utf-8")
    added = nanopubs_trig(ntriples + NEW_CLAIM, "9.9.9", None).decode()
    before = {line for line in trig.splitlines() if line.endswith("#Head> {")}
    after = {line for line in added.splitlines() if line.endswith("#Head> {")}
    assert before < after and len(after - before) == 1
