"""Draft claims from a source text, for a curator to review: `her2kg extract SLUG`.

Everything runs locally from the text and the graph's own entity records (never its claims):

1. the text is cut into blocks at blank lines; a short block that looks like a heading names the
   section, the others are split into sentences by pysbd, keeping character offsets, so every quote
   is a verbatim stretch of the text;
2. one matcher built from the entity records (labels, synonyms, code names, symbols, identifiers,
   variant notations) finds the mentions in each sentence;
3. relation patterns (cue words, and the kinds of record a subject and an object may be) propose
   subject–relation–object drafts within one clause, the subject before the cue and the objects
   after it ("where subject and object stand" below), with a hedge from the wording, a suggested
   evidence kind and a confidence; numbers with units next to a known trial propose outcome drafts;
4. entity-like words the graph does not know (gene-symbol-like tokens, drug-like names) are listed
   as candidates for new records.

The drafts file (`facts/drafts/<slug>.yaml`) is YAML the loader reads under the top-level key
`drafts:`; a draft counts only once the curator sets its `review:` to `accepted`.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from decimal import Decimal
from pathlib import Path

import pysbd
import yaml

from .errors import UsageError
from .facts import DRAFT_ACCEPTED as ACCEPTED
from .facts import DRAFT_PENDING as PENDING
from .facts import Facts, Record

MAX_QUOTE = 300  # the loader's limit on a quote's length (docs/facts-format.md)

# Kinds whose records can be the subject or object of a drafted claim or outcome.
MENTIONED_KINDS = (
    "drug",
    "drug-class",
    "gene",
    "protein-form",
    "variant",
    "pathway",
    "mechanism",
    "strategy",
    "trial",
    "study",
    "disease",
    "cell-type",
    "endpoint",
)
# When one name belongs to several records, the more specific kind wins.
_KIND_RANK = {kind: rank for rank, kind in enumerate(MENTIONED_KINDS)}
DRUGLIKE = ("drug", "drug-class")
ALTERATION = ("variant", "gene", "protein-form", "pathway")


# -- reading the text -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Sentence:
    start: int  # character offsets into the text
    end: int
    text: str
    section: str


_HEADING_END = re.compile(r"[.;,:]$")
_BLOCK = re.compile(r"\S(?:.*\S)?(?:\n[ \t]*\S.*)*", re.MULTILINE)  # lines up to a blank line


def _is_heading(block: str) -> bool:
    """A one-line block of a few words, capitalised or numbered, with no sentence punctuation at its end."""
    line = block.strip().lstrip("#").strip()
    if "\n" in block.strip() or not line or len(line) > 100 or _HEADING_END.search(line):
        return False
    words = line.split()
    return len(words) <= 12 and (line[0].isupper() or line[0].isdigit()) and not line[0:4].isdigit()


def sentences(text: str) -> list[Sentence]:
    """The text's sentences with their offsets and the heading above them (first heading: 'Body')."""
    splitter = pysbd.Segmenter(language="en", clean=False, char_span=True)
    section = "Body"
    found: list[Sentence] = []
    for block in _BLOCK.finditer(text):
        if _is_heading(block.group()):
            section = block.group().strip().lstrip("#").strip()
            continue
        body_start = block.start()
        first, newline, _ = block.group().partition("\n")
        if newline and _is_heading(first) and len(first.split()) <= 8 and "\t" not in first:
            # A heading printed right above its paragraph, without a blank line between them.
            section = first.strip().lstrip("#").strip()
            body_start += len(first) + 1
        body = text[body_start : block.end()]
        for span in splitter.segment(body):
            piece = span.sent.strip()
            if not piece:
                continue
            offset = body_start + span.start + (len(span.sent) - len(span.sent.lstrip()))
            found.append(Sentence(offset, offset + len(piece), piece, section))
    return found


# -- finding mentions -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Mention:
    start: int  # offsets within the sentence
    end: int
    text: str
    refs: tuple[str, ...]  # kind/id of every record with this name, the most specific kind first
    inner: tuple[Mention, ...] = ()  # the shorter names it hides ("trastuzumab" in "resistance to trastuzumab")

    @property
    def ref(self) -> str:
        return self.refs[0]

    def of_kinds(self, kinds: tuple[str, ...]) -> list[str]:
        return [ref for ref in self.refs if ref.split("/", 1)[0] in kinds]


_SYMBOL_LIKE = re.compile(r"^[A-Z0-9][A-Za-z0-9/-]{0,9}$")  # HER2, PIK3CA, T-DM1: case matters
_CHANGE = re.compile(r"^[A-Z]\d+[A-Z*]?$")  # L755S, H1047R


def _plural(term: str) -> str | None:
    if not term[-1:].islower() or term.endswith("s"):  # no "L755Ss"
        return None
    if term.endswith("y") and not term.endswith(("ay", "ey", "oy")):
        return term[:-1] + "ies"
    return term + ("es" if term.endswith(("x", "sh", "ch")) else "s")


def _names(record: Record, genes: dict[str, Record]) -> Iterator[str]:
    """Every way the texts may name a record."""
    values = record.values
    yield values.get("label", "")
    yield from values.get("synonyms", [])
    yield from values.get("code-names", [])
    for key in ("symbol", "nct"):
        if isinstance(values.get(key), str):
            yield values[key]
    for identifier, _line in values.get("identifiers", {}).values():
        text = str(identifier)
        if text.upper().startswith("NCT"):
            yield text.rsplit(":", maxsplit=1)[-1]
    change = values.get("change")
    if record.kind.name == "variant" and isinstance(change, str) and _CHANGE.match(change):
        yield change
        yield f"p.{change}"
        gene = genes.get(str(values.get("gene", "")))
        if gene is not None:
            for name in _names(gene, {}):
                if _SYMBOL_LIKE.match(name):
                    yield f"{name} {change}"


