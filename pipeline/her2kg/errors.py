"""Typed errors, each with the exit code and HTTP status it becomes.

The library raises these; the CLI (`cli.Her2kgGroup`) and the web layer translate them, each in
one place. Exit codes (documented in the README and every command's --help):

    0 ok · 1 the data is wrong · 2 the invocation is wrong · 3 the machine lacks something ·
    4 a query hit its time limit · 130 interrupted (Ctrl-C)
"""

from __future__ import annotations

from dataclasses import dataclass

EXIT_OK = 0
EXIT_DATA = 1  # the facts are wrong: a fact error or a SHACL violation
EXIT_USAGE = 2  # the invocation is wrong: unknown option, missing or unsafe folder, bad parameter, bad query
EXIT_ENVIRONMENT = 3  # something the machine lacks (Java for the reasoner, a free port, disk space, a writable folder)
EXIT_LIMIT = 4  # a query ran past its time limit
EXIT_INTERRUPTED = 130  # stopped by Ctrl-C / SIGINT, as shells report it

EXIT_CODES_HELP = (
    "Exit codes: 0 ok; 1 the data is wrong (fact error or SHACL violation); 2 the invocation "
    "is wrong; 3 the machine lacks something (Java, a free port, disk space, a writable output "
    "folder); 4 a query ran past its time "
    "limit; 130 interrupted."
)


@dataclass(frozen=True, order=True, slots=True)  # slots: a large build keeps one per field it writes
class Location:
    file: str
    line: int

    def __str__(self) -> str:
        return f"{self.file}:{self.line}" if self.line else self.file


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with the data, where it is, and what to do about it."""

    location: Location
    message: str
    severity: str = "error"

    def __str__(self) -> str:
        return f"{self.location}: {self.message}"


class Her2kgError(Exception):
    """Base of every error the library raises on purpose."""

    exit_code = EXIT_DATA
    http_status = 500


def grouped(problems: list[Problem], shown_places: int = 5) -> list[str]:
    """One line per distinct message, at its first place, with the count and the other places:
    a mistake repeated in 40 records reads as one line, not 40."""
    places: dict[str, list[Location]] = {}
    for problem in problems:
        places.setdefault(problem.message, []).append(problem.location)
    lines = []
    for message, where in places.items():
        line = f"{where[0]}: {message}"
        if len(where) > 1:
            shown = where[1 : shown_places + 1]
            others = ", ".join(str(place.line) if place.file == where[0].file else str(place) for place in shown)
            more = f" and {len(where) - 1 - len(shown)} more" if len(where) - 1 > len(shown) else ""
            line += f" ({len(where)} times; also at {('line ' if len(shown) == 1 else 'lines ') if shown[0].file == where[0].file else ''}{others}{more})"
        lines.append(line)
    return lines


class FactsError(Her2kgError):
    """The facts cannot be loaded: every problem of the run, those that stop a file or record from
    loading first. `suppressed` counts the problems left out because they follow from those."""

    exit_code = EXIT_DATA
    http_status = 422

    def __init__(self, problems: list[Problem], suppressed: int = 0):
        self.problems = list(problems)
        self.suppressed = suppressed
        super().__init__("\n".join(str(p) for p in self.problems))


class ValidationError(Her2kgError):
    """SHACL found violations in `subject` (the facts of a build, or an RDF file)."""

    exit_code = EXIT_DATA
    http_status = 422

    def __init__(self, problems: list[Problem], subject: str = "the facts"):
        self.problems = problems
        self.subject = subject
        super().__init__("\n".join(str(p) for p in problems))


class UsageError(Her2kgError):
    """The invocation is wrong: a bad option value, parameter, file or folder."""

    exit_code = EXIT_USAGE
    http_status = 400


class ReleaseError(UsageError):
    """No release where one was expected, or one that is incomplete or corrupt."""

    http_status = 503


class UnsafeOutputError(UsageError):
    """A build was asked to write where it could destroy files it did not write."""


class QueryError(UsageError):
    """A query that cannot be run: malformed, or asking for something refused (SERVICE, FROM …)."""

    http_status = 400


class ForbiddenQueryError(QueryError):
    """An update: the store is read-only."""

    http_status = 403


class QueryTimeout(Her2kgError):
    """A query ran past its time limit and was stopped."""

    exit_code = EXIT_LIMIT
    http_status = 503


class EnvironmentProblem(Her2kgError):
    exit_code = EXIT_ENVIRONMENT
    http_status = 500


class WriteError(EnvironmentProblem):
    """A release could not be written: the disk is full, or the folder is read-only or not writable."""


class InconsistencyError(Her2kgError):
    """The OWL reasoner found the ontology and data inconsistent; `reasons` say why, in plain words."""

    exit_code = EXIT_DATA
    http_status = 422

    def __init__(self, reasons: list[str]):
        self.reasons = reasons
        super().__init__("the graph is logically inconsistent:\n" + "\n".join(f"  {r}" for r in reasons))


# --- what an HTTP request can get wrong (the web layer maps every error by its http_status) -------


class RequestError(UsageError):
    """An HTTP request the endpoint cannot answer as asked (a missing or repeated parameter …)."""

    http_status = 400


class NotFoundError(RequestError):
    """No such canned query, release file or page."""

    http_status = 404


class UnknownQueryError(NotFoundError):
    """A canned query name that is not in the catalogue (exit 2 on the command line, 404 over HTTP)."""


class NotAcceptableError(RequestError):
    """None of the media types the client accepts can carry this answer."""

    http_status = 406


class RequestTooLargeError(RequestError):
    """A request body (or query string) over the server's size cap."""

    http_status = 413


class SlowRequestError(RequestError):
    """A request body that did not arrive whole in time (a client holding a connection open)."""

    http_status = 408


class UnsupportedMediaTypeError(RequestError):
    """A POST body of a media type the SPARQL Protocol does not define for queries."""

    http_status = 415


class UpstreamError(Her2kgError):
    """The external SPARQL endpoint the server stands in front of failed or could not be reached."""


class StoreError(Her2kgError):
    """A triple store refused a load, could not be reached, or holds another number of triples than the release."""

    exit_code = EXIT_ENVIRONMENT
    http_status = 502
