"""Fuzzed facts: whatever a facts folder holds, a build ends in a release or in `file:line` errors.

Each example starts from a small valid folder of real records (reliability/build_helpers.py) and
applies one to three mutations: wrong types, missing and unknown keys, odd unicode, huge strings,
deep nesting, YAML anchors and aliases, duplicate keys, malformed identifiers and numbers, quotes
that are not in their source, stray bytes and cut files. The outcome must be a valid build or
FactsError/ValidationError whose every problem reads `FILE.yaml:LINE: …` — never another exception,
never a hang (a hard per-example limit), never unbounded memory (the CLI sample runs under a cap).

Budget: the `ci` profile (default) tries a fixed, derandomized set of examples; set
HER2KG_FUZZ=long for the larger search (see docs/reliability.md).
"""

from __future__ import annotations

import os
import re
import resource
import signal
import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml
from build_helpers import seed_files, write_seed
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import her2kg.build
from her2kg.build import build_release, check_facts
from her2kg.cli import cli
from her2kg.errors import FactsError, ValidationError
from her2kg.ontology import Ontology

settings.register_profile(
    "ci",
    max_examples=60,
    derandomize=True,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
    database=None,
)
settings.register_profile("long", parent=settings.get_profile("ci"), max_examples=1500, derandomize=False)
PROFILE = os.environ.get("HER2KG_FUZZ", "ci")
EXAMPLE_SECONDS = 20  # a hard limit per example: a hang fails the test instead of stalling CI

pytestmark = pytest.mark.slow
WHERE = re.compile(r"^[^\n:]+\.ya?ml:\d+: \S")

# --- what goes into a mutated file -------------------------------------------------------------

ODD_TEXT = st.sampled_from(
    [
        "e\u0301\u0301\u0301",  # combining marks
        "\u202eevil\u202c",  # right-to-left override
        "\u05e9\u05dc\u05d5\u05dd",  # Hebrew (RTL)
        "\ufeffbom",
        "nul\x00inside",
        "bell\x07",
        "lone \ud800 surrogate",
        "\U0001f9ec emoji",
        "\u0663\u0664\u0663\u0660",  # Arabic-Indic digits: \d matches them
        "line\u2028sep",
        "\x85next-line",
        "tab\tinside",
        "<script>",
        '"quoted"',
        "a" * 5000,
        "",
        " ",
        "~",
        "null",
        "yes",
        "- dash",
        "key: value",
        "[1, 2",
        "{a: b}",
        "*alias",
        "&anchor",
        "!!python/object:os.system",
    ]
)
TEXT = st.one_of(ODD_TEXT, st.text(max_size=40), st.text(st.characters(codec="utf-8"), min_size=1, max_size=12))
NUMBER_WORDS = st.sampled_from(
    [
        "0x1F",
        "0o17",
        "0b101",
        "1:20",
        "190:20:30.15",
        "1_000",
        "+12",
        "-1",
        "1e400",
        "1.0e+400",
        "1.0e-400",
        "9" * 5000,
        "-" + "9" * 400,
        ".inf",
        "-.Inf",
        ".nan",
        "0.1.2",
        "12 months",
        "2021-11-18",
        "2021-13-45",
        "2021-11-18T25:61:00Z",
        "~",
        "true",
    ]
)
IDENTIFIER_TEXT = st.one_of(
    st.sampled_from(
        [
            "HGNC:",
            ":",
            "HGNC:HGNC:3430",
            "HGNC:999999",
            "HGNC:\u0663\u0664\u0663\u0660",
            "CHEMBL\u0665\u0665\u0664",
            "CHEMBL554\n",
            "10.1038/",
            "10.1038/x y",
            "10.1038/\u202e",
            "doi:10.1038/s41467-021-27093-y",
            "https://doi.org/10.1038/s41467-021-27093-y",
            "NCT",
            "NCT0000000000000000000000000001",
            "C" + "1" * 3000,
            "DB\x00001",
            "pmid:",
            "PMID:abc",
            "../../etc/passwd",
            "<http://x>",
        ]
    ),
    TEXT,
)
SCALAR = st.one_of(TEXT, NUMBER_WORDS.map(lambda w: ("raw", w)), st.integers(-(2**70), 2**70), st.booleans(), st.none())
VALUE: st.SearchStrategy[Any] = st.recursive(
    SCALAR, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(TEXT, inner, max_size=3), max_leaves=6
)
REGISTRIES = st.sampled_from(["hgnc", "chebi", "chembl", "drugbank", "ncit", "doi", "pmid", "nct", "pubchem", "mondo"])