class Matcher:
    """Finds mentions of the graph's entities: one compiled alternation for names whose case
    matters (gene symbols, code names) and one for the others, longest name first."""

    def __init__(self, facts: Facts):
        genes = {r.ref: r for r in facts.of_kind("gene")}
        refs: dict[str, set[str]] = {}
        for record in facts.records:
            if record.kind.name not in MENTIONED_KINDS:
                continue
            for raw in _names(record, genes):
                name = raw.strip()
                if len(name) < 2 or (len(name) < 3 and not name.isupper()):
                    continue
                forms = [name]
                if record.kind.name == "drug-class" or not _SYMBOL_LIKE.match(name):
                    plural = _plural(name)
                    forms += [plural] if plural else []
                for form in forms:
                    refs.setdefault(form, set()).add(record.ref)
        self.refs = {
            name: tuple(sorted(found, key=lambda r: (_KIND_RANK[r.split("/")[0]], r))) for name, found in refs.items()
        }
        exact = sorted((n for n in self.refs if _SYMBOL_LIKE.match(n)), key=lambda n: (-len(n), n))
        folded = sorted((n for n in self.refs if not _SYMBOL_LIKE.match(n)), key=lambda n: (-len(n), n))
        self.folded_refs: dict[str, tuple[str, ...]] = {n.lower(): self.refs[n] for n in folded}
        self.exact = _alternation(exact, 0)
        self.folded = _alternation(folded, re.IGNORECASE)
        self.known_words = {n.lower() for n in self.refs}

    def mentions(self, text: str) -> list[Mention]:
        found = [Mention(m.start(), m.end(), m.group(), self.refs[m.group()]) for m in self.exact.finditer(text)]
        found += [
            Mention(m.start(), m.end(), m.group(), self.folded_refs[m.group().lower()])
            for m in self.folded.finditer(text)
        ]
        # Longest first, then earliest: a longer name hides the shorter names inside it, but lends
        # its records the records of a name covering most of it ("HER2 L755S mutation", a
        # mechanism, also names the variant "HER2 L755S"; "HER2-positive breast cancer" is no gene).
        kept: list[Mention] = []
        for mention in sorted(found, key=lambda m: (-(m.end - m.start), m.start)):
            if all(mention.end <= k.start or mention.start >= k.end for k in kept):
                kept.append(mention)
        return [
            Mention(
                m.start,
                m.end,
                m.text,
                tuple(dict.fromkeys(m.refs + self._inner_refs(m.text))),
                tuple(sorted({f for f in found if m.start <= f.start and f.end <= m.end and f != m}, key=_position)),
            )
            for m in sorted(kept, key=lambda m: m.start)
        ]

    def _inner_refs(self, name: str) -> tuple[str, ...]:
        """The records of the names, of whole words, that cover more than half of `name`."""
        words = [(w.start(), w.end()) for w in re.finditer(r"\S+", name)]
        found: list[str] = []
        for i, (start, _) in enumerate(words):
            for _, end in words[i:]:
                part = name[start:end]
                if part != name and 2 * len(part) > len(name):
                    found += self.refs.get(part, ()) or self.folded_refs.get(part.lower(), ())
        return tuple(found)


def _position(mention: Mention) -> tuple[int, int]:
    return mention.start, mention.end


def _alternation(names: list[str], flags: int) -> re.Pattern[str]:
    if not names:
        return re.compile(r"(?!x)x")
    return re.compile(r"(?<![\w])(?:" + "|".join(re.escape(n) for n in names) + r")(?![\w])", flags)


# -- numbers with units ---------------------------------------------------------------------------

NCT = re.compile(r"\bNCT\d{8}\b")
_NUM = r"(\d+(?:\.\d+)?)"
HAZARD = re.compile(r"\b(?:HR|hazard ratio)\b[\]\s,:=]*(?:of\s+)?" + _NUM)
CI = re.compile(r"\b(\d{2})\s*%\s*(?:CI|confidence interval)\b[\s,:=]*" + _NUM + r"\s*(?:-|–|—|to|,)\s*" + _NUM)
P_VALUE = re.compile(r"\b[pP]\s*([<>=≤]|&lt;)\s*(0?\.\d+)")
MONTHS = re.compile(_NUM + r"\s*(months|weeks)\b")
PERCENT = re.compile(_NUM + r"\s*%")


# -- relation patterns ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Pattern:
    """A relation drafted when a cue occurs in a clause that names a subject of `subjects` kinds and
    an object of `objects` kinds; `order` says where each must stand (see `_pairs`)."""

    relation: str
    cue: re.Pattern[str]
    subjects: tuple[str, ...]
    objects: tuple[str, ...]
    weight: float
    between: int = 0  # >0: the cue must stand between the two mentions, at most this many characters apart
    fallback: bool = True  # drafted for a sentence no cue matched, from the kinds of its mentions alone
    apart: re.Pattern[str] | None = None  # words that part the clause into segments no pair crosses
    # "cue": subject before the cue, objects after it (or a passive: "inhibited by X", "caused by X");
    # "text": subject first in the text, the cue anywhere in the clause; "any": either order (the
    # kinds alone tell subject from object, and the texts name them either way: "TKIs, such as lapatinib").
    order: str = "text"


def _cue(words: str) -> re.Pattern[str]:
    # Not \b: a cue may start with a symbol ("(", "+") that stands after a space.
    return re.compile(r"(?<!\w)(?:" + words + r")", re.IGNORECASE)


