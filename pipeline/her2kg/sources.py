"""The source texts the facts quote, and the check that every quote is its source's exact words.

`sources/sources.yaml` lists one entry per publication: the shipped text (only where its licence
allows it), the SHA-256 of the exact text the facts were curated from, its licence and attribution.
A curator's own copy of a text that is not shipped is recognised by that checksum, whatever the
file is called.

A quote matches when it occurs in its named source after runs of whitespace are collapsed to one
space on both sides. Nothing else is normalised (no case folding, no dash or quotation-mark
changes): a quote must stay the source's words.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import accumulate
from pathlib import Path

import yaml

from .errors import EnvironmentProblem, FactsError, Location, Problem, UsageError
from .facts import Entry, Facts, Record
from .resources import files, resolve

MANIFEST = "sources.yaml"
SHOWN_FOLDER = "sources"  # how messages name the folder: the same in a checkout and in the package
_REQUIRED = ("publication", "sha256", "licence", "attribution", "published")
_OPTIONAL = ("file", "licence-url")
_SHA256 = re.compile(r"^[0-9a-f]{64}$")
_WORD = re.compile(r"\w+")
_PASSAGE_CHARS = 200
_KEY = 24  # characters of a quote, from a word start on, that index it for the search


def normalise(text: str) -> str:
    """Collapse every run of whitespace to one space and trim the ends; change nothing else.

    (str.split() splits at exactly the characters that the regular expression \\s matches.)"""
    return " ".join(text.split())


def sha256_of(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@dataclass(frozen=True)
class Source:
    """One entry of sources.yaml."""

    publication: str
    sha256: str
    licence: str
    attribution: str
    published: str
    file: str | None = None  # relative to the sources folder; None when the text is not shipped
    licence_url: str | None = None


@dataclass(frozen=True)
class Text:
    """A source text that quotes can be checked against."""

    source: Source
    shown: str  # how messages name the file
    words: str  # the text, whitespace-normalised


@dataclass
class Library:
    """The manifest's sources and the texts available for them (shipped or the curator's copies)."""

    folder: Path
    sources: dict[str, Source]
    texts: dict[str, Text]
    copies: dict[str, str] = field(default_factory=dict)  # publication → the curator's copy used


@dataclass
class QuoteReport:
    """What the quote check found: problems at each quote's line, and counts per source."""

    problems: list[Problem]
    checked: dict[str, int]  # publication → quotes checked against its text
    unchecked: dict[str, int]  # publication → quotes not checked: its text is not available
    unlisted: list[str]  # quoted publications that sources.yaml does not list
    copies: dict[str, str]  # publication → the curator's copy its quotes were checked against

    def as_dict(self) -> dict:
        """The counts for build-report.json (no paths: a report must not depend on the machine)."""
        return {"checked": dict(sorted(self.checked.items())), "not_checked": dict(sorted(self.unchecked.items()))}

    def summary(self) -> str:
        """One line: e.g. 'quotes checked: 1,480 in 3 sources; 147 in 2 sources not checked (…) — …'."""
        line = f"quotes checked: {sum(self.checked.values()):,} in {_sources(len(self.checked))}"
        if self.copies:
            line += f" (your copies: {', '.join(f'{p} = {c}' for p, c in sorted(self.copies.items()))})"
        if not self.unchecked:
            return line
        not_shipped = sorted(p for p in self.unchecked if p not in self.unlisted)
        reasons = ([f"text not shipped: {', '.join(not_shipped)}"] if not_shipped else []) + (
            [f"not listed in {SHOWN_FOLDER}/{MANIFEST}: {', '.join(sorted(self.unlisted))}"] if self.unlisted else []
        )
        line += (
            f"; {sum(self.unchecked.values()):,} in {_sources(len(self.unchecked))} not checked ({'; '.join(reasons)})"
        )
        if not_shipped:
            line += " — pass --sources DIR with your copies"
        return line


