"""The command line: a thin click layer over the library — parse, call one function, render.

Typed errors become messages and documented exit codes in one place, `Her2kgGroup.invoke`.
"""

from __future__ import annotations

import os
import sys
import threading
from pathlib import Path

import click

from . import __version__
from .errors import (
    EXIT_CODES_HELP,
    EXIT_DATA,
    EXIT_INTERRUPTED,
    FactsError,
    Her2kgError,
    UsageError,
    ValidationError,
    grouped,
)

facts_option = click.option(
    "--facts",
    "facts_dir",
    type=click.Path(path_type=Path),
    help="Folder of facts YAML files. [default: facts/ of the checkout you are in, else the facts shipped with her2kg]",
)
sources_option = click.option(
    "--sources",
    "copies_dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder with your copies (*.txt) of source texts her2kg does not ship; each is "
    "matched by its SHA-256, so its quotes are checked too.",
)
release_option = click.option(
    "--release",
    "release_dir",
    type=click.Path(path_type=Path),
    default=Path("dist"),
    show_default=True,
    help="Folder of a built release.",
)


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


# What each command says when the data is wrong: every command its own truth.
FAILURE_SUMMARY = {
    "build": "build failed: {what}; nothing was written",
    "validate": "not valid: {what}",
}


class Her2kgCommand(click.Command):
    """Translates the library's typed errors into messages and documented exit codes — here only.

    Done per command, so that a usage error shows the command's own usage line.
    """

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except (FactsError, ValidationError) as err:
            for line in grouped(err.problems):
                click.echo(line, err=True)
            if isinstance(err, FactsError) and err.suppressed:
                click.echo(
                    f"({_plural(err.suppressed, 'more error')} about references to records that could not "
                    f"be loaded are not shown: fix the errors above first)",
                    err=True,
                )
            what = (
                _plural(len(err.problems), "fact error")
                if isinstance(err, FactsError)
                else _plural(len(err.problems), "SHACL violation")
            )
            if isinstance(err, ValidationError) and err.subject != "the facts":
                click.echo(f"{err.subject}: {what}", err=True)
            else:
                click.echo(FAILURE_SUMMARY.get(ctx.info_name or "", "{what}").format(what=what), err=True)
            ctx.exit(EXIT_DATA)
        except UsageError as err:
            raise click.UsageError(str(err), ctx) from err
        except Her2kgError as err:
            click.echo(f"error: {err}", err=True)
            ctx.exit(err.exit_code)
        except KeyboardInterrupt:
            click.echo("interrupted", err=True)
            ctx.exit(EXIT_INTERRUPTED)


class Her2kgGroup(click.Group):
    command_class = Her2kgCommand


@click.group(cls=Her2kgGroup, epilog=EXIT_CODES_HELP)
@click.version_option(__version__, prog_name="her2kg")
def cli():
    """her2kg: build, check and query a knowledge graph of resistance to anti-HER2 therapy."""
    from .progress import show_on_terminal

    show_on_terminal()  # only on a terminal, never in CI


validator_option = click.option(
    "--validator",
    type=click.Choice(["auto", "pyshacl", "fast"]),
    default="auto",
    show_default=True,
    help="SHACL engine: pyshacl (the reference), fast (the shapes as SPARQL on pyoxigraph, same results), "
    "or auto (fast from 2,000 triples on).",
)
verbose_option = click.option(
    "-v", "--verbose", is_flag=True, help="Also print SHACL infos (such as entities without a standard identifier)."
)


def _echo_findings(findings, verbose: bool = True) -> None:
    """Violations and warnings always; infos only when asked (they are all in build-report.json)."""
    for finding in findings:
        if verbose or str(finding.severity) != "info":
            click.echo(str(finding), err=True)


def _echo_inputs(inputs) -> None:
    from .resources import describe_inputs

    click.echo(describe_inputs(inputs), err=True)


