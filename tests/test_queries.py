"""The canned queries (queries/*.rq) and their parameters, as a specification.

Every query file: its header is complete, it parses, it returns rows on the shipped graph (a QA
check tagged "must be empty" returns none), the
embedded store (pyoxigraph) and rdflib's engine give the same answer, and that answer equals the
stored one in tests/queries/expected/<name>.tsv.

After a deliberate change of the facts, regenerate the stored answers and review the diff:

    pytest tests/test_queries.py --update-expected

Answers are compared as sets of rows of N-Triples terms, after normalising what the engines may
write differently: numbers by value (6.0 = 6), and the unspecified order of GROUP_CONCAT parts.

Each file in tests/queries/parameters/ is one case of a parameter: the value given, and either
the number of rows that must come back (and, under `bound`, the entity a value must name) or the
error that must be raised.
"""

from pathlib import Path

import pyoxigraph
import pytest
import yaml
from click.testing import CliRunner

from answers import oxigraph_answer, rdflib_answer, tsv
from her2kg.catalog import bind, load_queries, load_query, run
from her2kg.cli import cli
from her2kg.errors import ForbiddenQueryError, QueryError, UsageError
from her2kg.namespaces import BASE
from her2kg.resources import project_path
from her2kg.sparql import check_read_only, execute, with_values

HERE = Path(__file__).parent / "queries"
EXPECTED = HERE / "expected"
QUERY_FILES = sorted(project_path("queries").glob("*.rq"))
PARAMETER_CASES = sorted((HERE / "parameters").glob("*.yaml"))
# --- fixtures ------------------------------------------------------------------------------------


# --- every canned query --------------------------------------------------------------------------


def test_there_are_canned_queries_for_every_kind_of_question():
    tags = {tag for query in load_queries().values() for tag in query.tags}
    assert len(QUERY_FILES) >= 30
    assert {
        "drugs",
        "resistance",
        "strategies",
        "trials",
        "outcomes",
        "provenance",
        "negative results",
        "prevalence",
        "conflicts",
        "curation QA",
        "multi-hop",
    } <= tags


@pytest.mark.parametrize("path", QUERY_FILES, ids=[p.stem for p in QUERY_FILES])
def test_canned_query(path, shipped_store, rdflib_graph, request):
    query = load_query(path)  # raises on an incomplete header
    assert query.title and query.description and query.tags
    for parameter in query.parameters:
        assert parameter.description, f"parameter {parameter.name} is not described"
        assert parameter.default or parameter.example, f"parameter {parameter.name} has neither default nor example"
    check_read_only(query.text)  # parses, and is neither an update nor a federated query

    examples = {p.name: p.example for p in query.parameters if p.example}
    for arguments in [{}, examples] if examples else [{}]:
        substitutions = bind(query, arguments, shipped_store)
        variables, answer = oxigraph_answer(shipped_store.query(query.text, substitutions=substitutions))
        if "must be empty" in query.tags:  # a QA check: every row is a defect of the data
            assert not answer, f"{query.name} finds defects in the shipped graph: {sorted(answer)}"
        else:
            assert answer, f"{query.name} with {arguments or 'its defaults'} returns no rows on the shipped graph"
        written, left = with_values(query.text, substitutions)  # as `her2kg query` runs it
        assert not left and oxigraph_answer(shipped_store.query(written))[1] == answer, (
            f"{query.name} with {arguments or 'its defaults'}: the values written in answer differently"
        )
        assert rdflib_answer(rdflib_graph, query.text, substitutions) == answer, (
            f"{query.name} with {arguments or 'its defaults'}: rdflib's engine answers differently"
        )
        if not arguments:
            expected = EXPECTED / f"{query.name}.tsv"
            if request.config.getoption("--update-expected"):
                expected.write_text(tsv(variables, answer), encoding="utf-8")
            assert expected.is_file(), f"no stored answer: run pytest {__file__} --update-expected"
            assert expected.read_text(encoding="utf-8") == tsv(variables, answer)