PATTERNS = (
    Pattern(
        "confers-resistance-to",
        _cue(r"resist|refractor|insensitiv|bypass|escape|evade|reduc\w* (?:the )?(?:efficacy|response|sensitivity)"),
        ALTERATION,
        DRUGLIKE,
        0.7,
        order="cue",
    ),
    Pattern("mechanism-of-resistance-to", _cue(r"resist|mechanism"), ("mechanism",), DRUGLIKE, 0.6, order="cue"),
    Pattern(
        "confers-sensitivity-to",
        _cue(r"sensitiv|respon|benefit|effective|efficac|restor|susceptib"),
        ALTERATION,
        DRUGLIKE,
        0.5,
        order="cue",
    ),
    Pattern(
        "in-class",
        _cue(r"such as|e\.g\.|including|is an?|\(|class|inhibitor|agent|antibod"),
        ("drug",),
        ("drug-class",),
        0.6,
        order="any",
    ),
    Pattern(
        "inhibits",
        _cue(r"inhibit|block|suppress|blockade|antagon|degrad|prevent|abrogat"),
        DRUGLIKE,
        ("gene", "pathway", "protein-form", "variant"),
        0.6,
        order="cue",
    ),
    Pattern(
        "targets",
        _cue(r"target|directed|bind|anti-|against|selective"),
        ("drug",),
        ("gene", "protein-form", "variant"),
        0.6,
        order="cue",
    ),
    Pattern(
        "combined-with",
        _cue(r"combin|plus|with|\+|together|dual|added"),
        ("drug",),
        ("drug",),
        0.5,
        between=80,
        # Comparator arms and sequences, not a combination: "A plus B improved PFS over C plus B".
        apart=_cue(r"versus|vs\b|over\b|compared|than|or\b|after|resist|;"),
        order="cue",
    ),
    Pattern(
        "overcomes",
        _cue(r"overcom|revers|restor|circumvent|rescue|effective|strateg|re-?sensiti"),
        ("strategy", "drug", "drug-class"),
        ("mechanism",),
        0.5,
        order="cue",
    ),
    Pattern(
        "activates",
        _cue(r"activat|stimulat|trigger|induc|signal|upregulat|increas|hyperactiv"),
        ("gene", "variant", "protein-form", "drug", "pathway"),
        ("pathway", "gene"),
        0.5,
        fallback=False,
        order="cue",
    ),
    Pattern(
        "part-of",
        _cue(r"member|famil|part of|component|belong|compos|consist|subunit|pathway|such as|including|\("),
        ("gene", "drug", "pathway", "mechanism"),
        ("gene", "pathway", "drug", "mechanism"),
        0.4,
        between=80,
        fallback=False,
        order="any",
    ),
    Pattern("variant-of", _cue(r"mutat|alteration|variant|amplif|loss|in\b|of\b"), ("variant",), ("gene",), 0.6),
    Pattern("truncated-form-of", _cue(r"truncat|form|fragment"), ("protein-form",), ("gene",), 0.6),
    Pattern("tested-in", _cue(r"trial|study|phase|NCT|random|evaluat"), DRUGLIKE, ("trial", "study"), 0.5, order="any"),
    Pattern(
        "associated-with-poor-prognosis",
        _cue(r"prognos|survival|aggressive|worse|poor"),
        ALTERATION,
        ("disease",),
        0.5,
    ),
    Pattern(
        "biomarker-for",
        _cue(r"biomarker|predict|associated with|benefit|outcome"),
        ALTERATION,
        DRUGLIKE,
        0.4,
        order="cue",
    ),
    Pattern(
        "expressed-in",
        _cue(r"express|overexpress|found in|present in|detected"),
        ALTERATION,
        ("disease",),
        0.4,
        fallback=False,
    ),
    Pattern("expressed-on", _cue(r"express|on the|surface"), ("gene", "protein-form"), ("cell-type",), 0.5),
    Pattern("has-payload", _cue(r"payload|conjugat|linked|carr"), ("drug",), ("drug",), 0.6),
    Pattern(
        "upstream-of",
        _cue(r"downstream|upstream|regulat"),
        ("gene", "pathway"),
        ("gene", "pathway"),
        0.4,
        fallback=False,
    ),
)
_HEDGES = (
    ("hypothesised", _cue(r"hypothes|speculat")),
    ("possible", _cue(r"may\b|might\b|could\b|possibl|potential")),
    ("suggested", _cue(r"seem|appear|suggest|indicat")),
)
_EVIDENCE = (
    ("clinical-phase-3", _cue(r"phase (?:3|III)\b")),
    ("clinical-phase-2", _cue(r"phase (?:2|II)\b")),
    ("clinical-phase-1", _cue(r"phase (?:1|I|Ib|1b)\b")),
    ("retrospective-analysis", _cue(r"retrospective|biomarker analys|post hoc|exploratory analys")),
    ("genomic-profiling", _cue(r"sequencing|genomic profil|exome")),
    ("in-vivo", _cue(r"in vivo|xenograft|mice|mouse|animal model")),
    ("in-vitro", _cue(r"in vitro|cell lines?\b")),
    ("preclinical", _cue(r"preclinical|pre-clinical|laborator")),
    ("case-report", _cue(r"case report")),
    ("clinical-trial", _cue(r"\btrial|NCT\d")),
)


def hedge_of(text: str) -> str:
    for hedge, cue in _HEDGES:
        if cue.search(text):
            return hedge
    return "stated"


def evidence_of(text: str) -> str:
    for evidence, cue in _EVIDENCE:
        if cue.search(text):
            return evidence
    return "review-statement"


# -- drafts --------------------------------------------------------------------------------------


@dataclass
class Draft:
    kind: str  # "claim" or "outcome"
    fields: dict[str, object]  # the record's own fields, in the order they are written
    confidence: float
    why: str  # the comment above the draft: what the extractor saw
    start: int  # the quote's offsets in the text
    end: int

    @property
    def triple(self) -> tuple[str, str, str]:
        return (str(self.fields.get("subject")), str(self.fields.get("relation")), str(self.fields.get("object")))


@dataclass
class Candidate:
    term: str
    suggested_kind: str
    count: int
    section: str
    quote: str


@dataclass
class Extraction:
    source: str
    drafts: list[Draft]
    candidates: list[Candidate]
    sentences: int
    mentions: int