@cli.command(epilog=EXIT_CODES_HELP)
@facts_option
@click.option(
    "--out",
    "out_dir",
    type=click.Path(path_type=Path),
    default=Path("dist"),
    show_default=True,
    help="Folder to write the release to (replaced only if the build succeeds).",
)
@click.option(
    "--reason",
    "with_reasoning",
    is_flag=True,
    help="Also check consistency with HermiT (needs Java) and write her2kg-inferred.ttl/.nt.",
)
@sources_option
@validator_option
@verbose_option
def build(facts_dir, out_dir, with_reasoning, copies_dir, validator, verbose):
    """Build the graph from the facts, validate it, and write the release.

    Writes her2kg.ttl, her2kg.nt (sorted), her2kg.owl (RDF/XML for Protégé), void.ttl and
    build-report.json. Errors are reported as FILE:LINE: message, all at once.
    """
    from .allocator import keep_freed_memory
    from .build import build_release
    from .release import check_out_dir, input_folders

    check_out_dir(out_dir, input_folders(facts_dir, None, None, copies_dir))  # refused before any work
    keep_freed_memory()  # this process is the build's: fewer page faults for a little more memory
    report = build_release(facts_dir, out_dir, reason=with_reasoning, copies_dir=copies_dir, validator=validator)
    _built_heap.set()
    checked = report.checked
    assert checked is not None  # build_release always says what it built
    _echo_inputs(checked.inputs)
    _echo_findings((f for f in checked.findings if str(f.severity) != "violation"), verbose)
    if checked.quotes is not None:
        click.echo(checked.quotes.summary())
    if checked.facts.drafts_summary():
        click.echo(checked.facts.drafts_summary())
    if report.reasoning is not None:
        _echo_reasoning(report.reasoning, verbose=False)
    counts = report.validation.counts()
    infos = counts["info"]
    click.echo(
        f"built {report.triples} triples from {report.records} records "
        f"({_plural(counts['warning'], 'warning')}, {_plural(infos, 'info')}"
        f"{'' if verbose or not infos else ': -v lists them'}) → {out_dir}/"
    )
    if with_reasoning:
        from .release import Release

        written = Release(out_dir)
        click.echo(f"inferred {report.inferred_triples} triples → {written.inferred_ttl}, {written.inferred_nt.name}")


@cli.command(epilog=EXIT_CODES_HELP)
@facts_option
@sources_option
@validator_option
@click.argument("file", required=False, type=click.Path(path_type=Path))
def validate(facts_dir, copies_dir, validator, file):
    """Validate the facts (default) or an RDF FILE (.ttl, .nt, .owl) against the shapes.

    Nothing is written. Violations exit 1; warnings and infos are printed.
    """
    if file is None:
        from .build import check_facts

        checked = check_facts(facts_dir, copies_dir=copies_dir, validator=validator)
        _echo_inputs(checked.inputs)
        _echo_findings(checked.findings)
        if checked.quotes is not None:
            click.echo(checked.quotes.summary())
        if checked.facts.drafts_summary():
            click.echo(checked.facts.drafts_summary())
        click.echo(f"valid: {len(checked.facts.records)} records ({_counts(checked.validation)})")
        return
    from .build import validate_file

    report = validate_file(file, validator=validator)
    _echo_findings(f for f in report.findings if str(f.severity) != "violation")
    if not report.conforms:
        raise ValidationError([f.as_problem() for f in report.violations], subject=str(file))
    click.echo(f"valid: {file} ({report.triples} triples, {_counts(report)})")


@cli.command(epilog=EXIT_CODES_HELP)
@click.argument("slug")
@facts_option
@sources_option
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Drafts file to write. [default: drafts/SLUG.yaml in the facts folder]",
)
@click.option("--force", is_flag=True, help="Replace an existing drafts file; its accepted drafts are kept.")
def extract(slug, facts_dir, copies_dir, out, force):
    """Draft claims from the text of publication SLUG, for review.

    Splits the text into sentences, finds the entities the graph knows, and drafts claims (subject,
    relation, object, verbatim quote, section, hedge, evidence kind, confidence) and outcomes, plus
    unknown drug- and gene-like terms. The build ignores a draft until its 'review:' is 'accepted'.
    """
    from .extract import extract_source

    written = extract_source(slug, facts_dir, copies_dir, out, force)
    relations = ", ".join(f"{name} {count}" for name, count in written.relations.items())
    click.echo(
        f"{_plural(written.drafts, 'draft')} ({_plural(written.outcomes, 'outcome')}; {relations or 'no claims'}), "
        f"{_plural(written.candidates, 'candidate term')}"
        + (f"; {written.kept} accepted drafts kept" if written.kept else "")
        + f" → {_shown(written.path)}"
    )
    click.echo("next: review the drafts, set 'review: accepted' on those that are right, then her2kg build")