def test_every_stored_answer_belongs_to_a_query():
    assert {p.stem for p in EXPECTED.glob("*.tsv")} == {p.stem for p in QUERY_FILES}


# --- parameters: typed, bound, never pasted ------------------------------------------------------


@pytest.mark.parametrize("case", PARAMETER_CASES, ids=lambda p: p.stem)
def test_parameter(case, shipped_store):
    spec = yaml.safe_load(case.read_text(encoding="utf-8"))
    query = load_queries()[spec["query"]]
    triples = len(shipped_store)
    if "error" in spec:
        with pytest.raises(UsageError, match=spec["error"]):
            list(run(query, spec["params"], shipped_store))
    else:
        bound = bind(query, spec["params"], shipped_store)
        for name, reference in spec.get("bound", {}).items():
            assert bound[pyoxigraph.Variable(name)] == pyoxigraph.NamedNode(BASE + reference)
        rows = list(run(query, spec["params"], shipped_store))
        assert len(rows) == spec["rows"] if "rows" in spec else len(rows) >= spec["min_rows"]
    assert len(shipped_store) == triples  # nothing a parameter says can change the store


@pytest.mark.parametrize(
    "text",
    [
        "CONSTRUCT { ?drug a ?type } WHERE { ?drug a ?type }",
        "DESCRIBE ?drug WHERE { ?drug a ?type }",
        "SELECT ?drug (EXISTS { ?drug a ?type } AS ?typed) WHERE { ?drug ?p ?o }",
    ],
)
def test_values_are_written_in_only_where_the_first_brace_opens_the_where_group(text):
    substitutions = {pyoxigraph.Variable("drug"): pyoxigraph.NamedNode(BASE + "drug/neratinib")}
    assert with_values(text, substitutions) == (text, substitutions)


def test_a_literal_parameter_is_bound_as_one_term_whatever_it_contains(shipped_store):
    hostile = 'T-DXd") } UNION { ?entity ?p ?matchedName } #\n}'
    solutions = run(load_queries()["find-entity"], {"text": hostile}, shipped_store)
    assert list(solutions) == []
    assert bind(load_queries()["find-entity"], {"text": hostile}, shipped_store) == {
        pyoxigraph.Variable("text"): pyoxigraph.Literal(hostile)
    }


# --- ad-hoc queries: read-only, local ------------------------------------------------------------


@pytest.mark.parametrize(
    "text, error, refusal",
    [
        ("DROP ALL", ForbiddenQueryError, "updates"),
        ("INSERT DATA { <http://example.org/a> <http://example.org/b> 1 }", ForbiddenQueryError, "updates"),
        ("LOAD <http://example.org/data.ttl>", QueryError, "LOAD is refused"),
        ("delete where { ?s ?p ?o }", ForbiddenQueryError, "updates"),
        ("SELECT * WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }", QueryError, "SERVICE"),
        (
            "SELECT * WHERE { ?a ?b ?c OPTIONAL { SERVICE SILENT <http://example.org/sparql> { ?s ?p ?o } } }",
            QueryError,
            "SERVICE",
        ),
        (
            "SELECT * WHERE { ?a ?b ?c OPTIONAL{service<http://example.org/sparql>{ ?s ?p ?o } } }",
            QueryError,
            "SERVICE",
        ),
        ("SELECT * FROM <http://example.org/data.ttl> WHERE { ?s ?p ?o }", QueryError, "FROM"),
        ("SELECT * FROM NAMED <http://example.org/data.ttl> WHERE { GRAPH ?g { ?s ?p ?o } }", QueryError, "FROM"),
        (
            "SELEKT ?s WHERE { ?s ?p ?o }",
            QueryError,
            "not a SPARQL query: line 1, column 1: a query starts with SELECT",
        ),
    ],
)
def test_an_ad_hoc_query_that_could_write_or_reach_out_is_refused(text, error, refusal, shipped_store):
    with pytest.raises(error, match=refusal):
        execute(shipped_store, text)


