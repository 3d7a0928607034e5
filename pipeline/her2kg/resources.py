"""Where the project's hand-edited inputs are read from: the user's checkout first, the packaged copy after.

A curator edits `facts/`, `queries/`, `shapes/` and `ontology/` in a checkout. `pip install .` copies
them into the package as `her2kg/data/<name>`, and that copy must never shadow the edits: in a
checkout (the working directory or one of its parents holds the project's `pyproject.toml`, or a
`facts/` folder) the checkout's folders are read. The packaged copy serves an installed tool used
anywhere else.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent
INPUT_FOLDERS = ("facts", "ontology", "shapes", "queries", "sources")


@dataclass(frozen=True)
class Resolved:
    """A folder the commands read, and why that one."""

    path: Path
    origin: str  # "option", "checkout" or "packaged"

    def describe(self) -> str:
        return f"{self.path} ({'as given' if self.origin == 'option' else self.origin})"


def describe_inputs(inputs: dict[str, Resolved]) -> str:
    """One line saying where each input was read: `read facts/, ontology/, shapes/ of the checkout /x`."""
    groups: dict[tuple[str, Path], list[str]] = {}
    for name, found in inputs.items():
        if found.origin == "option":
            groups.setdefault(("option", found.path), []).append(name)
        else:
            groups.setdefault((found.origin, found.path.parent), []).append(name)
    parts = []
    for (origin, where), names in groups.items():
        if origin == "option":
            parts.append(f"{names[0]} from {where}")
        else:
            what = "the checkout" if origin == "checkout" else "the copy installed with her2kg"
            parts.append(f"{', '.join(n + '/' for n in names)} of {what} {where}")
    return "read " + "; ".join(parts)


def checkout_root(start: Path | None = None) -> Path | None:
    """The nearest folder at or above `start` (default: the working directory) that is a her2kg
    checkout or a curator's project: it holds her2kg's pyproject.toml, or a facts/ folder."""
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if _is_her2kg_project(folder / "pyproject.toml") or (folder / "facts").is_dir():
            return folder
    return None


def _is_her2kg_project(pyproject: Path) -> bool:
    try:
        return tomllib.loads(pyproject.read_text(encoding="utf-8")).get("project", {}).get("name") == "her2kg"
    except (OSError, ValueError):
        return False


def packaged_path(name: str) -> Path | None:
    """The copy of `name` that ships with the installed package (or, run from a source tree, beside it)."""
    for candidate in (_PACKAGE / "data" / name, _PACKAGE.parent.parent / name):
        if candidate.is_dir():
            return candidate
    return None


def resolve(name: str, given: Path | None = None) -> Resolved:
    """The folder `name` to read: `given` if the user named one, else the checkout's, else the packaged one."""
    if given is not None:
        return Resolved(Path(given), "option")
    root = checkout_root()
    if root is not None and (root / name).is_dir():
        return Resolved(root / name, "checkout")
    packaged = packaged_path(name)
    if packaged is None:
        raise FileNotFoundError(f"her2kg cannot find its {name}/ folder; reinstall the package")
    return Resolved(packaged, "packaged")


def project_path(name: str, given: Path | None = None) -> Path:
    """The folder `name` (ontology, shapes, queries, facts, sources) to read; see `resolve`."""
    return resolve(name, given).path


def files(folder: Path, *patterns: str) -> list[Path]:
    """Every file below `folder` matching one of `patterns`, in a stable order."""
    found = {p for pattern in patterns for p in folder.rglob(pattern) if p.is_file()}
    return sorted(found)