def _shown(path: Path) -> str:
    """A path as the user would type it: relative to the working folder when it is below it."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def _counts(report) -> str:
    counts = report.counts()
    return f"{_plural(counts['warning'], 'warning')}, {_plural(counts['info'], 'info')}"


@cli.command(epilog=EXIT_CODES_HELP)
@release_option
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "markdown"]),
    default="text",
    show_default=True,
    help="markdown gives the table of docs/coverage.md.",
)
def stats(release_dir, fmt):
    """Count triples, entities per class and statements per source in a built release."""
    from .stats import as_markdown, as_text, release_stats
    from .store import open_release

    summary = release_stats(open_release(release_dir))
    click.echo(as_markdown(summary) if fmt == "markdown" else as_text(summary), nl=fmt == "text")


def _echo_reasoning(result, verbose: bool) -> None:
    click.echo(
        f"consistent: HermiT found no contradiction among {result.individuals} individuals "
        f"(TBox and entities) in {result.seconds} s"
    )
    if not verbose:
        return
    click.echo("class hierarchy (inferred):")
    for cls, supers in sorted(result.hierarchy.items()):
        click.echo(f"  {cls}  ⊑  {', '.join(supers) or 'owl:Thing'}")
    click.echo(f"inferred subclass relations not asserted: {len(result.inferred_subclasses)}")
    for sub, sup in result.inferred_subclasses:
        click.echo(f"  {sub}  ⊑  {sup}")
    click.echo(f"inferred types not asserted: {len(result.inferred_types)}")
    for individual, cls in result.inferred_types:
        click.echo(f"  {individual}  a  {cls}")


@cli.command(epilog=EXIT_CODES_HELP)
@release_option
def reason(release_dir):
    """Check a built release for logical consistency with HermiT (OWL 2 DL; needs Java).

    Reasons over the ontology and the entities (statement nodes are summarised by the types they
    entail), then prints the inferred class hierarchy and the types it inferred. An inconsistency
    is explained in plain words and exits 1.
    """
    from .reason import load_release
    from .reason import reason as run_hermit

    _echo_reasoning(run_hermit(load_release(release_dir)), verbose=True)


@cli.command(epilog=EXIT_CODES_HELP)
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("ontology-docs"),
    show_default=True,
    help="Folder to write index.html to (`her2kg site` writes the same page into its ontology-docs/).",
)
def docs(out_dir):
    """Write a browsable HTML page of the ontology's classes and properties (pyLODE)."""
    from .docs import write_docs

    click.echo(f"wrote {write_docs(out_dir)}")


@cli.command(epilog=EXIT_CODES_HELP)
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("site"),
    show_default=True,
    help="Folder to write the site to: new, empty, or a site written before (it is replaced as a whole).",
)
@release_option
def site(out_dir, release_dir):
    """Write every page and picture of the server as a static site with relative links.

    Entity, class and property pages, their data (Turtle, N-Triples, JSON-LD, RDF/XML), forest plots
    and neighbourhood diagrams, a search page that searches in the browser, and the ontology
    documentation of 'her2kg docs' (in ontology-docs/): publishable on any web server, or opened
    from the disk.
    """
    from .web.site import write_site

    report = write_site(release_dir, out_dir)
    click.echo(f"wrote {out_dir}: {report.pages:,} pages, {report.pictures:,} pictures, {report.files:,} files")


