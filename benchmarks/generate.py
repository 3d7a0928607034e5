"""Generate a valid synthetic her2kg project of N claims: `facts/`, `sources/` and, on request,
planted SHACL defects with their manifest.

    python benchmarks/generate.py --claims 100000 --out /tmp/her2kg-100k [--seed 1] [--defects 3]

Every synthetic record is a copy of a real record of `facts/` (taken in turn, so the synthetic
facts have the real facts' kinds, fields, vocabulary values, numbers and shapes: trials with arms,
outcomes with arm values and confidence intervals, claims with quotes, evidence and hedges), with
its own id, its references pointing at synthetic records of the same kinds, and synthetic quotes of
synthetic publications. Records other than claims are generated at `ENTITY_SHARE` of the real
facts' ratio to claims: 100k claims make about 1.4 million triples (10k: 135,000).

Quotes are checked by the build: `sources/` holds one synthetic text per synthetic publication,
containing its quotes, listed with its checksum in `sources/sources.yaml`. Build from the output
folder (`cd OUT && her2kg build`), where the project's folders are resolved to OUT's own `facts/`
and `sources/` (with `--facts OUT/facts` from elsewhere, the quotes are counted as not checked).

`--defects K` plants K of each kind of defect SHACL catches and the loader does not: field values
the loader accepts but a shape rejects (written into the facts, so `her2kg build` finds them), and
for the constraints no facts value can break (a second value of a single-valued property, a
literal where an IRI belongs, a value of the wrong datatype) a SPARQL Update, `defects.ru`, which
the tests and benchmarks apply to the built graph. `defects.json` lists every planted defect with
the results it must produce (focus node, path, constraint component, severity).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import sys
from collections import defaultdict
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml
from rdflib.namespace import SKOS

from her2kg.facts import Entry, Facts, Record, load_facts
from her2kg.namespaces import BASE, HK
from her2kg.ontology import Ontology
from her2kg.resources import project_path
from her2kg.schema import EVIDENCE_ENTRY_FIELDS

ENTITY_SHARE = 0.05  # synthetic records of other kinds per claim, relative to the real facts' ratio
MIN_RECORDS = 3  # of each kind, however few the claims
CLAIMS_PER_FILE = 5_000
SH = "http://www.w3.org/ns/shacl#"
WORDS = (
    "HER2",
    "resistance",
    "trastuzumab",
    "tumour",
    "cells",
    "patients",
    "signalling",
    "pathway",
    "inhibitor",
    "expression",
    "mutation",
    "activity",
    "response",
    "treatment",
    "breast",
    "cancer",
    "kinase",
    "survival",
    "the",
    "of",
    "and",
    "in",
    "with",
    "was",
    "were",
    "to",
    "a",
    "by",
    "after",
    "therapy",
    "trial",
    "phase",
    "median",
    "progression-free",
    "observed",
    "associated",
    "increased",
    "reduced",
    "combination",
    "lapatinib",
)


def iri(ref: str) -> str:
    return f"{BASE}{ref}"


class Generator:
    """Synthetic records from the real ones, deterministic for a seed."""

    def __init__(self, real: Facts, claims: int, seed: int) -> None:
        self.rng = random.Random(seed)
        self.real: dict[str, list[Record]] = defaultdict(list)
        for record in real.records:
            self.real[record.kind.name].append(record)
        for records in self.real.values():  # templates in a seeded order: small outputs vary too
            self.rng.shuffle(records)
        self.index = {record.ref: i for records in self.real.values() for i, record in enumerate(records)}
        ratio = claims / len(self.real["claim"])
        self.counts = {
            kind: claims
            if kind == "claim"
            else max(min(MIN_RECORDS, len(records)), round(len(records) * ratio * ENTITY_SHARE))
            for kind, records in self.real.items()
            if kind != "arm"
        }
        self.quotes: dict[str, list[str]] = defaultdict(list)  # synthetic publication id → its quotes

    # -- ids and references ------------------------------------------------------------------
    def template(self, kind: str, j: int) -> Record:
        records = self.real[kind]
        return records[j % len(records)]

    @staticmethod
    def slug(record: Record, j: int) -> str:
        return f"{record.id}-s{j}"

    def synthetic_index(self, ref: str) -> int:
        """A synthetic record standing for the real record `ref`: one copied from it where there is one."""
        kind = ref.partition("/")[0]
        count, real = self.counts[kind], len(self.real[kind])
        i = self.index[ref]
        if i >= count:
            return self.rng.randrange(count)
        return i + real * self.rng.randrange((count - 1 - i) // real + 1)

    def ref(self, ref: str) -> str:
        kind = ref.partition("/")[0]
        if kind == "arm":  # an arm of a synthetic copy of its trial
            arm = self.real_record(ref)
            assert arm.parent is not None
            return f"arm/{self.slug(arm, self.synthetic_index(arm.parent.ref))}"
        j = self.synthetic_index(ref)
        return f"{kind}/{self.slug(self.template(kind, j), j)}"

    def real_record(self, ref: str) -> Record:
        kind = ref.partition("/")[0]
        return next(r for r in self.real[kind] if r.ref == ref)

    # -- values ------------------------------------------------------------------------------
    def quote(self, like: str, publication: str) -> str:
        length, words, written = min(len(like), 280), [], 0
        while written < length:
            word = self.rng.choice(WORDS)
            words.append(word)
            written += len(word) + 1
        text = " ".join(words)
        self.quotes[publication.partition("/")[2]].append(text)
        return text

    def provenance(self, values: dict[str, Any]) -> dict[str, Any]:
        """`source`, `section`, `quote` of a record or evidence entry, with synthetic quotes."""
        source = self.ref(values["source"])
        quotes = [self.quote(q, source) for q in values["quote"]]
        return {"source": source, "quote": quotes if len(quotes) > 1 else quotes[0]}

    def value(self, key: str, value: Any, record: Record) -> Any:
        # A key of the record, or of one of its evidence entries (whose `cites` are references too).
        field = record.kind.field(key) or next((f for f in EVIDENCE_ENTRY_FIELDS if f.key == key), None)
        if isinstance(value, list):
            return [self.value(key, v, record) for v in value]
        if isinstance(value, Entry):
            entry = dict(value.values)
            if "quote" in entry:
                entry.update(self.provenance(entry))
            if "arm" in entry:
                entry["arm"] = self.ref(entry["arm"])
            return {k: self.value(k, v, record) if k not in ("source", "quote", "arm") else v for k, v in entry.items()}
        if isinstance(value, Decimal):
            return int(value) if value == value.to_integral_value() and "." not in str(value) else float(value)
        if field is not None and field.type.label == "ref" and isinstance(value, str):
            return self.ref(value)
        return value

    def record(self, kind: str, j: int) -> dict[str, Any]:
        template = self.template(kind, j)
        out: dict[str, Any] = {}
        for key, value in template.values.items():
            if key in ("source", "quote"):
                out.update(self.provenance(template.values))
            elif key == "id":
                out["id"] = self.slug(template, j)
            elif key == "label":
                out["label"] = f"{value} ({j})"
            elif key == "identifiers":
                if j < len(self.real[kind]):  # only the first copy keeps the real record's identifiers
                    out["identifiers"] = {
                        registry: getattr(parsed, "local", parsed) for registry, (parsed, _line) in value.items()
                    }
            elif key == "arms":
                out["arms"] = [self.arm(self.real_record(ref), j) for ref in value]
            elif key == "arm-values":
                out["arm-values"] = self.arm_values(value, out["trial"])
            elif key == "statements":  # a disagreement relates distinct statements, as the real ones do
                out[key] = self.distinct(self.value(key, value, template))
            else:
                out[key] = self.value(key, value, template)
        return out

    def distinct(self, refs: list[str]) -> list[str]:
        """`refs` without repeats: two real records may map to one synthetic copy; a repeat is
        replaced by a claim not yet among them."""
        unique = list(dict.fromkeys(refs))
        while len(unique) < len(refs):
            j = self.rng.randrange(self.counts["claim"])
            claim = f"claim/{self.slug(self.template('claim', j), j)}"
            if claim not in unique:
                unique.append(claim)
        return unique

    def arm(self, arm: Record, j: int) -> dict[str, Any]:
        values = {k: self.value(k, v, arm) for k, v in arm.values.items()}
        values.update(id=self.slug(arm, j), label=f"{arm.values['label']} ({j})")
        return values

    def arm_values(self, entries: list[Entry], trial: str) -> list[dict[str, Any]]:
        """Arm values for the arms of the outcome's synthetic trial (a copy of the real one's)."""
        j = int(trial.rpartition("-s")[2])
        kind = trial.partition("/")[0]
        arms = [self.real_record(ref) for ref in self.template(kind, j).values.get("arms", [])]
        values = []
        for entry in entries:
            real_arm = self.real_record(entry.values["arm"])
            arm = real_arm if real_arm in arms else (arms[len(values) % len(arms)] if arms else None)
            if arm is not None and f"arm/{self.slug(arm, j)}" not in {v["arm"] for v in values}:  # one value per arm
                value = {k: self.value(k, v, self.real["outcome"][0]) for k, v in entry.values.items()}
                values.append({**value, "arm": f"arm/{self.slug(arm, j)}"})
        return values

    def records(self, kind: str) -> Iterator[dict[str, Any]]:
        for j in range(self.counts[kind]):
            yield self.record(kind, j)


def represent_text(dumper: yaml.SafeDumper, text: str) -> yaml.Node:
    return dumper.represent_scalar("tag:yaml.org,2002:str", text, style='"' if len(text) > 60 else None)


class Dumper(getattr(yaml, "CSafeDumper", yaml.SafeDumper)):  # type: ignore[misc]  # libyaml's emitter where built
    def ignore_aliases(self, data: Any) -> bool:  # copies share lists; write each out in full
        return True


Dumper.add_representer(str, represent_text)


def write_yaml(path: Path, data: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.dump(data, Dumper=Dumper, sort_keys=False, allow_unicode=True, width=10_000), encoding="utf-8")


def write_sources(out: Path, quotes: dict[str, list[str]]) -> None:
    """One synthetic text per publication holding its quotes, listed with its SHA-256."""
    entries = []
    for publication in sorted(quotes):
        path = out / "sources" / publication / f"{publication}.txt"
        path.parent.mkdir(parents=True, exist_ok=True)
        text = "\n\n".join(dict.fromkeys(quotes[publication])) + "\n"
        path.write_text(text, encoding="utf-8")
        entries.append(
            {
                "publication": publication,
                "file": f"{publication}/{publication}.txt",
                "sha256": hashlib.sha256(text.encode("utf-8")).hexdigest(),
                "licence": "CC0 1.0 (synthetic text)",
                "licence-url": "https://creativecommons.org/publicdomain/zero/1.0/",
                "attribution": "Synthetic text generated by benchmarks/generate.py.",
                "published": "not published (synthetic)",
            }
        )
    write_yaml(out / "sources" / "sources.yaml", {"sources": entries})


# -- planted defects ---------------------------------------------------------------------------


def expect(focus: str, component: str, path: str | None, severity: str = "violation") -> dict[str, Any]:
    """A result a defect must produce; `path` is an hk: local name or a full IRI."""
    path_iri = None if path is None else path if path.startswith("http") else str(HK[path])
    return {"focus": iri(focus), "path": path_iri, "component": f"{SH}{component}", "severity": severity}


class Defects:
    """K of each defect; `facts` are records added to the facts, `update` the SPARQL Update for the
    graph-level ones, `planted` the manifest."""

    def __init__(self, generator: Generator, facts: dict[str, list[dict[str, Any]]], k: int) -> None:
        self.g, self.facts, self.k = generator, facts, k
        self.planted: list[dict[str, Any]] = []
        self.inserts: list[str] = []
        self.deletes: list[str] = []

    def copy(self, kind: str, name: str, i: int, **changes: Any) -> str:
        """A new record of `kind`: a valid one's copy under a new id, with `changes` (None removes a key)."""
        plural = self.g.real[kind][0].kind.plural
        record = {**self.facts[plural][0], "id": f"defect-{name}-{i}"}
        record.pop("arms", None)
        record.pop("arm-values", None)
        for key, value in changes.items():
            if value is None:
                record.pop(key, None)
            else:
                record[key] = value
        if "label" in record:
            record["label"] = f"defect {name} {i}"
        self.facts[plural].append(record)
        return f"{kind}/{record['id']}"

    def plant(self, name: str, where: str, expected: list[dict[str, Any]]) -> None:
        self.planted.append({"defect": name, "planted_in": where, "expected": expected})

    def all(self) -> None:
        for i in range(self.k):
            quote = self.g.quote("x" * 400, "publication/" + self.facts["publications"][0]["id"])
            quote = (quote + " " + quote)[:320]
            self.g.quotes[self.facts["publications"][0]["id"]].append(quote)
            ref = self.copy(
                "claim", "quote-too-long", i, quote=quote, source="publication/" + self.facts["publications"][0]["id"]
            )
            self.plant(
                "quote longer than 300 characters", "facts", [expect(ref, "MaxLengthConstraintComponent", "quote")]
            )
            ref = self.copy("claim", "no-evidence-kind", i, evidence=None)
            self.plant(
                "relation claim without evidence kind",
                "facts",
                [expect(ref, "MinCountConstraintComponent", "evidenceKind")],
            )
            ref = self.copy("trial", "nct-misprint", i, nct=f"NCT{i:05d}")
            self.plant(
                "NCT number as printed not NCT + 8 digits",
                "facts",
                [expect(ref, "PatternConstraintComponent", "nctAsPrinted", "warning")],
            )
            ref = self.copy("trial", "enrolled-zero", i, enrolled=0)
            self.plant("no patient enrolled", "facts", [expect(ref, "MinInclusiveConstraintComponent", "enrolled")])
            ref = self.copy("approval", "month-13", i, month=13)
            self.plant("month 13", "facts", [expect(ref, "MaxInclusiveConstraintComponent", "month")])
            outcome = {
                "hazard-ratio": None,
                "ci-lower": None,
                "ci-upper": None,
                "p-value": None,
                "significant": None,
                "p-relation": None,
            }
            ref = self.copy("outcome", "hazard-ratio-zero", i, **{**outcome, "hazard-ratio": 0})
            self.plant("hazard ratio 0", "facts", [expect(ref, "MinExclusiveConstraintComponent", "hazardRatio")])
            ref = self.copy("outcome", "ci-reversed", i, **{**outcome, "ci-lower": 2.5, "ci-upper": 1.5})
            self.plant(
                "lower confidence bound above the upper",
                "facts",
                [expect(ref, "LessThanOrEqualsConstraintComponent", "ciLower")],
            )
            ref = self.copy("outcome", "one-ci-bound", i, **{**outcome, "ci-lower": 0.5})
            self.plant(
                "a confidence interval with one bound",
                "facts",
                [expect(ref, "SPARQLConstraintComponent", None, "warning")],
            )
            ref = self.copy("outcome", "p-value-above-1", i, **{**outcome, "p-value": 5})
            self.plant("p-value 5", "facts", [expect(ref, "MaxInclusiveConstraintComponent", "pValue")])
            prevalence = {
                "value": None,
                "value-lower": None,
                "value-upper": None,
                "numerator": None,
                "denominator": None,
            }
            ref = self.copy("prevalence", "no-quantity", i, **prevalence)
            self.plant(
                "prevalence without value, range or count", "facts", [expect(ref, "OrConstraintComponent", None)]
            )
            ref = self.copy("prevalence", "percent-above-100", i, **{**prevalence, "value": 150, "unit": "percent"})
            self.plant("a percentage of 150", "facts", [expect(ref, "SPARQLConstraintComponent", None)])
            ref = self.copy("gene", "unsourced", i, evidence=None, identifiers=None)
            self.plant(
                "an entity no source mentions",
                "facts",
                [
                    expect(ref, "MinCountConstraintComponent", "mentionedIn"),
                    expect(ref, "MinCountConstraintComponent", str(SKOS.exactMatch), "info"),
                ],
            )
            self.graph_level(i)

    def graph_level(self, i: int) -> None:
        """Defects no facts value can make, as triples changed in the built graph."""
        publication = iri(self.copy("publication", "second-kind", i))
        self.inserts.append(f"<{publication}> <{HK.publicationKind}> <{BASE}vocab/publication-kind/review-{i}> .")
        self.plant(
            "a second publication kind",
            "graph",
            [
                expect(publication.removeprefix(BASE), "MaxCountConstraintComponent", "publicationKind"),
                expect(publication.removeprefix(BASE), "ClassConstraintComponent", "publicationKind"),
            ],
        )
        trial = iri(self.copy("trial", "enrolled-decimal", i, enrolled=12))
        self.deletes.append(f"<{trial}> <{HK.enrolled}> ?enrolled .")
        self.inserts.append(f'<{trial}> <{HK.enrolled}> "{100 + i}.5"^^<http://www.w3.org/2001/XMLSchema#decimal> .')
        self.plant(
            "enrolled not a whole number",
            "graph",
            [expect(trial.removeprefix(BASE), "DatatypeConstraintComponent", "enrolled")],
        )
        correction = iri(self.copy("correction", "corrects-literal", i))
        self.deletes.append(f"<{correction}> <{HK.corrects}> ?corrected .")
        self.inserts.append(f'<{correction}> <{HK.corrects}> "a record" .')
        self.plant(
            "a correction of a literal",
            "graph",
            [expect(correction.removeprefix(BASE), "NodeKindConstraintComponent", "corrects")],
        )

    def update(self) -> str:
        """One DELETE/INSERT per planted change (a DELETE WHERE only matches what is there)."""
        parts = [f"DELETE WHERE {{ {d} }}" for d in self.deletes]
        parts.append("INSERT DATA {\n  " + "\n  ".join(self.inserts) + "\n}")
        return " ;\n".join(parts) + "\n"


