"""Registering a new source text: `her2kg add-source`.

A new text gets what the shipped ones have: an entry in `sources/sources.yaml` (its SHA-256,
licence, attribution and where it was published), the text itself in `sources/<slug>/` with a
`LICENSE` only where an open licence allows shipping it, a publication record appended to
`facts/publications.yaml`, and an empty claims file `facts/claims/<slug>.yaml` whose header sets
the file's default source. Nothing that exists is overwritten: the two lists are appended to as
text, so their comments and order stay as the curators left them.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph
import yaml

from .errors import UsageError
from .facts import SLUG
from .identifiers import IdentifierError, parse_identifier
from .namespaces import VOCAB
from .resources import files, project_path, resolve
from .sources import MANIFEST, normalise

PUBLICATIONS_FILE = "publications.yaml"
CLAIMS_FOLDER = "claims"
DEFAULT_KIND = "journal-article"
_YAML_LOADER = getattr(
    yaml, "CSafeLoader", yaml.SafeLoader
)  # libyaml when PyYAML has it: ~10× faster  # the publication kind of "a cited article of unstated kind"


@dataclass(frozen=True)
class Licence:
    name: str  # as sources.yaml writes it
    title: str  # as the LICENSE file names it
    url: str
    note: str = ""  # a restriction every copy must repeat


# Licences that allow redistributing the text (SPDX ids; "public-domain" has none). Any other
# licence, or none, means the text is not shipped: only its checksum and where it was published.
OPEN_LICENCES: dict[str, Licence] = {
    "CC-BY-4.0": Licence(
        "CC BY 4.0", "Creative Commons Attribution 4.0 International", "https://creativecommons.org/licenses/by/4.0/"
    ),
    "CC-BY-3.0": Licence(
        "CC BY 3.0", "Creative Commons Attribution 3.0 Unported", "https://creativecommons.org/licenses/by/3.0/"
    ),
    "CC-BY-SA-4.0": Licence(
        "CC BY-SA 4.0",
        "Creative Commons Attribution-ShareAlike 4.0 International",
        "https://creativecommons.org/licenses/by-sa/4.0/",
    ),
    "CC-BY-NC-4.0": Licence(
        "CC BY-NC 4.0 (non-commercial use only)",
        "Creative Commons Attribution-NonCommercial 4.0 International",
        "https://creativecommons.org/licenses/by-nc/4.0/",
        "NON-COMMERCIAL USE ONLY: commercial use needs the rights holder's permission.",
    ),
    "CC0-1.0": Licence(
        "CC0 1.0", "Creative Commons Zero v1.0 Universal", "https://creativecommons.org/publicdomain/zero/1.0/"
    ),
    "public-domain": Licence(
        "public domain", "Public domain (no copyright)", "https://creativecommons.org/publicdomain/mark/1.0/"
    ),
}


@dataclass(frozen=True)
class NewSource:
    """What the curator tells `add-source` about a text."""

    text: Path
    slug: str
    title: str | None = None
    year: int | None = None
    venue: str | None = None
    kind: str = DEFAULT_KIND
    doi: str | None = None
    pmid: str | None = None
    licence: str | None = None  # an SPDX id of OPEN_LICENCES, anything else, or None (not shipped)
    published_at: str | None = None
    attribution: str | None = None


@dataclass
class AddedSource:
    """What `add-source` did: the files it wrote or appended to, and what the curator does next."""

    slug: str
    sha256: str
    shipped: bool
    title: str
    created: list[Path] = field(default_factory=list)
    appended: list[Path] = field(default_factory=list)
    claims_file: Path | None = None


def add_source(
    source: NewSource, facts_dir: Path | None = None, sources_dir: Path | None = None, ontology_dir: Path | None = None
) -> AddedSource:
    """Register `source`: check everything first, then write; raise UsageError, writing nothing,
    when the slug or the text is taken, the text is not plain UTF-8, or an option is malformed.

    `facts_dir` and `sources_dir` default to the checkout's facts/ and sources/ (never the copy
    installed with the package: a curator's edits belong in a checkout).
    """
    facts = _editable("facts", facts_dir)
    sources = _editable("sources", sources_dir)
    slug = source.slug
    if not SLUG.match(slug):
        raise UsageError(
            f"--id {slug}: not a slug — use lower-case letters, digits and single hyphens, "
            "e.g. smith-2024 (see docs/facts-format.md, 'Slug conventions')"
        )
    raw = _read_plain_text(source.text)
    digest = hashlib.sha256(raw).hexdigest()
    manifest = sources / MANIFEST
    if not manifest.is_file():
        raise UsageError(f"{manifest}: missing — the sources folder needs its manifest (see sources/README.md)")
    _refuse_taken(slug, digest, manifest, facts)
    identifiers = _identifiers(source)
    kinds = _publication_kinds(project_path("ontology", ontology_dir))
    if source.kind not in kinds:
        raise UsageError(f"--kind {source.kind}: not a publication kind (known: {', '.join(sorted(kinds))})")
    licence = next((v for k, v in OPEN_LICENCES.items() if k.lower() == (source.licence or "").lower()), None)
    published = source.published_at or (f"https://doi.org/{identifiers['doi']}" if "doi" in identifiers else None)
    if published is None:
        raise UsageError(
            "say where the text was published: --published-at URL (or --doi, which gives https://doi.org/DOI)"
        )
    title = source.title or _first_line(raw.decode("utf-8"))
    attribution = source.attribution or _attribution(source, title, identifiers, licence)

    text_file = sources / slug / f"{slug}.txt"
    claims_file = facts / CLAIMS_FOLDER / f"{slug}.yaml"
    publications = facts / PUBLICATIONS_FILE
    creating = [claims_file] + ([text_file.parent] if licence else [])
    existing = [path for path in creating if path.exists()]
    if existing:
        raise UsageError(f"{existing[0]}: already exists — add-source never overwrites; choose another --id")

    manifest_indent = _list_indent(manifest, "sources")
    publications_indent = _list_indent(publications, "publications") if publications.exists() else None
    entry = _manifest_entry(slug, digest, source.licence, licence, attribution, published, text_file.name)
    record = _publication_record(source, slug, title, identifiers, raw.decode("utf-8"))
    added = AddedSource(slug, digest, licence is not None, title, claims_file=claims_file)
    if licence is not None:
        text_file.parent.mkdir(parents=True)
        text_file.write_bytes(raw)  # byte for byte: its SHA-256 is what the build verifies
        licence_file = text_file.parent / "LICENSE"
        licence_file.write_text(_licence_text(text_file.name, title, attribution, published, licence), "utf-8")
        added.created += [text_file, licence_file]
    _append(manifest, _item(manifest_indent, entry))
    added.appended.append(manifest)
    if publications_indent is not None:
        _append(publications, _item(publications_indent, record))
        added.appended.append(publications)
    else:
        publications.write_text("publications:" + _item("  ", record), encoding="utf-8")
        added.created.append(publications)
    claims_file.parent.mkdir(parents=True, exist_ok=True)
    claims_file.write_text(_claims_header(slug, title, added.shipped, text_file, sources), encoding="utf-8")
    added.created.append(claims_file)
    return added


def _publication_kinds(ontology: Path) -> set[str]:
    """The publication kinds the ontology defines (read with pyoxigraph: milliseconds, not rdflib's seconds)."""
    prefix = f"{VOCAB}publication-kind/"
    found = set()
    for path in files(ontology, "*.ttl"):
        for triple in pyoxigraph.parse(path=str(path), format=pyoxigraph.RdfFormat.TURTLE):
            subject = triple.subject
            if isinstance(subject, pyoxigraph.NamedNode) and subject.value.startswith(prefix):
                found.add(subject.value[len(prefix) :])
    return found


def _editable(name: str, given: Path | None) -> Path:
    if given is not None:
        folder = Path(given)
        if not folder.is_dir():
            raise UsageError(f"{folder}: no such folder — give the {name}/ folder of your checkout")
        return folder
    try:
        found = resolve(name)
    except FileNotFoundError:
        found = None
    if found is None or found.origin != "checkout":
        raise UsageError(
            f"no {name}/ folder of a checkout here — run add-source inside your her2kg checkout "
            "(the folder holding facts/ and sources/), not on the copy installed with the package"
        )
    return found.path


def _read_plain_text(path: Path) -> bytes:
    if not path.is_file():
        raise UsageError(f"{path}: no such file — give the text to register, saved as plain UTF-8 text")
    raw = path.read_bytes()
    how = "save it as plain UTF-8 text (for a PDF: pdftotext -layout FILE.pdf FILE.txt, then check the words)"
    if raw.startswith(b"%PDF"):
        raise UsageError(f"{path}: a PDF, not plain text — {how}")
    if b"\x00" in raw:
        raise UsageError(f"{path}: a binary file, not plain text — {how}")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as err:
        raise UsageError(
            f"{path}: not UTF-8 text (byte 0x{raw[err.start]:02x} at offset {err.start}) — {how}"
        ) from None
    if not text.strip():
        raise UsageError(f"{path}: empty — give the text of the publication")
    return raw


def _refuse_taken(slug: str, digest: str, manifest: Path, facts: Path) -> None:
    """A slug names one publication, and a text belongs to one publication."""
    try:
        document = yaml.safe_load(manifest.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, yaml.YAMLError) as err:
        raise UsageError(f"{manifest}: cannot be read ({err}) — fix it before adding a source") from None
    entries = document.get("sources", []) if isinstance(document, dict) else []
    for entry in entries if isinstance(entries, list) else []:
        if not isinstance(entry, dict):
            continue
        if entry.get("publication") == slug:
            raise UsageError(f"--id {slug}: {manifest} lists this publication already — choose another --id")
        if entry.get("sha256") == digest:
            raise UsageError(
                f"this text is registered already as '{entry.get('publication')}' in {manifest} "
                f"(same SHA-256 {digest[:12]}…) — its facts go in facts/claims/{entry.get('publication')}*.yaml"
            )
    for path in files(facts, "*.yaml", "*.yml"):
        try:
            text = path.read_text(encoding="utf-8")
            if slug not in text:  # the common case, without parsing the file
                continue
            nodes = list(yaml.compose_all(text, Loader=_YAML_LOADER))
        except (UnicodeDecodeError, yaml.YAMLError):
            continue  # the build reports it; it cannot define the slug for us
        for node in nodes:
            line = _publication_line(node, slug)
            if line:
                raise UsageError(f"--id {slug}: {path}:{line} defines this publication already — choose another --id")


def _publication_line(document: yaml.Node | None, slug: str) -> int | None:
    if not isinstance(document, yaml.MappingNode):
        return None
    for key, value in document.value:
        if key.value != "publications" or not isinstance(value, yaml.SequenceNode):
            continue
        for item in value.value:
            if isinstance(item, yaml.MappingNode):
                for k, v in item.value:
                    if k.value == "id" and isinstance(v, yaml.ScalarNode) and v.value.strip() == slug:
                        return v.start_mark.line + 1
    return None


def _identifiers(source: NewSource) -> dict[str, str]:
    found = {}
    for key, option, value in (("doi", "--doi", source.doi), ("pmid", "--pmid", source.pmid)):
        if value is None:
            continue
        try:
            found[key] = parse_identifier(key, value).local
        except IdentifierError as err:
            raise UsageError(f"{option} {value}: {err}") from None
    return found


def _first_line(text: str) -> str:
    line = next(line.strip() for line in text.splitlines() if line.strip())
    return line if len(line) <= 300 else line[:300].rsplit(" ", 1)[0]


def _attribution(source: NewSource, title: str, identifiers: dict[str, str], licence: Licence | None) -> str:
    parts = [f'"{title}"'] + [p for p in (source.venue, str(source.year) if source.year else None) if p]
    if "doi" in identifiers:
        parts.append(f"doi:{identifiers['doi']}")
    text = ", ".join(parts)
    return text + (f", licensed under {licence.name}." if licence else ".")


def _quoted(value: str) -> str:
    """A YAML double-quoted scalar (JSON's string syntax is valid YAML)."""
    return json.dumps(value, ensure_ascii=False)


def _manifest_entry(
    slug: str, digest: str, spdx: str | None, licence: Licence | None, attribution: str, published: str, name: str
) -> list[str]:
    lines = [f"- publication: {slug}"]
    if licence is not None:
        lines.append(f"  file: {slug}/{name}")
    lines.append(f"  sha256: {digest}")
    if licence is not None:
        lines += [f"  licence: {_quoted(licence.name)}", f"  licence-url: {licence.url}"]
    else:
        what = f"{spdx} (not an open licence)" if spdx else "not openly licensed"
        lines.append(f"  licence: {_quoted(what + '; the text is not shipped')}")
    lines += [f"  attribution: {_quoted(attribution)}", f"  published: {_quoted(published)}"]
    return lines


def _publication_record(source: NewSource, slug: str, title: str, identifiers: dict[str, str], text: str) -> list[str]:
    lines = [f"- id: {slug}", f"  label: {_quoted(title)}", f"  title: {_quoted(title)}"]
    if source.year is not None:
        lines.append(f"  year: {source.year}")
    if source.venue:
        lines.append(f"  venue: {_quoted(source.venue)}")
    lines.append(f"  kind: {source.kind}")
    if identifiers:
        lines.append(
            "  identifiers: {" + ", ".join(f"{key}: {_quoted(value)}" for key, value in identifiers.items()) + "}"
        )
    if normalise(title) in normalise(text):  # the title as printed backs the record, as for the shipped texts
        lines += ["  evidence:", f"    - {{source: {slug}, section: Title, quote: {_quoted(title)}}}"]
    return lines


def _append(path: Path, text: str) -> None:
    """Append `text`, after a line break if the file lacks a final one; the rest stays byte for byte."""
    current = path.read_bytes() if path.exists() else b""
    with path.open("ab") as out:
        if current and not current.endswith(b"\n"):
            out.write(b"\n")
        out.write(text.encode("utf-8"))


def _list_indent(path: Path, key: str) -> str:
    """The indentation of the items of the top-level block list `key`, which must end the file (so
    that a record can be appended without rewriting anything); UsageError otherwise."""
    try:
        document = yaml.compose(path.read_text(encoding="utf-8"), Loader=yaml.SafeLoader)
    except (UnicodeDecodeError, yaml.YAMLError) as err:
        raise UsageError(f"{path}: cannot be read ({err}) — fix it before adding a source") from None
    last = document.value[-1] if isinstance(document, yaml.MappingNode) and document.value else None
    if last is None or last[0].value != key or not isinstance(last[1], yaml.SequenceNode) or last[1].flow_style:
        raise UsageError(
            f"{path}: '{key}:' is not the block list at the end of the file, so a record cannot be appended "
            f"without rewriting it — move '{key}:' to the end, or add the record by hand"
        )
    return " " * (last[1].value[0].start_mark.column - 2 if last[1].value else 2)


def _item(indent: str, lines: list[str]) -> str:
    return "\n" + "".join(f"{indent}{line}\n" for line in lines)


def _licence_text(name: str, title: str, attribution: str, published: str, licence: Licence) -> str:
    lines = [
        name,
        "",
        f"Source: {attribution}",
        f"Published at: {published}",
        "",
        f"Licence: {licence.title} ({licence.name})",
        licence.url,
        "",
    ]
    if licence.note:
        lines += [licence.note, ""]
    lines += [
        "Changes: none. The file is the text the facts are curated from (SHA-256 in ../sources.yaml).",
        "",
        "This text is not part of the her2kg data release (CC BY 4.0 for the curated facts); it keeps the",
        "licence and attribution above.",
    ]
    return "\n".join(lines) + "\n"


def _claims_header(slug: str, title: str, shipped: bool, text_file: Path, sources: Path) -> str:
    where = (
        f"sources/{slug}/{text_file.name}"
        if shipped
        else "your copy (not shipped: pass its folder with --sources DIR to check quotes)"
    )
    return f"""# Claims of {_quoted(title)} ({slug}).
#
# Quote the text's exact words from {where}.
# Every record of this file has `source: {slug}` unless it says otherwise. Each claim needs
# subject, relation, object, section, quote and evidence; hedge (stated, suggested, possible,
# hypothesised) and polarity (supports, no-effect, contradicts) default to stated and supports.
# Fields and relations: docs/facts-format.md; the workflow: docs/curating.md.
source: {slug}

claims: []
# Replace `claims: []` above by `claims:` and records such as:
#   - subject: drug/neratinib
#     relation: targets
#     object: gene/erbb2
#     section: Abstract
#     quote: "the sentence as printed"
#     evidence: review-statement
"""


def next_steps(added: AddedSource) -> list[str]:
    """What the curator does after `add-source`, in order, as commands and plain sentences."""
    steps = [
        (f"her2kg extract {added.slug}", f"draft claims into facts/drafts/{added.slug}.yaml"),
        (f"edit facts/drafts/{added.slug}.yaml", "set each draft's review status to accepted, or delete it"),
        ("her2kg build --out dist-new", "checks every quote and reference"),
        ("her2kg diff dist dist-new", "what the new release adds, as statements"),
    ]
    if not added.shipped:
        steps[2] = (
            "her2kg build --out dist-new --sources DIR",
            f"DIR holds your copy of the text (recognised by its SHA-256 {added.sha256[:12]}…): its quotes are checked",
        )
    width = max(len(command) for command, _ in steps)
    return [f"{command:<{width}}  # {why}" for command, why in steps]
