"""Typed errors, each with the exit code the CLI turns it into (in one place: `cli.main`)."""
from __future__ import annotations

from dataclasses import dataclass

EXIT_OK = 0
EXIT_DATA = 1  # the facts are wrong: a fact error or a SHACL violation
EXIT_USAGE = 2  # the invocation is wrong: unknown option, missing file, bad parameter
EXIT_ENVIRONMENT = 3  # something the machine lacks (Java for the reasoner, a free port)


@dataclass(frozen=True, order=True)
class Location:
    file: str
    line: int

    def __str__(self) -> str:
        return f"{self.file}:{self.line}"


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with the data, where it is, and what to do about it."""

    location: Location
    message: str
    severity: str = "error"

    def __str__(self) -> str:
        return f"{self.location}: {self.message}"


class Her2kgError(Exception):
    exit_code = EXIT_DATA


class FactsError(Her2kgError):
    """The facts cannot be loaded: every problem of the run, sorted by place."""

    exit_code = EXIT_DATA

    def __init__(self, problems: list[Problem]):
        self.problems = sorted(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


class ValidationError(Her2kgError):
    """SHACL found violations: the graph does not conform to the shapes."""

    exit_code = EXIT_DATA

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


class UsageError(Her2kgError):
    exit_code = EXIT_USAGE


class EnvironmentProblem(Her2kgError):
    exit_code = EXIT_ENVIRONMENT


class InconsistencyError(Her2kgError):
    """The OWL reasoner found the ontology and data inconsistent; `reasons` say why, in plain words."""

    exit_code = EXIT_DATA

    def __init__(self, reasons: list[str]):
        self.reasons = reasons
        super().__init__("the graph is logically inconsistent:\n" + "\n".join(f"  {r}" for r in reasons))
