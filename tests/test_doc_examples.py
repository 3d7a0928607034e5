"""Every query the documentation shows runs on the shipped release and answers with rows.

Extracted from README.md, docs/*.md and queries/README.md: each ```sparql fenced block, and each
`her2kg query …` / `her2kg sparql '…'` command line in a ```sh fenced block. An example that
must not be run is listed in EXCEPTIONS with the reason.
"""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest
from click.testing import CliRunner

from her2kg.cli import cli
from her2kg.sparql import execute

ROOT = Path(__file__).resolve().parent.parent
DOCUMENTS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md")), ROOT / "queries" / "README.md"]
FENCE = re.compile(r"^```(\w*)\n(.*?)^```", re.MULTILINE | re.DOTALL)
COMMAND = re.compile(r"^her2kg (query|sparql) .*$", re.MULTILINE)
# (document, the example's first line) → why it is not run
EXCEPTIONS: dict[tuple[str, str], str] = {}


def examples(language: str) -> list[tuple[str, str]]:
    found = []
    for document in DOCUMENTS:
        for match in FENCE.finditer(document.read_text(encoding="utf-8")):
            if match[1] == language:
                found.append((document.relative_to(ROOT).as_posix(), match[2]))
    return found


QUERIES = examples("sparql")
COMMANDS = sorted({(document, m[0]) for document, block in examples("sh") for m in COMMAND.finditer(block)})


def example_id(example: tuple[str, str]) -> str:
    document, text = example
    return f"{document}:{text.strip().splitlines()[0][:40]}"


def test_the_documentation_has_examples_of_both_kinds():
    assert len(QUERIES) >= 2 and len(COMMANDS) >= 3


@pytest.mark.parametrize("example", QUERIES, ids=example_id)
def test_a_documented_query_answers(example, shipped_store):
    document, text = example
    if (document, text.strip().splitlines()[0]) in EXCEPTIONS:
        pytest.skip(EXCEPTIONS[document, text.strip().splitlines()[0]])
    with execute(shipped_store, text) as results:
        assert list(results), f"{document}: this example returns no rows on the shipped release:\n{text}"


@pytest.mark.parametrize("example", COMMANDS, ids=example_id)
def test_a_documented_command_answers(example, shipped_release):
    document, line = example
    if (document, line) in EXCEPTIONS:
        pytest.skip(EXCEPTIONS[document, line])
    args = shlex.split(line)[1:]
    result = CliRunner().invoke(cli, [*args, "--release", str(shipped_release)], env={"COLUMNS": "200"})
    assert result.exit_code == 0, f"{document}: {line}\n{result.output}{result.stderr}"
    assert len(result.stdout.splitlines()) >= 2 and "(0 rows)" not in result.stdout, (
        f"{document}: {line} returns no rows"
    )