def _sources(count: int) -> str:
    return f"{count} source{'s' if count != 1 else ''}"


# -- loading -------------------------------------------------------------------------------------


def load_library(folder: Path | None = None, copies_dir: Path | None = None) -> Library:
    """Read the manifest, verify every shipped text against its SHA-256, and add the curator's copies.

    `folder` is the sources folder (default: the checkout's `sources/`, else the packaged copy);
    `copies_dir` holds the curator's copies (*.txt), matched to sources by their SHA-256.
    Raises FactsError when the manifest is malformed or a shipped text differs from its checksum,
    UsageError when `copies_dir` is not a folder or holds a text that is no source's exact text.
    """
    if folder is None:
        try:
            folder = resolve("sources").path
        except FileNotFoundError as err:
            raise EnvironmentProblem(str(err)) from err
    manifest = Path(folder) / MANIFEST
    if not manifest.is_file():
        raise UsageError(
            f"{folder}: no {MANIFEST} — the source texts' manifest (publication, file, sha256, "
            "licence …) is missing; restore the sources/ folder of her2kg"
        )
    sources = _read_manifest(manifest)
    problems: list[Problem] = []
    texts: dict[str, Text] = {}
    for source in sources.values():
        if source.file is None:
            continue
        text = _read_shipped(Path(folder), source, problems)
        if text is not None:
            texts[source.publication] = text
    if problems:
        raise FactsError(problems)
    library = Library(Path(folder), sources, texts)
    if copies_dir is not None:
        _add_copies(library, Path(copies_dir))
    return library


def _read_manifest(path: Path) -> dict[str, Source]:
    shown = f"{SHOWN_FOLDER}/{MANIFEST}"
    try:
        document = yaml.compose(path.read_text(encoding="utf-8"), Loader=yaml.SafeLoader)
    except (UnicodeDecodeError, yaml.YAMLError) as err:
        mark = getattr(err, "problem_mark", None)
        raise FactsError(
            [
                Problem(
                    Location(shown, mark.line + 1 if mark else 1),
                    f"cannot read the manifest: {err} — fix the syntax here",
                )
            ]
        ) from err
    entries = None
    if isinstance(document, yaml.MappingNode):
        entries = next((v for k, v in document.value if k.value == "sources"), None)
    if not isinstance(entries, yaml.SequenceNode):
        raise FactsError(
            [
                Problem(
                    Location(shown, 1),
                    "the manifest must hold 'sources:', a list of entries "
                    "(publication, file, sha256, licence, attribution, published)",
                )
            ]
        )
    problems: list[Problem] = []
    sources: dict[str, Source] = {}
    for node in entries.value:
        place = Location(shown, node.start_mark.line + 1)
        if not isinstance(node, yaml.MappingNode):
            problems.append(Problem(place, "an entry must be a mapping of 'key: value' lines"))
            continue
        values = {k.value: v.value for k, v in node.value if isinstance(v, yaml.ScalarNode) and v.value.strip()}
        unknown = sorted({k.value for k, _ in node.value} - set(_REQUIRED) - set(_OPTIONAL))
        missing = [key for key in _REQUIRED if key not in values]
        if unknown or missing:
            problems.append(
                Problem(
                    place,
                    "; ".join([f"unknown key '{k}'" for k in unknown] + [f"the entry lacks '{k}'" for k in missing]),
                )
            )
            continue
        if not _SHA256.match(values["sha256"]):
            problems.append(Problem(place, f"sha256 of '{values['publication']}' must be 64 lower-case hex digits"))
            continue
        if values["publication"] in sources:
            problems.append(Problem(place, f"'{values['publication']}' is listed twice; keep one entry"))
            continue
        sources[values["publication"]] = Source(
            values["publication"],
            values["sha256"],
            values["licence"],
            values["attribution"],
            values["published"],
            values.get("file"),
            values.get("licence-url"),
        )
    if problems:
        raise FactsError(problems)
    return sources


