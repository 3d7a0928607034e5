"""The build, stage by stage: facts → records → graph → SHACL → [reasoning] → release files.

This is the library face of a build (`check_facts`, `build_release`, `validate_file`): the CLI, the
benchmarks and the tests call these, so the order of the stages lives here only — in particular,
reasoning runs before anything is written, so an inconsistent graph is never released.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rdflib import Graph

from . import progress
from .abox import Locations, build_graph
from .errors import FactsError, UsageError, ValidationError
from .facts import Facts, load_facts
from .ontology import Ontology
from .resources import Resolved, resolve
from .sources import QuoteReport, check_quotes, load_library
from .validate import Finding, ValidationReport, load_shapes, validate_graph

if TYPE_CHECKING:
    from .reason import Reasoning


@dataclass
class Stages:
    """Wall time per stage, in seconds (for build-report.json and the benchmarks)."""

    timings: dict[str, float] = field(default_factory=dict)

    @contextmanager
    def stage(self, name: str) -> Iterator[None]:
        start = time.perf_counter()
        with progress.stage(name):
            yield
        self.timings[name] = round(time.perf_counter() - start, 3)


@dataclass
class Checked:
    """A graph that has been built from facts and validated: what a release is written from."""

    facts: Facts
    ontology: Ontology
    data: Graph
    validation: ValidationReport
    stages: Stages
    locations: Locations = field(default_factory=Locations)
    inputs: dict[str, Resolved] = field(default_factory=dict)  # input folder name → where it was read
    quotes: QuoteReport | None = None

    @property
    def findings(self) -> tuple[Finding, ...]:
        return self.validation.findings

    @property
    def violations(self) -> list[Finding]:
        return self.validation.violations

    def release_graph(self) -> Graph:
        """The ontology and the data as one read-only graph, without copying either (for the reasoner)."""
        from rdflib.graph import ReadOnlyGraphAggregate

        return ReadOnlyGraphAggregate([self.ontology.graph, self.data])


@dataclass(frozen=True)
class BuildReport:
    """What a build wrote and found (build-report.json holds the same as `summary`)."""

    out_dir: Path
    summary: dict[str, Any]
    validation: ValidationReport
    reasoning: Reasoning | None = None

    @property
    def triples(self) -> int:
        return int(self.summary["triples"])

    @property
    def records(self) -> int:
        return int(self.summary["records"])

    @property
    def inferred_triples(self) -> int | None:
        return self.summary.get("inferred_triples")


def check_facts(
    facts_dir: Path | None = None,
    ontology_dir: Path | None = None,
    shapes_dir: Path | None = None,
    copies_dir: Path | None = None,
    sources_dir: Path | None = None,
    validator: str = "auto",
) -> Checked:
    """Load, check the quotes against the source texts, build and validate; raise FactsError or
    ValidationError with every problem found.

    `copies_dir` holds a curator's own copies of source texts that her2kg does not ship (see sources.py);
    `validator` is the SHACL engine: "auto", "pyshacl" or "fast" (see validate/).
    """
    stages = Stages()
    facts_in, ontology_in, shapes_in = (
        resolve("facts", facts_dir),
        resolve("ontology", ontology_dir),
        resolve("shapes", shapes_dir),
    )
    with stages.stage("load-ontology"):
        ontology = Ontology(ontology_in.path)
    with stages.stage("load-facts"):
        facts = load_facts(facts_in.path, ontology, display_root=_display_root(facts_in.path))
    with stages.stage("check-quotes"):
        quotes = check_quotes(facts, load_library(sources_dir, copies_dir))
    if quotes.problems:
        raise FactsError(quotes.problems)
    with stages.stage("build"):
        data, locations = build_graph(facts, ontology)
    with stages.stage("validate"):
        validation = validate_graph(data, ontology.graph, load_shapes(shapes_in.path), locations, validator=validator)
    inputs = {"facts": facts_in, "ontology": ontology_in, "shapes": shapes_in}
    checked = Checked(facts, ontology, data, validation, stages, locations, inputs, quotes)
    if not validation.conforms:
        raise ValidationError([f.as_problem() for f in validation.violations])
    return checked


def _display_root(facts_dir: Path) -> Path:
    """Report facts files relative to the working directory when they are below it."""
    cwd = Path.cwd().resolve()
    return cwd if facts_dir.resolve().is_relative_to(cwd) else facts_dir.resolve().parent


def build_release(
    facts_dir: Path | None = None,
    out_dir: Path = Path("dist"),
    *,
    reason: bool = False,
    copies_dir: Path | None = None,
    checked: Checked | None = None,
) -> BuildReport:
    """Build, validate and (with `reason`) check consistency with HermiT, then write the release
    into `out_dir`, replacing a previous release only when every stage succeeded. A `checked` given is
    handed over: its data graph is let go of while the release is written (see write_release)."""
    from .release import check_out_dir, input_folders, write_release

    # Before any work: a build never replaces a folder holding files it did not write.
    check_out_dir(out_dir, input_folders(checked.facts.folder if checked else facts_dir, None, None, copies_dir))
    checked = checked or check_facts(facts_dir, copies_dir=copies_dir)
    reasoning = None
    if reason:  # before writing: an inconsistent graph is never released
        from .reason import reason as run_hermit

        reasoning = run_hermit(checked.release_graph())
    summary = write_release(checked, Path(out_dir), with_inferences=reason, let_go=True)
    return BuildReport(Path(out_dir), summary, checked.validation, reasoning)


def validate_file(
    path: Path, ontology_dir: Path | None = None, shapes_dir: Path | None = None, validator: str = "auto"
) -> ValidationReport:
    """Validate an RDF file (.ttl, .nt, .owl …) against the shapes, with the ontology merged in.

    Returns the report whether or not it conforms; a file that cannot be parsed is a UsageError.
    """
    path = Path(path)
    if not path.is_file():
        raise UsageError(f"{path}: no such file")
    data = Graph()
    try:
        data.parse(path)
    except Exception as err:  # rdflib raises parser-specific types of every kind
        first_line = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
        raise UsageError(f"{path}: cannot parse as RDF: {first_line}") from err
    ontology = Ontology(resolve("ontology", ontology_dir).path)
    report = validate_graph(
        data, ontology.graph, load_shapes(resolve("shapes", shapes_dir).path), subject=str(path), validator=validator
    )
    return report