# --- mutations: each takes the folder's files ({path: text}) and hypothesis' draw ---------------

Files = dict[str, str]


def _records(data: Any) -> list[dict]:
    if not isinstance(data, dict):
        return []
    return [item for value in data.values() if isinstance(value, list) for item in value if isinstance(item, dict)]


def _dump(data: Any) -> str:
    text = yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=120)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate: a UTF-8 file can hold it only as an escape
        text = yaml.safe_dump(data, allow_unicode=False, sort_keys=False, width=120)
    return text


def _raw_scalars(text: str) -> str:
    """Values drawn as ("raw", word) are written unquoted, so YAML types them itself (0x1F, 1:20 …)."""
    return re.sub(r"- raw\n(\s*)- (['\"]?)(.*?)\2$", lambda m: m.group(3), text, flags=re.MULTILINE)


def _structured(draw: Callable, files: Files, change: Callable[[dict, Callable], None]) -> None:
    name = draw(st.sampled_from(sorted(files)))
    try:
        data = yaml.safe_load(files[name])
    except (yaml.YAMLError, RecursionError, ValueError):  # an earlier mutation broke the file
        return
    records = _records(data)
    if not records:
        return
    record = draw(st.sampled_from(records))
    change(record, draw)
    files[name] = _raw_scalars(_dump(data))


def wrong_value(draw: Callable, files: Files) -> None:
    def change(record: dict, draw: Callable) -> None:
        key = draw(st.sampled_from(sorted(record)))
        record[key] = draw(VALUE)

    _structured(draw, files, change)


def number_out_of_range(draw: Callable, files: Files) -> None:
    """A whole-number or decimal field written as YAML reads odd numbers: hex, sexagesimal, 1e400 …"""
    name = draw(st.sampled_from(sorted(files)))
    fields = r"(year|enrolled|value|hazard-ratio|p-value|numerator|denominator|drug-antibody-ratio)"
    text = files[name]
    word = draw(NUMBER_WORDS)
    if re.search(rf"^\s*-?\s*{fields}: ", text, flags=re.MULTILINE):
        files[name] = re.sub(rf"^(\s*-?\s*{fields}): .*$", rf"\1: {word}", text, count=1, flags=re.MULTILINE)
    else:
        files[name] = re.sub(r"^(\s*)(label: .*)$", rf"\1\2\n\1year: {word}", text, count=1, flags=re.MULTILINE)


def drop_key(draw: Callable, files: Files) -> None:
    def change(record: dict, draw: Callable) -> None:
        del record[draw(st.sampled_from(sorted(record)))]

    _structured(draw, files, change)


def unknown_key(draw: Callable, files: Files) -> None:
    def change(record: dict, draw: Callable) -> None:
        record[draw(TEXT)] = draw(VALUE)

    _structured(draw, files, change)


def bad_identifier(draw: Callable, files: Files) -> None:
    def change(record: dict, draw: Callable) -> None:
        identifiers = record.get("identifiers")
        identifiers = identifiers if isinstance(identifiers, dict) else {}
        identifiers[draw(REGISTRIES)] = draw(IDENTIFIER_TEXT)
        record["identifiers"] = identifiers

    _structured(draw, files, change)