def _quote_span(sentence: Sentence, first: int, last: int) -> tuple[int, int]:
    """The sentence, or where it is longer than a quote may be, a verbatim stretch of whole words
    around the two mentions (offsets within the sentence)."""
    text = sentence.text
    if len(text) <= MAX_QUOTE:
        return 0, len(text)
    if last - first > MAX_QUOTE:
        return first, first  # the mentions are too far apart to quote together
    spare = MAX_QUOTE - (last - first)
    start = max(0, first - spare // 2)
    end = min(len(text), start + MAX_QUOTE)
    start = max(0, end - MAX_QUOTE)
    if start > 0:
        start = text.find(" ", start, first) + 1 if " " in text[start:first] else first
    if end < len(text):
        cut = text.rfind(" ", last, end)
        end = cut if cut > 0 else last
    return start, end


# -- where subject and object stand ---------------------------------------------------------------
#
# A sentence is cut into clauses at ";", ", and" (unless a name follows: "trastuzumab, pertuzumab,
# and docetaxel" is a list), ", which", "whereas", "while", "but", "however", "although": a cued
# relation never joins mentions of two clauses. For a relation of order "cue", each cue word in a
# clause makes the pairs:
# - subject: the nearest entity of a subject kind before the cue (with those coordinated with it:
#   "lapatinib and neratinib inhibit"), and the clause's first entity if it is of a subject kind;
#   in a clause opening with "which", "it", "they", "this" … with no subject before the cue, the
#   nearest one of the clauses before ("L755S is common; it confers resistance to lapatinib");
# - objects: the entities of an object kind after the cue, the one right before it ("trastuzumab
#   resistance", "HER2-targeted"), one whose name holds the cue ("topoisomerase I inhibitor"), and
#   those in a description of the subject ("deruxtecan, a topoisomerase I inhibitor");
# - a passive turns it round: "HER2 is inhibited by lapatinib", "can be overcome with neratinib"
#   (a form of "be", the cue word, then "by"/"with"/"via"/"through"; not for combined-with),
#   "resistance to lapatinib caused by L755S", "mechanisms of resistance to trastuzumab include …"
#   (objects up to "by", "via", "due to", "include", "such as" …, the subject after it, when none
#   stands before the cue);
# - with no subject before the cue, the first one right after it: "the HER2 inhibitor lapatinib";
# - a negation ("not", "no", "without" …) in the few words before the cue rules the cue out, and so
#   does "overcome", "reverse" … before a resistance cue ("neratinib may overcome resistance caused
#   by L755S" says nothing of resistance to neratinib);
# - a pattern's `apart` words part the clause: no pair crosses "over", "versus", "compared with" …

_CLAUSE_END = re.compile(
    r";|,\s+(?:and|which|whereas|while|but|although|though)\b|\b(?:whereas|while|but|however|although)\b",
    re.IGNORECASE,
)
_ANAPHOR = re.compile(r"[\s,;]*(?:which|it|they|this|these|both|the latter)\b", re.IGNORECASE)
_LIST_ITEM = re.compile(r"\s*(?:(?:the|a|an)\s+)?")
_PASSIVE_VERB = re.compile(r"\w*\s+(?:by|via|through|with)\b", re.IGNORECASE)
_TO_BE = re.compile(r"\b(?:is|are|was|were|be|been|being)\s+(?:\w+ly\s+)?$", re.IGNORECASE)
# After these words come the subjects of a cue with none before it: "resistance to lapatinib caused by
# L755S", "mechanisms of resistance to trastuzumab include p95HER2 expression".
_PASSIVE_LINK = re.compile(
    r"\b(?:by|via|through|due to|because of|owing to|includ\w*|involv\w*|such as|e\.g\.|is|are)(?!\w)", re.IGNORECASE
)
_NEGATED = re.compile(r"\b(?:not|no|never|without|fails? to|lack of)\b", re.IGNORECASE)
_OVERCOME = re.compile(r"\b(?:overcom|revers|circumvent|rescu|abrogat|restor|re-?sensiti)", re.IGNORECASE)
_RESISTANCE = frozenset({"confers-resistance-to", "mechanism-of-resistance-to"})
_BEFORE_CUE = 25  # characters before a cue searched for a negation
_NEXT_TO = 40  # characters after a cue within which "the HER2 inhibitor lapatinib" names its subject
_DEMONSTRATIVE = re.compile(r"\s*(?:this|these|that|those|such)\b", re.IGNORECASE)
_COORDINATED = re.compile(r"^\s*(?:,|/|and|or|,\s*and|,\s*or)?\s*(?:the\s+)?$")
_ADJACENT = re.compile(r"^[\s()-]*$")  # "HER2-targeted", "programmed cell death 1 (PD1) inhibitor"
# A subject followed by these words is described by the noun phrase up to the cue, whose entities are
# objects: "deruxtecan, a topoisomerase I inhibitor", "lapatinib is a dual HER2 and EGFR inhibitor".
_APPOSITION = re.compile(r"\s*(?:,|\(|is|are)\s*(?:an?|the)\s", re.IGNORECASE)


@dataclass(frozen=True)
class Clause:
    start: int
    end: int
    anaphoric: bool  # opens with a word standing for an entity of the clause before


def clauses(text: str, mentions: list[Mention]) -> list[Clause]:
    starts = {m.start for m in mentions}
    cuts: list[tuple[int, int]] = []  # (boundary start, boundary end)
    for match in _CLAUSE_END.finditer(text):
        word = match.group().lower()
        if word.startswith(",") and word.endswith("and"):
            item = _LIST_ITEM.match(text, match.end())
            if item is not None and item.end() in starts:
                continue
        cuts.append((match.start(), match.end()))
    found, start, anaphoric = [], 0, False
    for cut_start, cut_end in cuts:
        found.append(Clause(start, cut_start, anaphoric))
        word = text[cut_start:cut_end].lower()
        start, anaphoric = cut_end, word.endswith("which") or bool(_ANAPHOR.match(text, cut_end))
    found.append(Clause(start, len(text), anaphoric))
    return found


def _chain(mentions: list[Mention], at: int, kinds: tuple[str, ...], text: str, step: int) -> list[Mention]:
    """mentions[at] and those coordinated with it ("A, B and C") of `kinds`, walking by `step`."""
    found = [mentions[at]]
    i = at + step
    while 0 <= i < len(mentions) and mentions[i].of_kinds(kinds):
        left, right = (mentions[i], found[-1]) if step < 0 else (found[-1], mentions[i])
        if not _COORDINATED.match(text[left.end : right.start]):
            break
        found.append(mentions[i])
        i += step
    return found


def _nearest_before(mentions: list[Mention], kinds: tuple[str, ...], text: str) -> list[Mention]:
    for at in range(len(mentions) - 1, -1, -1):
        if mentions[at].of_kinds(kinds):
            return _chain(mentions, at, kinds, text, -1)
    return []


def _first_after(mentions: list[Mention], kinds: tuple[str, ...], text: str) -> list[Mention]:
    for at, mention in enumerate(mentions):
        if mention.of_kinds(kinds):
            return _chain(mentions, at, kinds, text, 1)
    return []


def _around_cue(
    pattern: Pattern, text: str, inside: list[Mention], clause: Clause, previous: list[Mention], before: list[Mention]
) -> Iterator[tuple[Mention, Mention]]:
    """Subject–object pairs of an order-"cue" pattern in one clause (rules above)."""
    for cue in pattern.cue.finditer(text, clause.start, clause.end):
        low, high = clause.start, clause.end
        for part in pattern.apart.finditer(text, clause.start, clause.end) if pattern.apart else ():
            if part.end() <= cue.start():
                low = part.end()
            elif part.start() >= cue.end():
                high = part.start()
                break
        window = text[max(low, cue.start() - _BEFORE_CUE) : cue.start()]
        if _NEGATED.search(window) or (pattern.relation in _RESISTANCE and _OVERCOME.search(window)):
            continue
        segment = [m for m in inside if low <= m.start and m.end <= high]
        ahead = [m for m in segment if m.end <= cue.start()]
        after = [m for m in segment if m.start >= cue.end()]
        # A name holding the cue names its object: "topoisomerase I inhibitor", "resistance to HER2-targeted agents".
        holding = [m for m in segment if m.start < cue.end() and m.end > cue.start()]
        word_end = cue.end() + len(re.match(r"\w*", text[cue.end() :]).group())  # type: ignore[union-attr]
        verbal = _PASSIVE_VERB.match(text, cue.end()) if _TO_BE.search(text, low, cue.start()) else None
        if verbal and pattern.relation != "combined-with":  # "HER2 is inhibited by lapatinib"
            subjects = _first_after([m for m in after if m.start >= verbal.end()], pattern.subjects, text)
            objects = _nearest_before(ahead, pattern.objects, text)
        else:
            subjects = _nearest_before(ahead, pattern.subjects, text)
            if ahead and ahead[0].of_kinds(pattern.subjects) and ahead[0] not in subjects:
                subjects.append(ahead[0])
            link = None if subjects else _PASSIVE_LINK.search(text, word_end, high)
            named = holding + [part for m in holding for part in m.inner]  # "resistance to trastuzumab"
            objects = [
                m for m in named + after if m.of_kinds(pattern.objects) and (link is None or m.end <= link.start())
            ]
            last = ahead[-1] if ahead else None
            if (
                last
                and last not in subjects
                and last.of_kinds(pattern.objects)
                and _ADJACENT.match(text[last.end : cue.start()])
            ):
                objects += _chain(ahead, len(ahead) - 1, pattern.objects, text, -1)
            if subjects and _APPOSITION.match(text, subjects[0].end):
                objects += [m for m in ahead if m.start >= subjects[0].end and m.of_kinds(pattern.objects)]
            if link is not None:  # "resistance to lapatinib caused by L755S"
                subjects = _first_after([m for m in after if m.start >= link.end()], pattern.subjects, text)
            if not subjects and clause.anaphoric:  # "which": the entity before it; "it", "they": the earlier subject
                earlier = previous if text[: clause.start].rstrip().lower().endswith("which") else previous[:1]
                subjects = _nearest_before(earlier, pattern.subjects, text)[:1]
            if not subjects:  # "the HER2 inhibitor lapatinib", "the combination of neratinib and fulvestrant"
                near = [m for m in after if m.start - cue.end() <= _NEXT_TO]
                subjects = _first_after(near, pattern.subjects, text)[:1]
                objects = [m for m in objects if m not in subjects]
        if not objects and (_DEMONSTRATIVE.match(text, word_end) or _DEMONSTRATIVE.match(text, low)):
            # "TKIs can overcome this mechanism", "This can be overcome by …": the one named in the sentence before
            objects = [replace(m, start=0, end=0) for m in _nearest_before(before, pattern.objects, text)[:1]]
        for subject in subjects:
            for obj in objects:
                if subject is not obj:
                    yield subject, obj


def _pairs(
    pattern: Pattern, mentions: list[Mention], text: str, cued: bool = True, before: list[Mention] | None = None
) -> Iterator[tuple[Mention, str, Mention, str, float]]:
    """Subject–object pairs for `pattern`, each within one clause; with `cued` False, pairs of the
    right kinds whatever the wording (the fallback for a sentence no cue matched), at a low score."""
    previous: list[Mention] = []
    for clause in clauses(text, mentions):
        inside = [m for m in mentions if clause.start <= m.start and m.end <= clause.end]
        pairs: list[tuple[Mention, Mention]] = []
        positioned = cued and pattern.order == "cue"
        if positioned:
            # A name of neither kind lends the names inside it: "Silencing of Mucin-4" (a strategy) names Mucin-4.
            kinds = pattern.subjects + pattern.objects
            lent = inside + [part for m in inside if not m.of_kinds(kinds) for part in m.inner]
            pairs = list(_around_cue(pattern, text, sorted(lent, key=_position), clause, previous, before or []))
        else:
            # In "p95HER2, which is a truncated HER2 receptor", "which" stands for the mention before it.
            named = ([previous[-1]] if clause.anaphoric and previous else []) + inside
            if cued:  # "a truncated HER2 receptor" names HER2
                named += [part for m in named for part in m.inner if not m.of_kinds(pattern.objects)]
            named.sort(key=_position)
            for i, a in enumerate(named):
                for b in named[i + 1 :]:
                    pairs.append((a, b))
                    if pattern.order == "any":
                        pairs.append((b, a))
        previous += inside
        for subject, obj in pairs:
            subjects, objects = subject.of_kinds(pattern.subjects), obj.of_kinds(pattern.objects)
            if not subjects or not objects:
                continue
            first, last = sorted((subject, obj), key=lambda m: m.start)
            between = text[first.end : last.start]
            distance = len(between)
            if not cued:
                if not pattern.fallback:
                    continue
                score = 0.25 - min(distance, 200) / 1000
            else:
                if pattern.apart and pattern.apart.search(between):
                    continue
                cued_between = positioned or bool(pattern.cue.search(between))
                if pattern.between and (not cued_between or distance > pattern.between):
                    continue
                if not cued_between and not pattern.cue.search(text, clause.start, clause.end):
                    continue
                score = pattern.weight + (0.2 if cued_between else 0.0) - min(distance, 200) / 1000
            for subject_ref in subjects:
                for object_ref in objects:
                    if subject_ref != object_ref:
                        yield subject, subject_ref, obj, object_ref, score


def _draft_claims(
    sentence: Sentence, mentions: list[Mention], source: str, before: list[Mention] | None = None
) -> Iterator[Draft]:
    best: dict[tuple[str, str, str], tuple[float, Mention, Mention, str]] = {}
    parts = clauses(sentence.text, mentions)

    def clause_of(mention: Mention) -> int:
        return max(i for i, c in enumerate(parts) if mention.start >= c.start)

    drafted: set[int] = set()  # clauses with a cued draft: the fallback is only for the others
    for cued in (True, False):
        for pattern in PATTERNS:
            for subject, subject_ref, obj, object_ref, score in _pairs(pattern, mentions, sentence.text, cued, before):
                if not cued and clause_of(subject) in drafted:
                    continue
                key = (subject_ref, pattern.relation, object_ref)
                if key not in best or score > best[key][0]:
                    best[key] = (score, subject, obj, "cue" if cued else "kinds only")
                if cued:
                    drafted |= {clause_of(subject), clause_of(obj)}
    hedge = hedge_of(sentence.text)
    evidence = evidence_of(sentence.text)
    for (subject_ref, relation, object_ref), (score, subject, obj, basis) in sorted(best.items()):
        first, last = min(subject.start, obj.start), max(subject.end, obj.end)
        start, end = _quote_span(sentence, first, last)
        if end - start < 3:
            continue
        quote = sentence.text[start:end]
        fields: dict[str, object] = {
            "subject": subject_ref,
            "relation": relation,
            "object": object_ref,
            "source": source,
            "section": sentence.section,
            "quote": quote,
            "evidence": evidence,
        }
        if hedge != "stated":
            fields["hedge"] = hedge
        confidence = round(max(0.05, min(0.95, score - (0.1 if hedge != "stated" else 0.0))), 2)
        why = f'"{subject.text}" {relation} "{obj.text}" ({basis})'
        yield Draft("claim", fields, confidence, why, sentence.start + start, sentence.start + end)


def _draft_outcomes(
    sentence: Sentence, mentions: list[Mention], source: str, earlier: Mention | None
) -> Iterator[Draft]:
    """An outcome for a hazard ratio in a sentence that names a trial, or follows one naming it in
    the same section (`earlier`)."""
    hazard = HAZARD.search(sentence.text)
    trials = [m for m in mentions if m.of_kinds(("trial", "study"))]
    if hazard is None or not (trials or earlier):
        return
    trial = trials[0] if trials else earlier
    assert trial is not None
    endpoints = [m for m in mentions if m.of_kinds(("endpoint",))]
    fields: dict[str, object] = {"trial": trial.of_kinds(("trial", "study"))[0]}
    if endpoints:
        fields["endpoint"] = endpoints[0].of_kinds(("endpoint",))[0]
    # Numbers keep the digits as printed (0.210 stays 0.210), as the loader does.
    fields["hazard-ratio"] = Decimal(hazard.group(1))
    interval = CI.search(sentence.text, hazard.end())
    if interval:
        fields["ci-level"] = int(interval.group(1))
        fields["ci-lower"], fields["ci-upper"] = Decimal(interval.group(2)), Decimal(interval.group(3))
    p_value = P_VALUE.search(sentence.text, hazard.end())
    if p_value:
        relation = {"<": "lt", "&lt;": "lt", "≤": "le", ">": "gt", "=": "eq"}[p_value.group(1)]
        fields["p-value"], fields["p-relation"] = Decimal(p_value.group(2)), relation
    months = MONTHS.search(sentence.text)
    if months:
        fields["unit"] = months.group(2)
    start, end = _quote_span(sentence, trials[0].start if trials else hazard.start(), hazard.end())
    fields.update(
        {
            "source": source,
            "section": sentence.section,
            "quote": sentence.text[start:end],
            "evidence": evidence_of(sentence.text),
        }
    )
    why = f'hazard ratio {hazard.group(1)} of "{trial.text}"' + ("" if trials else " (named in an earlier sentence)")
    why += "" if endpoints else "; name the endpoint"
    confidence = (0.6 if endpoints else 0.4) - (0 if trials else 0.1)
    yield Draft("outcome", fields, confidence, why, sentence.start + start, sentence.start + end)


_GENE_LIKE = re.compile(r"(?<![\w-])(?=[A-Z0-9-]*[A-Z][A-Z0-9-]*\d|[A-Z]{3,}[0-9]*\b)[A-Z][A-Z0-9]{2,7}(?![\w-])")
_DRUG_LIKE = re.compile(
    r"(?<![\w-])[A-Za-z]{3,}(?:mab|nib|lisib|tinib|ciclib|parib|limus|rafenib|taxel|rubicin|platin|stat|tecan|"
    r"vedotin|deruxtecan|emtansine)(?![\w-])",
    re.IGNORECASE,
)
# Short all-capital words that are not entities: trial jargon and units, never a record.
_NOT_ENTITIES = frozenset(
    {"USA", "FDA", "EMA", "NCCN", "ESMO", "ASCO", "AACR", "HR", "CI", "OS", "PFS", "ORR", "DNA", "RNA", "MRI", "CNS"}
)


def _candidates(sentences_: list[Sentence], matcher: Matcher) -> list[Candidate]:
    seen: dict[str, Candidate] = {}
    for sentence in sentences_:
        for regex, kind in ((_GENE_LIKE, "gene"), (_DRUG_LIKE, "drug")):
            for match in regex.finditer(sentence.text):
                term = match.group()
                if term.lower() in matcher.known_words or term in _NOT_ENTITIES:
                    continue
                if kind == "drug":
                    term = term.lower()
                if term in seen:
                    seen[term].count += 1
                else:
                    first, last = _quote_span(sentence, match.start(), match.end())
                    seen[term] = Candidate(term, kind, 1, sentence.section, sentence.text[first:last])
    return sorted(seen.values(), key=lambda c: (-c.count, c.term))


def extract(text: str, source: str, facts: Facts) -> Extraction:
    """Draft claims and outcomes from `text` (the publication `source`), using only the entity
    records of `facts`; deterministic: the same text and records give the same drafts."""
    matcher = Matcher(facts)
    found = sentences(text)
    drafts: list[Draft] = []
    mentions_count = 0
    trial: Mention | None = None  # the last trial named in the current section
    before: list[Mention] = []  # the mentions of the sentence before, in the same section
    section = None
    for sentence in found:
        mentions = matcher.mentions(sentence.text)
        mentions_count += len(mentions)
        if sentence.section != section:
            trial, before, section = None, [], sentence.section
        drafts.extend(_draft_claims(sentence, mentions, source, before))
        drafts.extend(_draft_outcomes(sentence, mentions, source, trial))
        trial = next((m for m in reversed(mentions) if m.of_kinds(("trial", "study"))), trial)
        before = mentions
    return Extraction(source, drafts, _candidates(found, matcher), len(found), mentions_count)


# -- the drafts file -------------------------------------------------------------------------------


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def _draft_id(source: str, draft: Draft, taken: set[str]) -> str:
    if draft.kind == "claim":
        parts = [p.split("/")[-1] for p in draft.triple]
    else:
        parts = [str(draft.fields["trial"]).split("/")[-1], "hr", str(draft.fields.get("hazard-ratio", ""))]
    stem = _slug(f"draft-{source}-{'-'.join(parts)}")[:90].strip("-")
    digest = hashlib.sha1(f"{draft.start}:{draft.end}:{'/'.join(parts)}".encode()).hexdigest()[:6]
    candidate = f"{stem}-{digest}"
    while candidate in taken:  # two drafts of one triple from one span cannot happen, but stay unique
        candidate += "x"
    taken.add(candidate)
    return candidate


_PLAIN = re.compile(r"^[a-z][a-z0-9-]*(?:/[a-z0-9]+(?:-[a-z0-9]+)*)?$")


def _scalar(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, Decimal)):
        return str(value)
    if _PLAIN.match(str(value)):
        return str(value)  # references and vocabulary words read best bare
    return json.dumps(str(value), ensure_ascii=False)  # a JSON string is a valid double-quoted YAML scalar


