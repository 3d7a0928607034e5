"""her2kg: a knowledge graph of resistance to anti-HER2 therapy in HER2-positive breast cancer.

The library face (the CLI and the web layer are thin layers over these):

    from her2kg import build_release, validate_file, open_release
    report = build_release("facts", "dist")           # -> BuildReport
    findings = validate_file("other.ttl")             # -> ValidationReport
    store = open_release("dist")                      # -> pyoxigraph.Store
    rows = run_query(store, "drugs-by-target", {"target": "erbb2"}) # -> sparql.Results
    results = execute(store, "SELECT * WHERE { ?s a hk:Drug }")     # any read-only query

Names are imported on first use, so `import her2kg` (and the CLI's start) stays fast.
"""

from __future__ import annotations

from importlib import import_module
from importlib.metadata import PackageNotFoundError, version
from typing import TYPE_CHECKING, Any

try:
    __version__ = version("her2kg")
except PackageNotFoundError:  # running from a source tree without installing
    __version__ = "0.0.0"

# Public name → the module that defines it.
_FACE = {
    "build_release": "build",
    "check_facts": "build",
    "validate_file": "build",
    "BuildReport": "build",
    "ValidationReport": "validate",
    "Severity": "validate",
    "open_release": "store",
    "Release": "release",
    "run_query": "catalog",
    "execute": "sparql",
    "Her2kgError": "errors",
    "FactsError": "errors",
    "ValidationError": "errors",
    "UsageError": "errors",
}

__all__ = [  # noqa: RUF022 - the library face first, then the errors
    "BuildReport",
    "Release",
    "Severity",
    "ValidationReport",
    "build_release",
    "check_facts",
    "execute",
    "open_release",
    "run_query",
    "validate_file",
    "FactsError",
    "Her2kgError",
    "UsageError",
    "ValidationError",
    "__version__",
]


def __getattr__(name: str) -> Any:
    if name in _FACE:
        return getattr(import_module(f".{_FACE[name]}", __name__), name)
    raise AttributeError(f"module 'her2kg' has no attribute {name!r}")


if TYPE_CHECKING:
    from .build import BuildReport as BuildReport
    from .build import build_release as build_release
    from .build import check_facts as check_facts
    from .build import validate_file as validate_file
    from .catalog import run_query as run_query
    from .errors import FactsError as FactsError
    from .errors import Her2kgError as Her2kgError
    from .errors import UsageError as UsageError
    from .errors import ValidationError as ValidationError
    from .release import Release as Release
    from .sparql import execute as execute
    from .store import open_release as open_release
    from .validate import Severity as Severity
    from .validate import ValidationReport as ValidationReport