def bad_quote(draw: Callable, files: Files) -> None:
    def change(record: dict, draw: Callable) -> None:
        entries = record.get("evidence") if isinstance(record.get("evidence"), list) else [record]
        target = draw(st.sampled_from([e for e in entries if isinstance(e, dict)] or [record]))
        quote = str(target.get("quote", ""))
        target["quote"] = draw(st.sampled_from([quote[:-1] + "X", quote.upper(), quote + " extra", " "])) or "x"

    _structured(draw, files, change)


def deep_nesting(draw: Callable, files: Files) -> None:
    name = draw(st.sampled_from(sorted(files)))
    depth = draw(st.sampled_from([50, 500, 5000, 50000]))
    opener, closer = draw(st.sampled_from([("[", "]"), ("{a: ", "}")]))
    files[name] = re.sub(
        r"^(\s*)(label: .*)$", rf"\1\2\n\1note: {opener * depth}x{closer * depth}", files[name], count=1, flags=re.M
    )


def aliases(draw: Callable, files: Files) -> None:
    """Anchors and aliases: a billion laughs, a recursive anchor, or a record written twice by alias."""
    name = draw(st.sampled_from(sorted(files)))
    which = draw(st.sampled_from(["laughs", "recursive", "record", "value"]))
    text = files[name]
    if which == "laughs":
        levels = ['lol0: &l0 ["lol"]'] + [f"lol{i}: &l{i} [{', '.join([f'*l{i - 1}'] * 9)}]" for i in range(1, 10)]
        files[name] = "\n".join(levels) + "\n" + text
    elif which == "recursive":
        files[name] = re.sub(r"^(\s*)(label: .*)$", r"\1\2\n\1synonyms: &loop [a, *loop]", text, count=1, flags=re.M)
    elif which == "record":
        anchored = re.sub(r"^- id: ", "- &rec\n  id: ", text, count=1, flags=re.M)
        files[name] = anchored + ("- *rec\n" if anchored != text else "")
    else:
        text = re.sub(r"^(\s*)label: ", r"\1label: &lab ", text, count=1, flags=re.M)
        files[name] = re.sub(r"^(\s*)(definition|note): .*$", r"\1\2: *lab", text, count=1, flags=re.M)


def text_edit(draw: Callable, files: Files) -> None:
    """Raw edits of a file's text: a duplicated line (duplicate keys), inserted text or bytes, a cut."""
    name = draw(st.sampled_from(sorted(files)))
    lines = files[name].splitlines(keepends=True)
    at = draw(st.integers(0, max(len(lines) - 1, 0)))
    which = draw(st.sampled_from(["duplicate", "insert", "cut", "tab", "bytes"]))
    if which == "duplicate" and lines:
        lines.insert(at, lines[at])
    elif which == "insert":
        lines.insert(at, draw(TEXT) + "\n")
    elif which == "cut":
        files[name] = "".join(lines)[: draw(st.integers(0, len(files[name])))]
        return
    elif which == "tab" and lines:
        lines[at] = "\t" + lines[at]
    elif which == "bytes":
        raw = draw(st.binary(min_size=1, max_size=8))
        files[name] = "".join(lines[:at]) + raw.decode("latin-1") + "".join(lines[at:])
        files[name] = "\0latin1\0" + files[name]  # written as bytes below
        return
    files[name] = "".join(lines)


MUTATIONS = [
    wrong_value,
    number_out_of_range,
    drop_key,
    unknown_key,
    bad_identifier,
    bad_quote,
    deep_nesting,
    aliases,
    text_edit,
]


@st.composite
def mutated_folders(draw: Callable) -> Files:
    files = seed_files()
    for mutation in draw(st.lists(st.sampled_from(MUTATIONS), min_size=1, max_size=3)):
        mutation(draw, files)
    return files