HEADER = """\
# Draft claims extracted from the text of '{source}' by `her2kg extract` — for review.
#
# The build ignores a draft until you set its `review:` to `accepted`; then it is loaded as an
# ordinary {kinds} record, with every usual check (quote, references, kinds).
# Delete the drafts you reject. Before accepting, check the subject, relation and object against
# the quote, and the `hedge:` and `evidence:` the extractor suggests; `confidence:` (0–1) says how
# sure it was; "(kinds only)" above a draft: no cue word, only the kinds of its two entities.
# Accepted drafts are kept as you edited them when the file is written again (`--force`).
#
# {count} drafts from {sentences} sentences ({mentions} mentions of known entities);
# {candidates} unknown entity-like terms at the end, candidates for new records.
source: {source}
"""


def render(extraction: Extraction, kept: Iterable[str] = (), taken: Iterable[str] = ()) -> str:
    """The drafts file: `kept` are accepted drafts (their YAML text, as the curator left it),
    `taken` the ids they use (new drafts with those ids are left out)."""
    kept = list(kept)
    taken_ids = set(taken)
    lines = [
        HEADER.format(
            source=extraction.source,
            kinds="claim or outcome",
            count=len(extraction.drafts),
            sentences=extraction.sentences,
            mentions=extraction.mentions,
            candidates=len(extraction.candidates),
        ),
        "drafts:",
    ]
    for block in kept:
        lines.append(block.rstrip("\n"))
    ids: set[str] = set()
    for draft in extraction.drafts:
        draft_id = _draft_id(extraction.source, draft, ids)
        if draft_id in taken_ids:
            continue
        lines.append("")
        lines.append(f"  # {draft.why}")
        lines.append(f"  - id: {draft_id}")
        lines.append(f"    review: {PENDING}")
        lines.append(f"    kind: {draft.kind}")
        lines.append(f"    confidence: {draft.confidence}")
        for key, value in draft.fields.items():
            if key == "source":
                continue  # the file's default
            lines.append(f"    {key}: {_scalar(value)}")
    if not extraction.drafts and not kept:
        lines[-1] = "drafts: []"
    lines.append("")
    lines.append("# Terms the graph does not know yet. Add a record (facts/drugs.yaml, facts/genes.yaml …) for")
    lines.append("# those that are entities, then run `her2kg extract` again to draft claims about them.")
    if not extraction.candidates:
        lines.append("candidates: []")
    else:
        lines.append("candidates:")
        for candidate in extraction.candidates:
            lines.append(
                f"  - {{term: {_scalar(candidate.term)}, suggested-kind: {candidate.suggested_kind}, "
                f"count: {candidate.count}, section: {_scalar(candidate.section)}, quote: {_scalar(candidate.quote)}}}"
            )
    return "\n".join(lines) + "\n"