def _read_shipped(folder: Path, source: Source, problems: list[Problem]) -> Text | None:
    assert source.file is not None
    shown = f"{SHOWN_FOLDER}/{source.file}"
    path = folder / source.file
    if not path.is_file():
        problems.append(
            Problem(
                Location(shown, 0),
                f"the text of '{source.publication}' named in {MANIFEST} "
                "is missing — restore the file, or remove 'file:' from its entry",
            )
        )
        return None
    digest = sha256_of(path)
    if digest != source.sha256:
        problems.append(
            Problem(
                Location(shown, 0),
                f"SHA-256 {digest[:12]}… differs from {MANIFEST} ({source.sha256[:12]}…): this must be "
                "the exact text the facts were curated from — restore the file; for a new edition "
                f"of the text, update sha256 in {MANIFEST} and rebuild to re-check every quote",
            )
        )
        return None
    return _text(source, path, shown, problems)


def _text(source: Source, path: Path, shown: str, problems: list[Problem]) -> Text | None:
    try:
        return Text(source, shown, normalise(path.read_text(encoding="utf-8")))
    except UnicodeDecodeError as err:
        problems.append(Problem(Location(shown, 0), f"not UTF-8 text ({err.reason} at byte {err.start})"))
        return None


def _add_copies(library: Library, copies_dir: Path) -> None:
    if not copies_dir.is_dir():
        raise UsageError(
            f"--sources {copies_dir}: not a folder — give the folder holding your copies of the source texts (*.txt)"
        )
    by_checksum = {s.sha256: s for s in library.sources.values()}
    wrong: list[str] = []
    problems: list[Problem] = []
    for path in files(copies_dir, "*.txt"):
        digest = sha256_of(path)
        source = by_checksum.get(digest)
        if source is None:
            named = [p for p in library.sources if p in path.name]
            what = f"the exact text of '{named[0]}'" if named else "the exact text of any source"
            wrong.append(f"{path} is not {what} (SHA-256 {digest[:12]}…)")
        elif source.publication not in library.texts:
            text = _text(source, path, str(path), problems)
            if text is not None:
                library.texts[source.publication] = text
                library.copies[source.publication] = str(path)
    if problems:
        raise FactsError(problems)
    if wrong:
        expected = ", ".join(f"{s.publication} {s.sha256[:12]}…" for s in library.sources.values() if s.file is None)
        raise UsageError(
            f"--sources {copies_dir}: "
            + "; ".join(wrong)
            + f" — a copy must be the text exactly as published, unedited (expected SHA-256: {expected});"
            " fix or remove the file"
        )


# -- checking --------------------------------------------------------------------------------------


def check_quotes(facts: Facts, library: Library) -> QuoteReport:
    """Check every quote of every record and evidence entry against the text of its named source."""
    checked: dict[str, int] = {}
    unchecked: dict[str, int] = {}
    # (publication, quote's words, where it is written), in the order of the facts
    pending: list[tuple[str, str, Location]] = []
    for values, lines, file in _quoting(facts.records):
        publication = str(values.get("source", "")).rpartition("/")[2]
        quotes = values["quote"] if isinstance(values["quote"], list) else [values["quote"]]
        if publication not in library.texts:
            unchecked[publication] = unchecked.get(publication, 0) + len(quotes)
            continue
        checked[publication] = checked.get(publication, 0) + len(quotes)
        for index, quote in enumerate(quotes):
            line = lines.get(f"quote[{index}]", lines.get("quote", 0))
            pending.append((publication, normalise(quote), Location(file, line)))
    wanted: dict[str, set[str]] = {}
    for publication, words, _ in pending:
        wanted.setdefault(publication, set()).add(words)
    found = {publication: occurring(quotes, library.texts[publication].words) for publication, quotes in wanted.items()}
    problems = [
        Problem(place, _not_found(words, library.texts[publication], library))
        for publication, words, place in pending
        if words not in found[publication]
    ]
    unlisted = sorted(p for p in unchecked if p not in library.sources)
    return QuoteReport(problems, checked, unchecked, unlisted, dict(library.copies))


