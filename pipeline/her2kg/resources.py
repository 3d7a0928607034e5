"""Where the project's hand-edited inputs live, in a source checkout and in an installed wheel."""
from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def project_path(name: str) -> Path:
    """The folder `name` (ontology, shapes, queries, facts) that ships with her2kg.

    A wheel carries them inside the package as `her2kg/data/<name>`; a source checkout
    (an editable install, or running from the repository) has them at the top level.
    """
    for candidate in (_PACKAGE / "data" / name, _PACKAGE.parent.parent / name):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"her2kg cannot find its {name}/ folder; reinstall the package")


def files(folder: Path, *patterns: str) -> list[Path]:
    """Every file below `folder` matching one of `patterns`, in a stable order."""
    found = {p for pattern in patterns for p in folder.rglob(pattern) if p.is_file()}
    return sorted(found)