@cli.command("add-source", epilog=EXIT_CODES_HELP)
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--id", "slug", required=True, help="The publication's slug, e.g. smith-2024 (lower case, hyphens).")
@click.option("--title", help="Title as printed. [default: the text's first line]")
@click.option("--year", type=int, help="Year of publication.")
@click.option("--venue", help="Journal or other venue, as printed.")
@click.option(
    "--kind",
    default="journal-article",
    show_default=True,
    help="Publication kind: review, mini-review, original-research, news-article, journal-article, "
    "conference-abstract.",
)
@click.option("--doi", help="DOI, checked against the DOI pattern (only one you have verified).")
@click.option("--pmid", help="PubMed id, checked against its pattern (only one you have verified).")
@click.option(
    "--licence",
    help="SPDX id of the text's licence. CC-BY-4.0, CC-BY-3.0, CC-BY-SA-4.0, CC-BY-NC-4.0, CC0-1.0 or "
    "public-domain ship the text in sources/; anything else, or none, records only its SHA-256. [default: none]",
)
@click.option("--published-at", help="Where the text was published (URL). [default: https://doi.org/DOI]")
@click.option("--attribution", help="Attribution as sources.yaml keeps it. [default: from title, venue, year, DOI]")
def add_source(file, slug, title, year, venue, kind, doi, pmid, licence, published_at, attribution):
    """Register a new source text FILE (plain UTF-8) as publication --id.

    Appends its entry to sources/sources.yaml and its record to facts/publications.yaml, stores the
    text with its LICENSE in sources/SLUG/ where the licence allows shipping it, and creates an empty
    facts/claims/SLUG.yaml. Overwrites nothing; refuses a slug or a text (same SHA-256) already taken.
    """
    from .curation import NewSource, next_steps
    from .curation import add_source as register

    added = register(NewSource(file, slug, title, year, venue, kind, doi, pmid, licence, published_at, attribution))
    how = "text shipped in sources/" if added.shipped else "text not shipped: only its SHA-256 is recorded"
    click.echo(f"registered '{added.slug}': {added.title} (SHA-256 {added.sha256[:12]}…; {how})")
    for what, paths in (("created ", added.created), ("appended", added.appended)):
        for path in paths:
            shown = (
                path.resolve().relative_to(Path.cwd().resolve())
                if path.resolve().is_relative_to(Path.cwd().resolve())
                else path
            )
            click.echo(f"  {what} {shown}")
    click.echo("next:")
    for step in next_steps(added):
        click.echo(f"  {step}")


@cli.command(epilog=EXIT_CODES_HELP)
@click.argument("old_release", type=click.Path(path_type=Path))
@click.argument("new_release", type=click.Path(path_type=Path))
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json", "markdown"]),
    default="text",
    show_default=True,
    help="A readable report, JSON (stable keys, sorted; see docs/curating.md) or Markdown.",
)
def diff(old_release, new_release, fmt):
    """Report what changed from OLD_RELEASE to NEW_RELEASE (two folders written by 'her2kg build').

    Statements (claims, outcomes, approvals …) added, removed or changed, grouped by source publication
    and kind, with the fields that changed; entities by kind; identifiers added, removed or changed.
    Exits 0 whether or not the releases differ.
    """
    from .diff import diff_releases, render

    click.echo(render(diff_releases(old_release, new_release), fmt), nl=False)


def entry_point() -> None:
    try:
        cli(prog_name="her2kg")
    except SystemExit as ended:
        if ended.code in (0, None) and _built_heap.is_set():
            # A build's heap holds millions of objects: the interpreter would free them one by one on the way
            # out (a second at 100,000 claims) for an operating system that takes the whole heap back at once.
            sys.stdout.flush()
            sys.stderr.flush()
            os._exit(0)
        raise


_built_heap = threading.Event()  # set by a build that succeeded: see entry_point


def command_summaries() -> list[tuple[str, str, str]]:
    """(usage line, one-line summary, full --help text) of every command, for the README."""
    found = []
    for name in sorted(cli.commands):
        command = cli.commands[name]
        # The same text on every terminal: a fixed width.
        with (
            click.Context(cli, info_name="her2kg", terminal_width=100, max_content_width=100) as parent,
            click.Context(command, parent=parent, info_name=name, terminal_width=100, max_content_width=100) as ctx,
        ):
            usage = " ".join(["her2kg", name, *command.collect_usage_pieces(ctx)])
            found.append((usage, command.get_short_help_str(limit=120), command.get_help(ctx).rstrip()))
    return found


# --- canned and ad-hoc SPARQL queries over a built release --------------------------------------

result_format_option = click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "csv", "tsv", "json", "xml", "turtle", "ntriples", "jsonld", "rdfxml"]),
    default="table",
    show_default=True,
    help="Solutions: a terminal table, or W3C SPARQL results as CSV, TSV, JSON or XML. CONSTRUCT/DESCRIBE: "
    "turtle (also for table), ntriples, jsonld (also for json) or rdfxml.",
)
max_width_option = click.option(
    "--max-width",
    type=click.IntRange(min=4),
    default=None,
    help="Widest text column of a table (longer text wraps). [default: fit the terminal]",
)
timeout_option = click.option(
    "--timeout",
    type=click.FloatRange(min=0),
    default=10.0,
    show_default=True,
    help="Seconds before the query is stopped (exit 4); 0: no limit.",
)
max_rows_option = click.option(
    "--max-rows",
    type=click.IntRange(min=0),
    default=10_000,
    show_default=True,
    help="Rows written at most (a notice on stderr says when rows were left out); 0: all.",
)


