"""The KGX files as the kgx library reads them: its validator finds no error against the Biolink model release our
mapping names (read from the `biolink-model` package, offline), and merging our graph with another KGX graph that
shares a node by CURIE (tests/data/kgx-merge: ERBB2 as HGNC:3430) gives one node, not two."""

import csv
from pathlib import Path

import pytest

from her2kg.formats_kgx import BIOLINK_VERSION, CATEGORIES, FOLDER, ID_PREFIXES, PREDICATES, prefix_map
from kgx_offline import offline

pytestmark = pytest.mark.slow  # kgx builds the Biolink model toolkit: seconds
OTHER = Path(__file__).parent / "data" / "kgx-merge"


def files(folder: Path) -> list[str]:
    return [str(folder / "nodes.tsv"), str(folder / "edges.tsv")]


@pytest.fixture(scope="module")
def kgx(shipped_release):
    """kgx, set up offline with the prefixes our graph declares besides Biolink's."""
    with (shipped_release / FOLDER / "nodes.tsv").open(encoding="utf-8", newline="") as handle:
        ids = [row["id"] for row in csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE)]
    offline(prefix_map(i.partition(":")[0] for i in ids))
    import kgx.graph_operations.graph_merge
    import kgx.transformer
    import kgx.validator

    return kgx


def test_the_validator_uses_the_biolink_release_of_the_mapping(kgx):
    assert kgx.validator.Validator.get_toolkit().get_model_version() == BIOLINK_VERSION


def test_kgx_validate_finds_no_error_in_the_release(kgx, shipped_release):
    validator = kgx.validator.Validator()
    transformer = kgx.transformer.Transformer(stream=True)
    source = {"filename": files(shipped_release / FOLDER), "format": "tsv"}
    transformer.transform(input_args=source, output_args={"format": "null"}, inspector=validator)
    assert transformer.store is not None
    assert validator.get_errors() == {}


def test_a_broken_edge_is_an_error_to_the_validator(kgx, tmp_path):
    """The check can fail: an edge without knowledge_level and with a predicate Biolink lacks."""
    (tmp_path / "nodes.tsv").write_text((OTHER / "nodes.tsv").read_text(encoding="utf-8"), encoding="utf-8")
    (tmp_path / "edges.tsv").write_text(
        "id\tsubject\tpredicate\tobject\tagent_type\nx:1\tHGNC:3430\tbiolink:cures\tHGNC:1773\tmanual_agent\n",
        encoding="utf-8",
    )
    validator = kgx.validator.Validator()
    source = {"filename": files(tmp_path), "format": "tsv"}
    kgx.transformer.Transformer(stream=True).transform(
        input_args=source, output_args={"format": "null"}, inspector=validator
    )
    assert "ERROR" in validator.get_errors()


def load(kgx, folder: Path):
    transformer = kgx.transformer.Transformer()
    transformer.transform(input_args={"filename": files(folder), "format": "tsv"})
    return transformer.store.graph


def test_merging_with_another_graph_joins_the_shared_node(kgx, shipped_release):
    ours, other = load(kgx, shipped_release / FOLDER), load(kgx, OTHER)
    ids = [set(graph.nodes(data=False)) for graph in (ours, other)]
    edges = ours.number_of_edges() + other.number_of_edges()
    merged = kgx.graph_operations.graph_merge.merge_all_graphs([ours, other])  # into the first, as kgx merge does
    assert ids[0] & ids[1] == {"HGNC:3430", "HGNC:1773"}
    assert set(merged.nodes(data=False)) == ids[0] | ids[1]
    assert merged.number_of_edges() == edges
    erbb2 = merged.get_node("HGNC:3430")
    assert set(erbb2["provided_by"]) == {"infores:her2kg", "infores:other-graph"}
    assert erbb2["name"] == "ERBB2 (HER2)"  # the first graph's name wins


def test_every_mapped_term_is_in_the_biolink_model(kgx):
    """The mapping names only terms of the model: categories are classes, predicates are predicate slots (not
    mixins or abstract), and each id prefix is one Biolink accepts for its category."""
    toolkit = kgx.validator.Validator.get_toolkit()
    for category in set(CATEGORIES.values()):
        assert toolkit.is_category(category), category
    for predicate in set(PREDICATES.values()):
        element = toolkit.get_element(predicate)
        assert toolkit.is_predicate(predicate) and not element.mixin and not element.abstract, predicate
    for category, prefixes in ID_PREFIXES.items():
        assert set(prefixes) <= set(toolkit.get_element(category).id_prefixes), category
