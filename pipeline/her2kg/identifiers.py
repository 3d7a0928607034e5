"""Standard identifiers (HGNC, ChEBI, ChEMBL, DrugBank, NCIt, MONDO, DOI, PubMed, NCT …).

Every identifier a curator writes is checked against its registry's pattern before anything is
made of it, and its resolver IRI is produced from the same registry record. Patterns, names and
IRIs come from the Bioregistry, whose data ships inside the `bioregistry` wheel (no network).
OBO ontologies resolve to their OBO PURLs, DOIs to doi.org, everything else to identifiers.org.

Importing `bioregistry` builds its whole registry (thousands of resources) and takes most of a
second, longer than the rest of a build's imports together. So the records of the registries below
are kept in `registries.json`, a snapshot generated from the installed Bioregistry by
`python -m her2kg.identifiers` (tests/test_identifiers.py fails when it no longer matches), and
`bioregistry` itself is imported only for what the snapshot cannot answer: a registry not in it,
and an identifier not already written in its registry's standard form.
"""

from __future__ import annotations

import difflib
import json
import re
import sys
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from .errors import Her2kgError

__all__ = ["REGISTRIES", "SNAPSHOT", "Identifier", "IdentifierError", "Registry", "parse_identifier", "snapshot"]

SNAPSHOT = Path(__file__).with_name("registries.json")


@dataclass(frozen=True)
class Registry:
    key: str  # as written in facts: `identifiers: {chembl: CHEMBL554}`
    prefix: str  # the Bioregistry prefix
    curie_prefix: str  # how oboInOwl:hasDbXref writes it (queries and shapes filter on it)

    @property
    def name(self) -> str:
        return str(_record(self.prefix)["name"])

    @property
    def pattern(self) -> str:
        return str(_record(self.prefix)["pattern"])

    @property
    def example(self) -> str:
        return str(_record(self.prefix)["example"])


REGISTRIES: dict[str, Registry] = {
    r.key: r
    for r in (
        Registry("hgnc", "hgnc", "HGNC"),
        Registry("chebi", "chebi", "CHEBI"),
        Registry("mondo", "mondo", "MONDO"),
        Registry("cl", "cl", "CL"),
        Registry("ncit", "ncit", "NCIT"),
        Registry("chembl", "chembl.compound", "CHEMBL"),
        Registry("drugbank", "drugbank", "DRUGBANK"),
        Registry("pubchem", "pubchem.compound", "PUBCHEM"),
        Registry("ncbigene", "ncbigene", "NCBIGENE"),
        Registry("uniprot", "uniprot", "UNIPROT"),
        Registry("doi", "doi", "DOI"),
        Registry("pmid", "pubmed", "PMID"),
        Registry("nct", "clinicaltrials", "NCT"),
    )
}

# Some registry patterns end in `.*` (DOI): on top of the pattern, a local identifier must not hold
# what an IRI cannot (RFC 3987: spaces, controls, <>"{}|\^`), or no IRI could be minted from it.
_NOT_IN_IRI = re.compile(r'[\x00-\x20<>"{}|\\^`\x7f]')


class IdentifierError(Her2kgError, ValueError):
    """An identifier that does not match its registry's pattern; the message says how to write it."""

    http_status = 422


@dataclass(frozen=True)
class Identifier:
    """A checked identifier: only `parse_identifier` makes one."""

    registry: Registry
    local: str  # the registry's own form, without a CURIE prefix (CHEMBL554, 3430, 10.3390/…)

    @property
    def curie(self) -> str:
        return f"{self.registry.curie_prefix}:{self.local}"

    @property
    def iri(self) -> str:
        return str(_record(self.registry.prefix)["iri_format"]).replace("$1", self.local)


# --- the registry records: from the snapshot, or from the Bioregistry ------------------------------


def registry_record(prefix: str) -> dict[str, Any]:
    """What her2kg uses of the Bioregistry's record of `prefix`, read from the installed Bioregistry.

    `iri_format` is the resolver IRI with `$1` for the local identifier (the Bioregistry's own
    placeholder), made by the Bioregistry's functions; `banana` is the namespace some registries
    embed in their identifiers (CHEBI in CHEBI:1234), which the Bioregistry removes when it
    standardises one.
    """
    import bioregistry

    resource = bioregistry.get_resource(prefix)
    if resource is None:
        raise AssertionError(f"'{prefix}' is not a Bioregistry prefix")
    if prefix == "doi":  # a DOI's own resolver; identifiers.org would only redirect to it
        iri_format = bioregistry.get_default_iri(prefix, "$1")
    else:
        iri_format = bioregistry.get_obofoundry_iri(prefix, "$1") or bioregistry.get_identifiers_org_iri(prefix, "$1")
    if iri_format is None:
        raise AssertionError(f"the Bioregistry has no resolver for {prefix}")
    return {
        "name": resource.get_name() or prefix,
        "pattern": resource.get_pattern() or "",
        "example": resource.get_example() or "",
        "synonyms": sorted({s.lower() for s in resource.get_synonyms()}),
        "banana": resource.get_banana(),
        "iri_format": iri_format,
    }