def accepted_blocks(path: Path) -> tuple[list[str], set[str]]:
    """The accepted drafts of an existing drafts file, as their YAML text with the comment lines
    above them, and their ids."""
    text = path.read_text(encoding="utf-8")
    try:
        document = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as err:
        raise UsageError(f"{path}: not valid YAML ({err}) — fix it or move it away before extracting again") from err
    if not isinstance(document, yaml.MappingNode):
        return [], set()
    drafts = next((v for k, v in document.value if k.value == "drafts"), None)
    if not isinstance(drafts, yaml.SequenceNode):
        return [], set()
    lines = text.splitlines()
    blocks, ids = [], set()
    for item in drafts.value:
        if not isinstance(item, yaml.MappingNode):
            continue
        values = {k.value: v.value for k, v in item.value if isinstance(v, yaml.ScalarNode)}
        if values.get("review") != ACCEPTED:
            continue
        first = item.start_mark.line
        while first > 0 and lines[first - 1].strip().startswith("#"):
            first -= 1
        # The item's own last line: its end mark already points at whatever follows it.
        last = max(v.end_mark.line + (1 if v.end_mark.column > 0 else 0) for _, v in item.value)
        block = "\n".join(lines[first:last]).rstrip()
        blocks.append("\n" + block)
        ids.add(values.get("id", ""))
    return blocks, ids


