"""The whole build, stage by stage: facts → records → graph → SHACL → release files.

A release is written into a fresh folder beside the target and swapped in only when every stage
has succeeded, so a failed build leaves the last good release untouched.
"""
from __future__ import annotations

import os
import shutil
import tempfile
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import Graph

from . import __version__
from .build import build_graph
from .errors import FactsError, Problem, ValidationError
from .export import bound, class_counts, void_description, write_graph_files, write_report
from .facts import Facts, load_facts
from .namespaces import HK
from .ontology import Ontology
from .resources import project_path
from .sources import QuoteReport, check_quotes, load_library
from .validate import Finding, load_shapes, validate_graph


@dataclass
class Stages:
    timings: dict[str, float] = field(default_factory=dict)

    @contextmanager
    def stage(self, name: str):
        start = time.perf_counter()
        yield
        self.timings[name] = round(time.perf_counter() - start, 3)


@dataclass
class Checked:
    """A graph that has been built from facts and validated."""

    facts: Facts
    ontology: Ontology
    data: Graph
    findings: list[Finding]
    stages: Stages
    quotes: QuoteReport | None = None

    @property
    def violations(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "violation"]

    def release_graph(self) -> Graph:
        return self.ontology.graph + self.data


def check(facts_dir: Path | None = None, ontology_dir: Path | None = None, shapes_dir: Path | None = None,
          copies_dir: Path | None = None, sources_dir: Path | None = None) -> Checked:
    """Load, check the quotes, build and validate; raise FactsError or ValidationError with every problem found.

    `copies_dir` holds the curator's copies of source texts that are not shipped (see sources.py).
    """
    stages = Stages()
    with stages.stage("load-ontology"):
        ontology = Ontology(ontology_dir)
    with stages.stage("load-facts"):
        facts_dir = Path(facts_dir) if facts_dir else project_path("facts")
        facts = load_facts(facts_dir, ontology, display_root=_display_root(facts_dir))
    with stages.stage("check-quotes"):
        quotes = check_quotes(facts, load_library(sources_dir, copies_dir))
    if quotes.problems:
        raise FactsError(quotes.problems)
    with stages.stage("build"):
        data, locations = build_graph(facts, ontology)
    with stages.stage("validate"):
        findings = validate_graph(data, ontology.graph, load_shapes(shapes_dir), locations)
    checked = Checked(facts, ontology, data, findings, stages, quotes)
    if checked.violations:
        raise ValidationError([Problem(f.location, f.message) if f.location else Problem(_nowhere(f), f.message)
                               for f in checked.violations])
    return checked


def _nowhere(finding: Finding):
    from .errors import Location
    return Location(finding.focus, 0)


def _display_root(facts_dir: Path) -> Path:
    """Report facts files relative to the working directory when they are below it."""
    cwd = Path.cwd().resolve()
    return cwd if facts_dir.resolve().is_relative_to(cwd) else facts_dir.resolve().parent


def write_release(checked: Checked, out_dir: Path, with_inferences: bool = False) -> dict:
    """Write the release files into `out_dir`, replacing the previous release only on success.

    With `with_inferences`, her2kg-inferred.ttl/.nt (the entailments a store without a reasoner
    needs) are written into the same folder before the swap.
    """
    out_dir = Path(out_dir)
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}-", dir=out_dir.parent))
    staging.chmod(0o755)  # mkdtemp makes it private; a release is for everyone to read
    try:
        stages = checked.stages
        with stages.stage("export"):
            release = checked.release_graph()
            write_graph_files(release, staging)
            void = void_description(checked.data, release, checked.ontology.graph, __version__)
            (staging / "void.ttl").write_bytes(bound(void).serialize(format="turtle", encoding="utf-8"))
        report = build_report(checked, release)
        if with_inferences:
            from .infer import write_inferred

            with stages.stage("infer"):
                report["inferred_triples"] = write_inferred(release, staging)
            report["timings_seconds"] = stages.timings
            report["files"] += ["her2kg-inferred.ttl", "her2kg-inferred.nt"]
        write_report(report, staging)
        _swap_in(staging, out_dir)
        return report
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)


def _swap_in(staging: Path, out_dir: Path) -> None:
    previous = None
    if out_dir.exists():
        previous = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}-old-", dir=out_dir.parent))
        os.rmdir(previous)
        os.replace(out_dir, previous)
    os.replace(staging, out_dir)
    if previous is not None:
        shutil.rmtree(previous, ignore_errors=True)


def build_report(checked: Checked, release: Graph) -> dict:
    counts = {"warning": 0, "info": 0, "violation": 0}
    for finding in checked.findings:
        counts[finding.severity] += 1
    claims_per_source: dict[str, int] = {}
    for source in checked.data.objects(None, HK.statedIn):
        slug = str(source).rpartition("/")[2]
        claims_per_source[slug] = claims_per_source.get(slug, 0) + 1
    return {
        "version": __version__,
        "triples": len(release),
        "data_triples": len(checked.data),
        "records": len(checked.facts.records),
        "classes": class_counts(checked.data),
        "statements_per_source": dict(sorted(claims_per_source.items())),
        **({"quotes": checked.quotes.as_dict()} if checked.quotes else {}),
        "validation": {
            "conforms": counts["violation"] == 0,
            "violations": counts["violation"],
            "warnings": counts["warning"],
            "infos": counts["info"],
            "results": [f.as_dict() for f in checked.findings],
        },
        "timings_seconds": checked.stages.timings,
        "files": ["her2kg.ttl", "her2kg.nt", "her2kg.owl", "void.ttl", "build-report.json"],
    }
