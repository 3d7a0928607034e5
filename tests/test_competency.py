"""Competency questions: each file in competency/ is a question, its SPARQL, and its answer.

A file's header gives the question in words and the expected rows, one `# answer:` line each,
columns in SELECT order separated by `|` (an empty cell is an unbound value); IRIs are written with the release's prefixes
(`drug:neratinib`, `hk:Drug`), literals by their value. Rows are compared as a set, exactly.
"""

from pathlib import Path

import pyoxigraph
import pytest

from her2kg.namespaces import BASE, HK

FOLDER = Path(__file__).parent / "competency"
QUESTIONS = sorted(FOLDER.rglob("*.rq"))


def short(term) -> str:
    if isinstance(term, pyoxigraph.NamedNode):
        iri = term.value
        if iri.startswith(str(HK)):
            return "hk:" + iri[len(str(HK)) :]
        if iri.startswith(BASE):
            kind, _, rest = iri[len(BASE) :].partition("/")
            return f"{kind}:{rest}"
        return f"<{iri}>"
    return "" if term is None else term.value


def header(path: Path, key: str) -> list[str]:
    prefix = f"# {key}:"
    return [
        line[len(prefix) :].strip() for line in path.read_text(encoding="utf-8").splitlines() if line.startswith(prefix)
    ]


def test_there_are_questions_for_every_part():
    parts = {p.parent.name for p in QUESTIONS}
    assert {"part1-entities", "part2-resistance", "part3-trials"} <= parts
    for part in parts:
        assert sum(1 for p in QUESTIONS if p.parent.name == part) >= 25, part


@pytest.mark.parametrize("path", QUESTIONS, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_competency_question(path, shipped_store):
    assert header(path, "question"), "state the question in words: '# question: …'"
    expected = {tuple(cell.strip() for cell in row.split("|")) for row in header(path, "answer")}
    assert expected, "give the expected answer: '# answer: …' lines"
    results = shipped_store.query(path.read_text(encoding="utf-8"))
    variables = [v.value for v in results.variables]
    actual = {tuple(short(row[v]) for v in variables) for row in results}
    assert actual == expected
