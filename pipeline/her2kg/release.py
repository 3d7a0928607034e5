"""Writing a release: the files of dist/, made in a staging folder and swapped in.

A release is written into a fresh folder beside the target and swapped in only when every stage
has succeeded, so a failed build leaves the last good release untouched.
"""
from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

from rdflib import Graph

from . import __version__
from .export import bound, class_counts, void_description, write_graph_files, write_report
from .namespaces import HK

if TYPE_CHECKING:
    from .build import Checked


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
        report["inputs"] = {name: found.describe() for name, found in checked.inputs.items()}
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
        "validation": checked.validation.as_dict(),
        "timings_seconds": checked.stages.timings,
        "files": ["her2kg.ttl", "her2kg.nt", "her2kg.owl", "void.ttl", "build-report.json"],
    }
