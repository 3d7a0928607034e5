"""The build, stage by stage: facts → records → graph → SHACL → [reasoning] → release files.

This is the library face of a build (`check_facts`, `build_release`, `validate_file`): the CLI, the
benchmarks and the tests call these, so the order of the stages lives here only — in particular,
reasoning runs before anything is written, so an inconsistent graph is never released.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rdflib import Graph

from . import parallel, progress
from .abox import Locations, build_graph, labels_in_order
from .errors import FactsError, UsageError, ValidationError
from .facts import Facts, load_facts
from .ontology import Ontology
from .resources import Resolved, resolve
from .sources import QuoteReport, check_quotes, load_library
from .validate import Finding, ValidationReport, choose_engine, load_shapes, validate_graph

if TYPE_CHECKING:
    from .formats import Content
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
    checked: Checked | None = None  # what was built and validated: the inputs read, the quotes checked

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
    return _validated(_built(facts_dir, ontology_dir, shapes_dir, copies_dir, sources_dir), validator)


@dataclass
class _Built:
    """The data graph built from checked facts, and what validating it needs."""

    facts: Facts
    ontology: Ontology
    data: Graph
    locations: Locations
    shapes: Graph
    stages: Stages
    inputs: dict[str, Resolved]
    quotes: QuoteReport

    def checked(self, validation: ValidationReport) -> Checked:
        return Checked(
            self.facts, self.ontology, self.data, validation, self.stages, self.locations, self.inputs, self.quotes
        )


def _built(
    facts_dir: Path | None,
    ontology_dir: Path | None,
    shapes_dir: Path | None,
    copies_dir: Path | None,
    sources_dir: Path | None,
) -> _Built:
    """Load the ontology and the facts, check the quotes and build the data graph (FactsError on any problem)."""
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
    if parallel.available():
        quotes, data, locations = _built_beside_quotes_and_labels(facts, ontology, sources_dir, copies_dir, stages)
    else:
        with stages.stage("check-quotes"):
            quotes = _quote_check(facts, sources_dir, copies_dir)
        _refuse_quotes(quotes)
        with stages.stage("build"):
            data, locations = build_graph(facts, ontology)
    inputs = {"facts": facts_in, "ontology": ontology_in, "shapes": shapes_in}
    return _Built(facts, ontology, data, locations, load_shapes(shapes_in.path), stages, inputs, quotes)


def _built_beside_quotes_and_labels(
    facts: Facts, ontology: Ontology, sources_dir: Path | None, copies_dir: Path | None, stages: Stages
) -> tuple[QuoteReport, Graph, Locations]:
    """The source texts read and the quotes checked in a forked process, and the labels named in another, while
    this one builds the graph (at 100,000 claims 4 s and 2 s beside 4.6 s); a wrong quote, or a folder of texts
    that cannot be read, fails the build once the graph is built."""
    check = functools.partial(_timed_quote_check, facts, sources_dir, copies_dir)
    name = functools.partial(labels_in_order, facts, ontology)
    with stages.stage("build"), parallel.beside(check) as checked, parallel.beside(name) as named:
        data, locations = build_graph(facts, ontology, labels=named)
        quotes, stages.timings["check-quotes"] = checked()
    _refuse_quotes(quotes)
    return quotes, data, locations


def _quote_check(facts: Facts, sources_dir: Path | None, copies_dir: Path | None) -> QuoteReport:
    return check_quotes(facts, load_library(sources_dir, copies_dir))


def _timed_quote_check(facts: Facts, sources_dir: Path | None, copies_dir: Path | None) -> tuple[QuoteReport, float]:
    start = time.perf_counter()
    return _quote_check(facts, sources_dir, copies_dir), round(time.perf_counter() - start, 3)


def _refuse_quotes(quotes: QuoteReport) -> None:
    if quotes.problems:
        raise FactsError(quotes.problems)


def _validated(built: _Built, validator: str, content: Content | None = None) -> Checked:
    """`built`, validated: ValidationError if the graph has violations."""
    with built.stages.stage("validate"):
        validation = _validation(built, validator, content)
    _refuse_violations(validation)
    return built.checked(validation)


def _validation(built: _Built, validator: str, content: Content | None = None) -> ValidationReport:
    """The validation of `built`; with its release `content`, on the release store (see validate_graph)."""
    return validate_graph(
        built.data,
        built.ontology.graph,
        built.shapes,
        built.locations,
        validator=validator,
        store=None if content is None else content.store,
        written=None if content is None else content.data_objects,
    )


def _validation_of_release(built: _Built, engine: str) -> Callable[[Content], ValidationReport]:
    """The validation of `built` on its release content, as the build runs it beside the writers: with the fast
    engine it holds nothing of the data graph but its size, so the build can let go of the graph before it runs."""
    data = built.data if engine != "fast" else None
    size, ontology, shapes, locations = len(built.data), built.ontology.graph, built.shapes, built.locations

    def validate(content: Content) -> ValidationReport:
        return validate_graph(
            data,
            ontology,
            shapes,
            locations,
            validator=engine,
            store=content.store,
            written=content.data_objects,
            triples=size,
        )

    return validate


def _refuse_violations(validation: ValidationReport) -> None:
    if not validation.conforms:
        raise ValidationError([f.as_problem() for f in validation.violations])


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
    validator: str = "auto",
) -> BuildReport:
    """Build, validate and (with `reason`) check consistency with HermiT, then write the release
    into `out_dir`, replacing a previous release only when every stage succeeded.

    With more than one CPU and without `reason` (whose reasoner needs the validated graph first), the
    release is written into its staging folder while the graph is validated, and some of its files are
    written in a second process (see write_release); it is swapped in only when the validation has passed.
    The files are the same either way.

    Otherwise the data graph is let go of once the release triples exist (write_release's `let_go`): a
    `checked` given is handed over.
    """
    from .formats import frozen_heap
    from .release import check_out_dir, input_folders, release_content, write_release

    # Before any work: a build never replaces a folder holding files it did not write.
    check_out_dir(out_dir, input_folders(checked.facts.folder if checked else facts_dir, None, None, copies_dir))
    content = None
    if checked is None:
        built = _built(facts_dir, None, None, copies_dir, None)
        if not reason and parallel.available():
            # A wrong --validator is refused here, not in the other process.
            engine = choose_engine(validator, len(built.data), built.shapes)
            validate = _validation_of_release(built, engine)
            checked = built.checked(ValidationReport("the facts", (), engine="not yet run"))
            del built  # the fast engine validates the release store: the data graph is let go of before it runs
            summary = write_release(checked, Path(out_dir), validate=validate, let_go=engine == "fast")
            return BuildReport(Path(out_dir), summary, checked.validation, checked=checked)
        # The release triples and their store are made first: the fast validator runs on that store.
        with frozen_heap():
            content = release_content(built.ontology.graph, built.data, with_inferences=reason)
            content.store  # noqa: B018
        checked = _validated(built, validator, content)
        del built  # its data graph is let go of while the release is written (below)
    reasoning = None
    if reason:  # before writing: an inconsistent graph is never released
        from .reason import reason as run_hermit

        reasoning = run_hermit(checked.release_graph())
    summary = write_release(checked, Path(out_dir), with_inferences=reason, let_go=True, content=content)
    return BuildReport(Path(out_dir), summary, checked.validation, reasoning, checked)


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