def occurring(quotes: set[str], text: str) -> set[str]:
    """The quotes that occur in `text` (all whitespace-normalised), found in one pass over the text.

    Searching a long source once per quote costs the text's length each time. But in a normalised
    text a quote with a space in it can only sit where the characters after its first space begin
    a word of the text; so the quotes are indexed by those characters, and each word start of the
    text is looked up in that index and compared in place. Quotes without a long enough stretch
    after a space are searched for whole.
    """
    found: set[str] = set()
    by_key: dict[str, list[tuple[str, int]]] = {}  # the KEY characters after the first space → (quote, offset)
    for quote in quotes:
        offset = quote.find(" ") + 1
        if offset and len(quote) - offset >= _KEY:
            by_key.setdefault(quote[offset : offset + _KEY], []).append((quote, offset))
        elif quote in text:
            found.add(quote)
    if by_key:
        starts = accumulate((len(word) + 1 for word in text.split(" ")), initial=0)  # where each word begins
        for position in [p for p in starts if text[p : p + _KEY] in by_key]:
            for quote, offset in by_key[text[position : position + _KEY]]:
                if position >= offset and text.startswith(quote, position - offset):
                    found.add(quote)
    return found


def _quoting(records: list[Record]) -> Iterator[tuple[dict, dict, str]]:
    """(values, lines, file) of every record and nested evidence entry that carries a quote."""
    for record in records:
        if "quote" in record.values:
            yield record.values, record.lines, record.location.file
        for value in record.values.values():
            if isinstance(value, list):
                for item in value:
                    if isinstance(item, Entry) and "quote" in item.values:
                        yield item.values, item.lines, item.location.file


def _not_found(words: str, text: Text, library: Library) -> str:
    publication = text.source.publication
    elsewhere = [p for p, other in sorted(library.texts.items()) if p != publication and words in other.words]
    if elsewhere:
        return (
            f"quote not found in its source '{publication}' — it is in '{elsewhere[0]}': "
            "correct the source, or copy the exact words from " + text.shown
        )
    return (
        f"quote not found in its source '{publication}' — copy the exact words from {text.shown}"
        f' (closest passage: "{closest_passage(words, text.words)}")'
    )


def closest_passage(quote: str, text: str) -> str:
    """The stretch of `text` as long as `quote` (in words) that shares the most of its words.

    Words count by rarity (a drug name outweighs 'the'), and the window slides with running counts,
    so this takes milliseconds even on a long review.
    """
    words = [(m.group().lower(), m.start(), m.end()) for m in _WORD.finditer(text)]
    wanted = Counter(w.lower() for w in _WORD.findall(quote))
    if not words or not wanted:
        return ""
    size = min(sum(wanted.values()), len(words))
    frequency = Counter(word for word, _, _ in words)
    weight = {word: 1 / (1 + frequency[word]) for word in wanted}
    window: Counter[str] = Counter()
    score = best = 0.0
    best_start = 0
    for end, (word, _, _) in enumerate(words):
        if window[word] < wanted.get(word, 0):
            score += weight[word]
        window[word] += 1
        start = end - size + 1
        if start < 0:
            continue
        if score > best:
            best, best_start = score, start
        leaving = words[start][0]
        window[leaving] -= 1
        if window[leaving] < wanted.get(leaving, 0):
            score -= weight[leaving]
    first, last = words[best_start][1], words[best_start + size - 1][2]
    first = text.rfind(" ", 0, first) + 1  # whole whitespace-separated words: keep '(' and ')' around them
    last = text.find(" ", last) if " " in text[last:] else len(text)
    passage = text[first:last]
    return passage if len(passage) <= _PASSAGE_CHARS else passage[:_PASSAGE_CHARS].rsplit(" ", 1)[0] + " …"