@dataclass
class Written:
    path: Path
    drafts: int
    kept: int
    candidates: int
    outcomes: int = 0
    relations: dict[str, int] = field(default_factory=dict)


def write_drafts(extraction: Extraction, out: Path, force: bool = False) -> Written:
    """Write the drafts file; an existing file is replaced only with `force`, and then its accepted
    drafts are kept as they are."""
    kept: list[str] = []
    taken: set[str] = set()
    if out.exists():
        if not force:
            raise UsageError(
                f"{out}: a drafts file is already there — review it, or pass --force to write new drafts "
                "(its accepted drafts are kept)"
            )
        kept, taken = accepted_blocks(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(render(extraction, kept, taken), encoding="utf-8")
    relations: dict[str, int] = {}
    for draft in extraction.drafts:
        if draft.kind == "claim":
            relations[draft.triple[1]] = relations.get(draft.triple[1], 0) + 1
    return Written(
        out,
        len(extraction.drafts),
        len(kept),
        len(extraction.candidates),
        sum(d.kind == "outcome" for d in extraction.drafts),
        dict(sorted(relations.items())),
    )


# -- measuring against the curated facts ----------------------------------------------------------

# Entity-record fields that state a relation a draft may propose (field → relation, subject side).
_FIELD_RELATIONS = {
    ("drug", "classes"): "in-class",
    ("variant", "gene"): "variant-of",
    ("protein-form", "form-of"): "truncated-form-of",
    ("mechanism", "affects"): "mechanism-of-resistance-to",
    ("strategy", "against"): "overcomes",
    ("drug-class", "broader"): "part-of",
}
_STATEMENT_KINDS = frozenset({"claim", "outcome", "prevalence", "approval", "correction", "safety", "comparison"})


def entity_facts(facts: Facts) -> Facts:
    """The facts without their statements: all that extraction may use (never the answer key)."""
    records = [r for r in facts.records if r.kind.name not in _STATEMENT_KINDS and r.kind.name != "disagreement"]
    return Facts(records, facts.folder, facts.display_root)


def _entity_triples(facts: Facts) -> set[tuple[str, str, str]]:
    triples = set()
    for record in facts.records:
        relation = None
        for (kind, key), name in _FIELD_RELATIONS.items():
            if record.kind.name == kind and key in record.values:
                relation = name
                objects = record.values[key]
                for obj in objects if isinstance(objects, list) else [objects]:
                    triples.add((record.ref, relation, str(obj)))
        for drug in record.values.get("drugs", []) if record.kind.name in ("trial", "study") else []:
            triples.add((str(drug), "tested-in", record.ref))
    return triples


def _span(quote: object, text: str) -> list[tuple[int, int]]:
    from .sources import normalise  # sources imports facts; imported here to keep extract light

    spans = []
    for one in quote if isinstance(quote, list) else [quote]:
        words = normalise(str(one))
        at = text.find(words)
        if at >= 0:
            spans.append((at, at + len(words)))
    return spans


def _overlap(a: list[tuple[int, int]], b: list[tuple[int, int]]) -> bool:
    return any(s1 < e2 and s2 < e1 for s1, e1 in a for s2, e2 in b)


@dataclass
class Score:
    """How the drafts of one text compare with the claims curated from it (see docs/benchmarks.md)."""

    source: str
    curated: int  # curated relation claims of the text
    recalled_triple: int  # … with a draft of the same subject, relation and object
    recalled_entity: int  # … or a draft on an overlapping passage sharing the subject or the object
    recalled_passage: int  # … or any draft on an overlapping passage
    drafts: int
    correct: int  # drafts matching a curated statement of the text (triple, or passage + entity) or the graph
    in_graph: int  # … of which state a triple the graph has (any curated claim, or an entity record's field)

    def rate(self, part: int, whole: int) -> float:
        return part / whole if whole else 1.0

    @property
    def recall(self) -> float:
        return self.rate(self.recalled_entity, self.curated)

    @property
    def precision(self) -> float:
        return self.rate(self.correct, self.drafts)


def measure(text: str, source: str, facts: Facts) -> Score:
    """Extract from `text` with the entity records only, then score the drafts against the claims
    and outcomes curated from `source` (the answer key) and against the entity records."""
    from .sources import normalise

    extraction = extract(text, source, entity_facts(facts))
    words = normalise(text)
    curated = [r for r in facts.of_kind("claim") if str(r.values.get("source", "")).split("/")[-1] == source]
    outcomes = [r for r in facts.of_kind("outcome") if str(r.values.get("source", "")).split("/")[-1] == source]
    every_triple = {
        (str(r.values["subject"]), r.values["relation"], str(r.values["object"])) for r in facts.of_kind("claim")
    }
    known = every_triple | _entity_triples(facts)
    drafts = [(d, _span(d.fields["quote"], words)) for d in extraction.drafts]
    answer = [(r, _span(r.values.get("quote", []), words)) for r in curated]
    triples, entity, passage = 0, 0, 0
    for record, spans in answer:
        triple = (str(record.values["subject"]), record.values["relation"], str(record.values["object"]))
        near = [d for d, draft_spans in drafts if d.kind == "claim" and _overlap(spans, draft_spans)]
        if any(d.triple == triple for d, _ in drafts):
            triples += 1
            entity += 1
            passage += 1
        elif any(d.triple[0] == triple[0] or d.triple[2] == triple[2] for d in near):
            entity += 1
            passage += 1
        elif near:
            passage += 1
    correct = in_graph = 0
    outcome_spans = [(r, _span(r.values.get("quote", []), words)) for r in outcomes]
    for draft, spans in drafts:
        if draft.kind == "outcome":
            hit = any(
                _overlap(spans, s)
                or (
                    str(r.values.get("trial")) == draft.fields["trial"]
                    and r.values.get("hazard-ratio") == draft.fields.get("hazard-ratio")
                )
                for r, s in outcome_spans
            )
        else:
            in_graph += draft.triple in known
            hit = draft.triple in known or any(
                _overlap(spans, s) and (r.values["subject"] == draft.triple[0] or r.values["object"] == draft.triple[2])
                for r, s in answer
            )
        correct += hit
    return Score(source, len(curated), triples, entity, passage, len(drafts), correct, in_graph)


# -- the command -----------------------------------------------------------------------------------


def source_text(
    publication: str, facts_dir: Path | None = None, copies_dir: Path | None = None
) -> tuple[str, Path, bool]:
    """The text of `publication` as printed (shipped, or the curator's copy found by its SHA-256),
    the facts folder its drafts belong to, and whether that folder is the installed package's."""
    from .resources import resolve
    from .sources import load_library

    library = load_library(None, copies_dir)
    source = library.sources.get(publication)
    if source is None:
        known = ", ".join(sorted(library.sources))
        raise UsageError(
            f"'{publication}' is not listed in sources/sources.yaml (listed: {known}) — "
            "register the text first (her2kg add-source FILE --id SLUG)"
        )
    if publication in library.copies:
        path = Path(library.copies[publication])
    elif source.file is not None:
        path = library.folder / source.file
    else:
        raise UsageError(
            f"the text of '{publication}' is not shipped (its licence forbids it) — "
            "pass --sources DIR with your copy of it (found by its SHA-256)"
        )
    try:
        facts_in = resolve("facts", facts_dir)
    except FileNotFoundError as err:
        raise UsageError(str(err)) from err
    return path.read_text(encoding="utf-8"), facts_in.path, facts_in.origin == "packaged"


def extract_source(
    publication: str,
    facts_dir: Path | None = None,
    copies_dir: Path | None = None,
    out: Path | None = None,
    force: bool = False,
) -> Written:
    """`her2kg extract`: draft claims from the text of `publication` into `out` (default:
    `<facts>/drafts/<publication>.yaml`), from the graph's entity records only."""
    from .facts import load_facts

    text, facts_folder, packaged = source_text(publication, facts_dir, copies_dir)
    if out is None and packaged:
        raise UsageError(
            "no checkout here: the facts installed with her2kg are not for editing — run in a checkout, "
            "or pass --facts DIR (your facts) or --out FILE"
        )
    facts = load_facts(facts_folder)
    extraction = extract(text, publication, entity_facts(facts))
    return write_drafts(extraction, out or facts_folder / "drafts" / f"{publication}.yaml", force=force)