def _write_results(results, fmt: str, max_width: int | None) -> None:
    """Rows to stdout as they arrive, the truncation notice to stderr."""
    import sys

    from .results import truncation_notice, write

    with results:
        write(results, fmt, sys.stdout, max_width=max_width)
        sys.stdout.flush()
    notice = truncation_notice(results)
    if notice:
        click.echo(notice, err=True)


@cli.command("queries", epilog=EXIT_CODES_HELP)
def list_queries():
    """List the canned queries with their titles and parameters."""
    from .catalog import load_queries

    for query in load_queries().values():
        click.echo(f"{query.name}  —  {query.title}")
        for p in query.parameters:
            details = ", ".join(
                [p.type]
                + ([f"default {p.default}"] if p.default else [])
                + ([f"e.g. {p.example}"] if p.example else [])
            )
            click.echo(f"    -p {p.name}=…  ({details}) {p.description}")


def _pairs(params: tuple[str, ...]) -> list[tuple[str, str]]:
    pairs = []
    for param in params:
        name, equals, value = param.partition("=")
        if not equals or not name.strip():
            raise click.BadParameter(f"{param!r} is not NAME=VALUE", param_hint="-p/--param")
        pairs.append((name, value))
    return pairs


@cli.command(epilog=EXIT_CODES_HELP)
@click.argument("name")
@click.option(
    "-p",
    "--param",
    "params",
    multiple=True,
    metavar="NAME=VALUE",
    help="A parameter, once each: a slug (drug=tucatinib), KIND/SLUG (drug/tucatinib), a CURIE "
    "(drug:tucatinib, hk:Drug), a full IRI, a name the graph knows (T-DXd) or a literal.",
)
@result_format_option
@max_width_option
@timeout_option
@max_rows_option
@release_option
def query(name, params, fmt, max_width, timeout, max_rows, release_dir):
    """Run the canned query NAME ('her2kg queries' lists them) on a built release."""
    from .catalog import arguments, find_query, run
    from .store import open_release

    canned = find_query(name)
    given = arguments(_pairs(params))
    store = open_release(release_dir)
    _write_results(run(canned, given, store, timeout=timeout, max_rows=max_rows), fmt, max_width)


@cli.command(epilog=EXIT_CODES_HELP)
@click.argument("query_text", metavar="FILE_OR_TEXT")
@result_format_option
@max_width_option
@timeout_option
@max_rows_option
@release_option
def sparql(query_text, fmt, max_width, timeout, max_rows, release_dir):
    """Run a read-only SPARQL query, given as a file or as text, on a built release.

    The project's prefixes (hk:, rdfs:, skos:, drug:, trial: … as in her2kg.ttl) are declared;
    a query's own PREFIX wins. Updates, SERVICE and FROM / FROM NAMED are refused.
    """
    from .sparql import execute
    from .store import open_release

    path = Path(query_text)
    text = path.read_text(encoding="utf-8") if len(query_text) < 4096 and path.is_file() else query_text
    store = open_release(release_dir)
    _write_results(execute(store, text, timeout=timeout, max_rows=max_rows), fmt, max_width)


# --- the endpoint ---------------------------------------------------------------------------------


