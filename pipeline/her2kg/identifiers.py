"""Standard identifiers (HGNC, ChEBI, ChEMBL, DrugBank, NCIt, MONDO, DOI, PubMed, NCT …).

Every identifier a curator writes is checked against its registry's pattern before anything is
made of it, and its resolver IRI is produced from the same registry record. Patterns, names and
IRIs come from the Bioregistry, whose data ships inside the `bioregistry` wheel (no network).
OBO ontologies resolve to their OBO PURLs, DOIs to doi.org, everything else to identifiers.org.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from functools import cache

import bioregistry

from .errors import Her2kgError

__all__ = ["REGISTRIES", "Identifier", "IdentifierError", "Registry", "parse_identifier"]


@dataclass(frozen=True)
class Registry:
    key: str  # as written in facts: `identifiers: {chembl: CHEMBL554}`
    prefix: str  # the Bioregistry prefix
    curie_prefix: str  # how oboInOwl:hasDbXref writes it (queries and shapes filter on it)

    @property
    def name(self) -> str:
        return _resource(self.prefix).get_name() or self.prefix

    @property
    def pattern(self) -> str:
        return _resource(self.prefix).get_pattern() or ""

    @property
    def example(self) -> str:
        return _resource(self.prefix).get_example() or ""


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
        prefix = self.registry.prefix
        if prefix == "doi":  # a DOI's own resolver; identifiers.org would only redirect to it
            iri = bioregistry.get_default_iri(prefix, self.local)
        else:
            iri = bioregistry.get_obofoundry_iri(prefix, self.local) or bioregistry.get_identifiers_org_iri(
                prefix, self.local
            )
        if iri is None:
            raise AssertionError(f"the Bioregistry has no resolver for {prefix}")
        return iri


@cache
def _resource(prefix: str) -> bioregistry.Resource:
    resource = bioregistry.get_resource(prefix)
    if resource is None:
        raise AssertionError(f"'{prefix}' is not a Bioregistry prefix")
    return resource


def _local(registry: Registry, text: str) -> str:
    """`text` without a CURIE prefix of its own registry (HGNC:3430 → 3430; CHEBI:61390 → 61390)."""
    head, colon, tail = text.partition(":")
    if colon and head.lower() in {
        registry.curie_prefix.lower(),
        registry.prefix,
        *(s.lower() for s in _resource(registry.prefix).get_synonyms()),
    }:
        text = tail
    return bioregistry.standardize_identifier(registry.prefix, text) or text


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
    local = _local(registry, text.strip())
    if _matches(registry, local):
        return Identifier(registry, local)
    hint = f"write it as in the registry, e.g. {registry.example}"
    squeezed = _local(registry, re.sub(r"\s+", "", text))
    for candidate in (squeezed, squeezed.upper()):
        if _matches(registry, candidate):
            # Suggest the form the curator chose: with the CURIE prefix if they wrote one.
            hint = f"write it as {Identifier(registry, candidate).curie if ':' in text else candidate}"
            break
    raise IdentifierError(f"does not match {registry.name}'s pattern {registry.pattern} — {hint}")