def generate(claims: int, out: Path, seed: int = 1, defects: int = 0, facts_dir: Path | None = None) -> dict[str, int]:
    """Write OUT/facts, OUT/sources and (with defects) OUT/defects.ru and OUT/defects.json."""
    real = load_facts(facts_dir or project_path("facts"), Ontology())
    generator = Generator(real, claims, seed)
    facts: dict[str, list[dict[str, Any]]] = {}
    for kind, records in generator.real.items():
        if kind != "arm":
            facts[records[0].kind.plural] = list(generator.records(kind))
    if defects:
        planted = Defects(generator, facts, defects)
        planted.all()
        (out / "defects.ru").parent.mkdir(parents=True, exist_ok=True)
        (out / "defects.ru").write_text(planted.update(), encoding="utf-8")
        (out / "defects.json").write_text(json.dumps(planted.planted, indent=1) + "\n", encoding="utf-8")
    claim_records = facts.pop("claims")
    for plural, records in facts.items():
        write_yaml(out / "facts" / f"{plural}.yaml", {plural: records})
    for start in range(0, len(claim_records), CLAIMS_PER_FILE):
        write_yaml(
            out / "facts" / "claims" / f"synthetic-{start // CLAIMS_PER_FILE + 1:04d}.yaml",
            {"claims": claim_records[start : start + CLAIMS_PER_FILE]},
        )
    write_sources(out, generator.quotes)
    return {"claims": len(claim_records), **{p: len(r) for p, r in facts.items()}}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--claims", type=int, required=True, help="number of claims")
    parser.add_argument("--out", type=Path, required=True, help="output folder (facts/, sources/ …)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--defects", type=int, default=0, metavar="K", help="plant K defects of each kind")
    args = parser.parse_args(argv)
    if args.out.exists() and any(args.out.iterdir()):
        parser.error(f"{args.out} is not empty — give a new or empty folder")
    counts = generate(args.claims, args.out, args.seed, args.defects)
    print(f"wrote {sum(counts.values()):,} records ({args.claims:,} claims) to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