def write_files(folder: Path, files: Files) -> Path:
    for relative, text in files.items():
        path = folder / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        if text.startswith("\0latin1\0"):  # arbitrary bytes: written as they are, not as UTF-8
            path.write_bytes(text.removeprefix("\0latin1\0").encode("latin-1", errors="replace"))
        else:
            path.write_bytes(text.encode("utf-8", errors="surrogatepass"))
    return folder


# --- running one example -------------------------------------------------------------------------


class ExampleTimeout(Exception):
    pass


@contextmanager
def time_limit(seconds: int) -> Iterator[None]:
    def expire(_signum: int, _frame: object) -> None:
        raise ExampleTimeout(f"an example ran longer than {seconds} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


@cache
def _ontology(folder: Path | None = None) -> Ontology:
    return Ontology(folder)


@pytest.fixture
def cached_ontology(monkeypatch):
    """The ontology is the same for every example: read it once (the facts are what is fuzzed)."""
    monkeypatch.setattr(her2kg.build, "Ontology", _ontology)


def assert_built_or_reported(facts: Path, out: Path) -> str:
    """Check and (when valid) build `facts`; return 'built' or 'reported'. Any other outcome fails."""
    try:
        checked = check_facts(facts, validator="fast")
    except (FactsError, ValidationError) as err:
        assert err.exit_code == 1
        assert err.problems, "an error without a problem"
        for problem in err.problems:
            assert WHERE.match(str(problem)), f"not FILE:LINE: {problem}"
        return "reported"
    build_release(out_dir=out, checked=checked)
    return "built"


def test_the_seed_builds(tmp_path, cached_ontology):
    assert assert_built_or_reported(write_seed(tmp_path / "facts"), tmp_path / "dist") == "built"


@settings(settings.get_profile(PROFILE))
@given(files=mutated_folders())
def test_mutated_facts_build_or_report_file_line(files, tmp_path_factory, cached_ontology):
    folder = tmp_path_factory.mktemp("fuzz")
    write_files(folder / "facts", files)
    with time_limit(EXAMPLE_SECONDS):
        assert_built_or_reported(folder / "facts", folder / "dist")


# --- the command line, in a subprocess with a memory cap -------------------------------------------

MEMORY_CAP = 2 * 1024**3  # far above a normal build's needs; a billion laughs expanded would pass it


def _capped() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_CAP, MEMORY_CAP))


@settings(settings.get_profile(PROFILE), max_examples=max(6, settings.get_profile(PROFILE).max_examples // 10))
@given(files=mutated_folders())
def test_the_cli_exits_0_or_1_with_file_line_errors(files, tmp_path_factory):
    folder = tmp_path_factory.mktemp("cli")
    write_files(folder / "facts", files)
    result = subprocess.run(
        [sys.executable, "-m", "her2kg", "build", "--facts", "facts", "--out", "dist", "--validator", "fast"],
        cwd=folder,
        capture_output=True,
        text=True,
        errors="replace",
        timeout=120,
        preexec_fn=_capped,
    )
    assert result.returncode in (0, 1), result.stderr
    assert "Traceback" not in result.stderr
    if result.returncode == 1:
        *problems, summary = result.stderr.strip().splitlines()
        assert summary.startswith("build failed:"), result.stderr
        assert all(WHERE.match(line) or line.startswith("(") for line in problems), result.stderr


def test_a_billion_laughs_is_refused_in_bounded_memory(tmp_path):
    laughs = ['a: &l0 ["lol"]'] + [f"l{i}: &l{i} [{', '.join([f'*l{i - 1}'] * 9)}]" for i in range(1, 10)]
    (tmp_path / "facts").mkdir()
    (tmp_path / "facts" / "laughs.yaml").write_text("\n".join(laughs) + "\ndrugs: *l9\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["build", "--facts", str(tmp_path / "facts"), "--out", str(tmp_path / "dist")])
    assert result.exit_code == 1
    assert "alias" in result.stderr