@cli.command(epilog=EXIT_CODES_HELP)
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help="Address to listen on (0.0.0.0 to be reachable from other machines).",
)
@click.option(
    "--port",
    type=click.IntRange(0, 65535),
    default=8000,
    show_default=True,
    help="Port to listen on (0: any free port; the address is printed).",
)
@release_option
@click.option(
    "--store",
    "store_dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Serve an on-disk pyoxigraph store (opened read-only) instead of loading the release.",
)
@click.option(
    "--endpoint",
    metavar="URL",
    help="Stand in front of an external SPARQL endpoint: same API, page and limits, queries sent there.",
)
@click.option(
    "--workers",
    type=click.IntRange(min=1),
    default=4,
    show_default=True,
    help="Query worker processes (queries answered at the same time).",
)
@click.option(
    "--timeout",
    type=click.FloatRange(min=0),
    default=10.0,
    show_default=True,
    help="Seconds before a query is stopped (HTTP 503); 0: no limit.",
)
@click.option(
    "--max-rows",
    type=click.IntRange(min=1),
    default=10_000,
    show_default=True,
    help="Rows an answer holds at most (X-Her2kg-Truncated: true says when rows were left out).",
)
@click.option(
    "--cors",
    default="*",
    show_default=True,
    metavar="ORIGINS",
    help="Comma-separated origins whose pages may read answers ('*': any; '': none).",
)
@click.option(
    "--cache-size",
    "cache_mib",
    type=click.IntRange(min=0),
    default=64,
    show_default=True,
    metavar="MIB",
    help="Keep answers to repeated queries, up to this many MiB, for the release cannot change while "
    "served; 0: no cache. Never with --endpoint.",
)
@click.option("-v", "--log", "log", is_flag=True, help="Print one access-log line per request on stderr.")
def serve(host, port, release_dir, store_dir, endpoint, workers, timeout, max_rows, cors, cache_mib, log):
    """Serve the graph: SPARQL 1.1 Protocol at /sparql, the canned queries at /api, a page at /.

    By default the release in --release (built first if there is none) is loaded into the embedded
    store. Read-only: updates answer 403; SERVICE, LOAD and FROM 400; a query past --timeout 503.
    """
    from .web.app import ServerConfig
    from .web.server import prepare

    config = ServerConfig(
        host=host,
        port=port,
        release_dir=release_dir,
        store_dir=store_dir,
        endpoint=endpoint,
        workers=workers,
        timeout=timeout,
        max_rows=max_rows,
        cors=tuple(origin.strip() for origin in cors.split(",") if origin.strip()),
        cache_bytes=cache_mib * 2**20,
        log=log,
    )
    server = prepare(config, on_build=lambda: click.echo(f"no release in {release_dir}/: building it first", err=True))
    backend = server.state.backend
    what = f"{backend.triples:,} triples" if backend.triples is not None else f"in front of {endpoint}"
    click.echo(f"her2kg serving {server.url} — SPARQL endpoint {server.url}sparql, {what} — Ctrl-C to stop")
    server.run()


@cli.command(epilog=EXIT_CODES_HELP)
@click.option(
    "--into",
    "into",
    required=True,
    metavar="URL",
    help="The store's Graph Store Protocol endpoint (Oxigraph server: http://HOST:7878/store; Fuseki: "
    "http://HOST:3030/DATASET/data), or with --protocol update its SPARQL Update endpoint.",
)
@release_option
@click.option(
    "--graph",
    metavar="IRI",
    help="The named graph to load into. [default: the release's graph, https://w3id.org/her2kg/release/VERSION]",
)
@click.option("--replace", is_flag=True, help="Replace the graph's triples, so a reload never duplicates them.")
@click.option(
    "--protocol",
    type=click.Choice(["gsp", "update"]),
    default="gsp",
    show_default=True,
    help="Graph Store HTTP Protocol, or SPARQL Update for a store without it.",
)
@click.option(
    "--sparql",
    "sparql_endpoint",
    metavar="URL",
    help="The store's SPARQL query endpoint, for the closing count. [default: read the graph back "
    "(gsp), or --into (update)]",
)
def load(into, release_dir, graph, replace, protocol, sparql_endpoint):
    """Load a built release into a triple store over HTTP, then count the graph's triples there.

    Credentials come from HER2KG_STORE_USER and HER2KG_STORE_PASSWORD, or from the store host's entry
    in the netrc file (NETRC, else ~/.netrc) — never from the command line.
    """
    import sys

    from .load import load as load_release
    from .release import Release

    def push(progress):
        return load_release(
            into,
            release_dir,
            graph=graph,
            replace=replace,
            protocol=protocol,
            sparql=sparql_endpoint,
            progress=progress,
        )

    if sys.stderr.isatty():
        size = Release(release_dir).graph_nt.stat().st_size if Release(release_dir).graph_nt.is_file() else 0
        with click.progressbar(length=size, label="loading", file=sys.stderr) as bar:
            result = push(bar.update)
    else:
        result = push(None)
    click.echo(
        f"loaded {_plural(result.expected, 'triple')} into <{result.graph}> at {result.into} in "
        f"{_plural(result.requests, 'request')}; the store holds {result.found}: they match"
    )