def snapshot() -> dict[str, dict[str, Any]]:
    """The records of every registry in REGISTRIES, from the installed Bioregistry (registries.json)."""
    return {r.prefix: registry_record(r.prefix) for r in sorted(REGISTRIES.values(), key=lambda r: r.prefix)}


def snapshot_text() -> str:
    return json.dumps(snapshot(), indent=2, sort_keys=True, ensure_ascii=False) + "\n"


@cache
def _snapshot() -> dict[str, dict[str, Any]]:
    try:
        records: dict[str, dict[str, Any]] = json.loads(SNAPSHOT.read_text(encoding="utf-8"))
    except FileNotFoundError:  # not generated yet: every record comes from the Bioregistry
        return {}
    return records


@cache
def _record(prefix: str) -> dict[str, Any]:
    return _snapshot().get(prefix) or registry_record(prefix)


# --- checking an identifier --------------------------------------------------------------------------


def _without_curie_prefix(registry: Registry, text: str) -> str:
    """`text` without a CURIE prefix of its own registry (HGNC:3430 → 3430; CHEBI:61390 → 61390)."""
    head, colon, tail = text.partition(":")
    if colon and head.lower() in {
        registry.curie_prefix.lower(),
        registry.prefix,
        *_record(registry.prefix)["synonyms"],
    }:
        return tail
    return text


def _standardized(registry: Registry, text: str) -> str:
    """`text` as the Bioregistry standardises it: without a CURIE prefix or an embedded namespace."""
    import bioregistry

    local = _without_curie_prefix(registry, text)
    return bioregistry.standardize_identifier(registry.prefix, local) or local


def _in_standard_form(registry: Registry, local: str) -> bool:
    """Whether the Bioregistry would leave `local` as it is: it only ever removes a leading embedded
    namespace or registry prefix, so a local that starts with neither needs no Bioregistry."""
    folded = local.casefold()
    heads = (registry.prefix, _record(registry.prefix)["banana"])
    return not any(head and folded.startswith(head.casefold()) for head in heads)


def _matches(registry: Registry, local: str) -> bool:
    return not _NOT_IN_IRI.search(local) and bool(re.fullmatch(registry.pattern, local))


def parse_identifier(key: str, text: str) -> Identifier:
    """The identifier `text` of registry `key` (a facts key such as 'chembl'), checked.

    Raises IdentifierError when the registry is unknown or `text` does not match the registry's
    pattern; its message continues "identifier 'TEXT' in …" and ends with how to write it.
    """
    registry = REGISTRIES.get(key)
    if registry is None:
        close = difflib.get_close_matches(key, sorted(REGISTRIES), n=1, cutoff=0.75)
        suggestion = f" — did you mean '{close[0]}'?" if close else ""
        raise IdentifierError(f"names an unknown registry '{key}'{suggestion} (known: {', '.join(sorted(REGISTRIES))})")
    local = _without_curie_prefix(registry, text.strip())
    if _in_standard_form(registry, local) and _matches(registry, local):
        return Identifier(registry, local)  # what the Bioregistry would make of it too
    local = _standardized(registry, text.strip())
    if _matches(registry, local):
        return Identifier(registry, local)
    hint = f"write it as in the registry, e.g. {registry.example}"
    squeezed = _standardized(registry, re.sub(r"\s+", "", text))
    for candidate in (squeezed, squeezed.upper()):
        if _matches(registry, candidate):
            # Suggest the form the curator chose: with the CURIE prefix if they wrote one.
            hint = f"write it as {Identifier(registry, candidate).curie if ':' in text else candidate}"
            break
    raise IdentifierError(f"does not match {registry.name}'s pattern {registry.pattern} — {hint}")


if __name__ == "__main__":  # python -m her2kg.identifiers [--check]: regenerate (or compare) registries.json
    fresh = snapshot_text()
    if "--check" in sys.argv[1:]:
        same = SNAPSHOT.is_file() and SNAPSHOT.read_text(encoding="utf-8") == fresh
        print(f"{SNAPSHOT}: {'up to date' if same else 'differs from the installed Bioregistry'}")
        sys.exit(0 if same else 1)
    SNAPSHOT.write_text(fresh, encoding="utf-8")
    print(f"wrote {SNAPSHOT} ({len(REGISTRIES)} registries)")