@pytest.mark.parametrize(
    "text",
    [
        'SELECT ?service ?from WHERE { ?service rdfs:label "from SERVICE, LOAD and DELETE" . BIND(1 AS ?from) }',
        "SELECT * WHERE { ?s ?p ?o } # a comment that says SERVICE and DROP",
        'SELECT * WHERE { ?s <https://example.org/service/from> """INSERT\n""" }',
    ],
)
def test_keywords_inside_names_strings_and_comments_are_not_refused(text):
    check_read_only(text)


def test_an_ad_hoc_query_runs_on_the_release(shipped_store):
    solutions = execute(shipped_store, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
    assert int(next(iter(solutions))[0].value) == len(shipped_store)


def test_the_project_prefixes_are_declared_and_a_query_may_redeclare_them(shipped_store):
    assert list(execute(shipped_store, "SELECT ?l WHERE { drug:neratinib rdfs:label ?l }"))
    assert not list(
        execute(shipped_store, "PREFIX drug: <http://example.org/> SELECT ?l WHERE { drug:neratinib ?p ?l }")
    )


# --- the command line ----------------------------------------------------------------------------


def her2kg(*args, columns=300):
    return CliRunner().invoke(cli, [str(a) for a in args], env={"COLUMNS": str(columns)})


def test_queries_lists_names_titles_and_parameters():
    result = her2kg("queries")
    assert result.exit_code == 0
    assert "mechanisms-affecting-drug  —  Resistance mechanisms that affect a drug" in result.output
    assert "    -p drug=…  (drug, default tucatinib, e.g. trastuzumab-emtansine) the drug" in result.output


def test_query_prints_a_table_whose_long_text_wraps_and_whose_identifiers_stay_whole(shipped_release):
    result = her2kg(
        "query", "mechanisms-affecting-drug", "-p", "drug=tucatinib", "--max-width", "20", "--release", shipped_release
    )
    assert result.exit_code == 0, result.output
    header, rule, *rows, count = result.output.splitlines()
    assert header.split() == ["drug", "mechanism", "mechanismLabel", "affects", "affectsLabel", "actor", "actorLabel"]
    assert "drug/tucatinib" in rows[0]
    widths = [len(dashes) for dashes in rule.split()]
    assert widths[2] == 20 and widths[1] > 20  # a label wraps at 20; an identifier column is as wide as it needs
    assert count.startswith("(") and count.endswith(" rows)")


@pytest.mark.parametrize(
    "fmt, media_start",
    [
        ("csv", "drug,drugLabel,directClass"),
        ("tsv", "?drug\t?drugLabel\t?directClass"),
        ("json", '{"head":{"vars":["drug","drugLabel","directClass"'),
    ],
)
def test_query_writes_w3c_sparql_results(fmt, media_start, shipped_release):
    result = her2kg("query", "drugs-by-class", "-p", "class=tki", "--format", fmt, "--release", shipped_release)
    assert result.exit_code == 0, result.output
    assert result.output.startswith(media_start)


@pytest.mark.parametrize(
    "args, message",
    [
        (["query", "drugs-by-class", "-p", "klass=tki"], "has no parameter 'klass' (its parameters: class)"),
        (["query", "drugs-by-class", "-p", "class=tkii"], "'tkii' is not in the graph — did you mean tki?"),
        (["query", "drugs-by-class", "-p", "class"], "'class' is not NAME=VALUE"),
        (["query", "no-such-query"], "no canned query 'no-such-query'"),
        (["sparql", "DELETE WHERE { ?s ?p ?o }"], "refused"),
    ],
)
def test_a_wrong_invocation_exits_2_with_a_clear_message(args, message, shipped_release):
    result = her2kg(*args, "--release", shipped_release)
    assert result.exit_code == 2
    assert message in result.stderr
