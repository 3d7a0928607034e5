"""Only a supporting claim yields a plain relation triple.

A strategy is proposed against a mechanism (hk:proposedAgainst) whatever came of it; that it may
overcome the mechanism (hk:overcomes, the plain triple a simple query uses) needs a supporting
claim. The QA query queries/qa-unsupported-relations.rq lists every plain triple of a stated
relation without one; on the shipped graph it returns no rows (tests/test_queries.py).
"""

from __future__ import annotations

import pyoxigraph
import pytest

from her2kg.catalog import load_query, run
from her2kg.resources import project_path
from her2kg.store import open_release

HK = "https://w3id.org/her2kg/ontology#"
STRATEGY = "https://w3id.org/her2kg/strategy/"
MECHANISM = "https://w3id.org/her2kg/mechanism/"
# Strategies whose every claim about their mechanism says they had no effect (failed in trials).
FAILED = [
    ("egfr-inhibition-gefitinib", "egfr-her3-bypass"),
    ("egfr-inhibition-cetuximab", "egfr-her3-bypass"),
    ("ruxolitinib-trastuzumab", "jak-stat-activation"),
    ("trastuzumab-for-her2-low", "low-her2-expression"),
    ("atezolizumab-neoadjuvant-trastuzumab-pertuzumab-chemotherapy", "immune-escape"),
]


def triple(strategy: str, relation: str, mechanism: str) -> pyoxigraph.Quad:
    return pyoxigraph.Quad(
        pyoxigraph.NamedNode(STRATEGY + strategy),
        pyoxigraph.NamedNode(HK + relation),
        pyoxigraph.NamedNode(MECHANISM + mechanism),
    )


@pytest.mark.parametrize(("strategy", "mechanism"), FAILED, ids=[s for s, _ in FAILED])
def test_a_failed_strategy_is_proposed_against_its_mechanism_but_does_not_overcome_it(
    strategy, mechanism, shipped_store
):
    assert triple(strategy, "proposedAgainst", mechanism) in shipped_store
    assert triple(strategy, "overcomes", mechanism) not in shipped_store


def test_a_strategy_with_supporting_evidence_overcomes_its_mechanism(shipped_store):
    assert triple("lapatinib-for-p95her2", "overcomes", "p95her2-expression") in shipped_store
    assert triple("lapatinib-for-p95her2", "proposedAgainst", "p95her2-expression") in shipped_store


@pytest.mark.parametrize(
    ("strategy", "mechanism", "why"),
    [
        ("egfr-inhibition-gefitinib", "egfr-her3-bypass", "only claims that do not support it state it"),
        (
            "egfr-inhibition-gefitinib",
            "other-receptor-overexpression",
            "the strategy was proposed against it, but none of its passages supports that it overcomes it",
        ),
    ],
)
def test_the_qa_query_lists_an_overcomes_triple_no_supporting_claim_backs(strategy, mechanism, why, shipped_release):
    store = open_release(shipped_release)  # a store of its own: the test adds a triple
    store.add(triple(strategy, "overcomes", mechanism))
    rows = list(run(load_query(project_path("queries") / "qa-unsupported-relations.rq"), {}, store).mappings())
    assert [(r["subject"].value, r["relation"].value, r["object"].value, r["why"].value) for r in rows] == [
        (STRATEGY + strategy, HK + "overcomes", MECHANISM + mechanism, why)
    ]
