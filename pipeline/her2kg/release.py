"""The release: the `dist/` folder, owned by one `Release` object, and writing it.

A release is written into a staging folder beside the target and swapped in only when every stage
has succeeded, so a failed or interrupted build leaves the last good release untouched. A build
replaces only what a build wrote: a folder that does not exist, is empty, or holds a previous
release whose marker file (`.her2kg-release`) lists every file in it. Anything else — the working
directory, an input folder, a checkout, a folder with the user's own files — is refused before
any work is done.
"""

from __future__ import annotations

import ctypes
import datetime
import errno
import fcntl
import functools
import json
import os
import re
import shutil
import signal
import tempfile
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyoxigraph
from rdflib import Graph, Literal
from rdflib.namespace import DCTERMS, XSD

from . import __version__, progress
from .allocator import give_back_freed_memory
from .errors import ReleaseError, UnsafeOutputError, UsageError, ValidationError, WriteError
from .export import ours, sorted_ntriples, to_rdflib
from .formats import FORMATS, Content, Format, formats, frozen_heap, memos_forgotten, ontology_part
from .namespaces import ONTOLOGY_IRI
from .resources import INPUT_FOLDERS, project_path

if TYPE_CHECKING:
    from .build import Checked, Stages
    from .validate import ValidationReport

MARKER = ".her2kg-release"
REPORT = "build-report.json"
_STAGING = "staging"  # staging folders are `.<out>-staging-<pid>-<random>`, old releases `.<out>-old-<pid>-<random>`
_OLD = "old"


class Release:
    """A release folder (`dist/`): where each file of the release is, and reading it back.

    Paths by role: `graph_nt`, `graph_ttl`, `owl`, `void`, `inferred_nt`, `inferred_ttl` (one per
    entry of the format registry, also as `path(name)`), `report` and `marker`.
    """

    def __init__(self, folder: Path | str):
        self.folder = Path(folder)

    def __repr__(self) -> str:
        return f"Release({str(self.folder)!r})"

    def path(self, name: str) -> Path:
        """The file of the registered format `name` ("nt", "ttl", "owl", "void", "inferred-nt" …)."""
        return self.folder / FORMATS[name].file_name

    graph_nt = property(lambda self: self.path("nt"))
    graph_ttl = property(lambda self: self.path("ttl"))
    owl = property(lambda self: self.path("owl"))
    owl_base = property(lambda self: self.path("owl-base"))
    void = property(lambda self: self.path("void"))
    inferred_nt = property(lambda self: self.path("inferred-nt"))
    inferred_ttl = property(lambda self: self.path("inferred-ttl"))
    report = property(lambda self: self.folder / REPORT)
    marker = property(lambda self: self.folder / MARKER)

    @staticmethod
    def file_names(with_inferences: bool = False) -> list[str]:
        """The files a build writes, in the order the build report lists them (the marker aside)."""
        return [f.file_name for f in formats(with_inferences)] + [REPORT]

    def read_report(self) -> dict[str, Any]:
        """The build report; ReleaseError if there is no release here or the report is unreadable."""
        if not self.report.is_file():
            what = "no such folder" if not self.folder.is_dir() else f"no {REPORT}"
            raise ReleaseError(
                f"{self.folder}: no release here ({what}) — run 'her2kg build' first, or pass --release DIR"
            )
        try:
            report = json.loads(self.report.read_text(encoding="utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as err:
            line = f":{err.lineno}" if isinstance(err, json.JSONDecodeError) else ""
            raise ReleaseError(
                f"{self.report}{line}: not a build report ({err}) — the release is corrupt; "
                "rebuild it with 'her2kg build'"
            ) from None
        if (
            not isinstance(report, dict)
            or not isinstance(report.get("files"), list)
            or not isinstance(report.get("triples"), int)
        ):
            raise ReleaseError(
                f"{self.report}: not a build report (no 'files' list or 'triples' count) — "
                "the release is corrupt; rebuild it with 'her2kg build'"
            )
        return report

    def verify(self) -> dict[str, Any]:
        """Check that every file the report lists is present and not empty; return the report."""
        report = self.read_report()
        for name in report["files"]:
            path = self.folder / str(name)
            if not path.is_file():
                raise ReleaseError(f"{path}: missing — the release is incomplete; rebuild it with 'her2kg build'")
            if path.stat().st_size == 0:
                raise ReleaseError(f"{path}: empty — the release is incomplete; rebuild it with 'her2kg build'")
        return report

    def open_store(self) -> pyoxigraph.Store:
        """The release loaded into an in-memory pyoxigraph store: the one loader of a release.

        The report is checked first, the N-Triples must parse, and the store must hold as many
        triples as the report says (a file cut at a line boundary still parses).
        """
        report = self.verify()
        store = pyoxigraph.Store()
        try:
            store.bulk_load(path=str(self.graph_nt), format=pyoxigraph.RdfFormat.N_TRIPLES)
        except SyntaxError as err:
            match = re.search(r"line (\d+)", str(err))
            where = f"{self.graph_nt}:{match.group(1)}" if match else str(self.graph_nt)
            raise ReleaseError(
                f"{where}: not valid N-Triples ({err}) — the release is corrupt; rebuild it with 'her2kg build'"
            ) from None
        except OSError as err:
            raise ReleaseError(f"{self.graph_nt}: cannot be read ({err.strerror})") from None
        if len(store) != report["triples"]:
            raise ReleaseError(
                f"{self.graph_nt}: holds {len(store)} triples, but {REPORT} says "
                f"{report['triples']} — the file is truncated or was edited; rebuild it with "
                "'her2kg build'"
            )
        return store

    def graph(self) -> Graph:
        """The release as an rdflib Graph (for the reasoner), read through `open_store`."""
        graph = Graph()
        for quad in self.open_store():
            graph.add((to_rdflib(quad.subject), to_rdflib(quad.predicate), to_rdflib(quad.object)))
        return graph


# --- where a build may write -------------------------------------------------------------------


def input_folders(
    facts_dir: Path | None = None, ontology_dir: Path | None = None, shapes_dir: Path | None = None, *also: Path | None
) -> list[Path]:
    """The folders a build reads (given, or resolved as the build resolves them), and `also` any
    other folder it was given (a curator's copies of the source texts)."""
    given = {"facts": facts_dir, "ontology": ontology_dir, "shapes": shapes_dir}
    found = [Path(folder) for folder in also if folder is not None]
    for name in INPUT_FOLDERS:
        try:
            found.append(project_path(name, given.get(name)))
        except FileNotFoundError:  # an installed tool without that folder: nothing to protect
            continue
    return found


def check_out_dir(out_dir: Path, inputs: Iterable[Path] = ()) -> None:
    """Raise UnsafeOutputError unless a build may replace `out_dir` without destroying anyone's files.

    Allowed: a folder that does not exist, an empty folder, or a previous release whose marker
    lists every file in it. Refused: the working directory or a folder containing it, an input
    folder or a folder inside or containing one, a folder holding `.git`, and a folder holding
    anything a build did not write.
    """
    out = Path(out_dir).resolve()
    shown = str(out_dir)
    how = "choose a new or empty folder for --out (the default is dist)"
    cwd = Path.cwd().resolve()
    if out == cwd or out in cwd.parents:
        what = "is the working directory" if out == cwd else f"contains the working directory {cwd}"
        raise UnsafeOutputError(
            f"{shown}: refusing to write the release here: the folder {what}, and a "
            f"build replaces its --out folder as a whole — {how}"
        )
    for folder in inputs:
        source = Path(folder).resolve()
        if out == source or source in out.parents or out in source.parents:
            relation = "is" if out == source else "is inside" if source in out.parents else "contains"
            raise UnsafeOutputError(
                f"{shown}: refusing to write the release here: the folder {relation} the "
                f"input folder {folder}, which the build reads — {how}"
            )
    if not out.exists():
        return
    if not out.is_dir():
        raise UnsafeOutputError(f"{shown}: refusing to write the release here: it is a file, not a folder — {how}")
    entries = sorted(p.name for p in out.iterdir())
    if ".git" in entries:
        raise UnsafeOutputError(
            f"{shown}: refusing to write the release here: the folder holds .git (a "
            f"repository) and a build replaces its --out folder as a whole — {how}"
        )
    if not entries:
        return
    written = _marked_files(out)
    if written is None:
        raise UnsafeOutputError(
            f"{shown}: refusing to replace this folder: it is not a her2kg release (no "
            f"{MARKER} marker) and holds {_some(entries)} — {how}, or move these files away"
        )
    foreign = _unwritten(out, written)
    if foreign:
        raise UnsafeOutputError(
            f"{shown}: refusing to replace this release: it also holds {_some(foreign)}, "
            f"which a build did not write — move {'it' if len(foreign) == 1 else 'them'} "
            f"away, or {how}"
        )


def _some(names: list[str]) -> str:
    listed = ", ".join(names[:5])
    return listed + (f" and {len(names) - 5} more" if len(names) > 5 else "")


def _marked_files(folder: Path) -> set[str] | None:
    """The files the marker of `folder` says a build wrote (the marker included), or None.

    A release written before builds left a marker is recognised by its build report instead: it
    lists the files that build wrote, itself included.
    """
    try:
        if (folder / MARKER).exists():
            marker = json.loads((folder / MARKER).read_text(encoding="utf-8"))
            ours = marker.get("her2kg") == "release"
        else:
            marker = json.loads((folder / REPORT).read_text(encoding="utf-8"))
            ours = isinstance(marker.get("version"), str) and REPORT in marker.get("files", [])
        files = marker["files"]
    except (OSError, UnicodeDecodeError, ValueError, KeyError, TypeError, AttributeError):
        return None
    if not ours or not isinstance(files, list):
        return None
    return {str(name) for name in files} | {MARKER}


def _unwritten(folder: Path, written: set[str]) -> list[str]:
    """What `folder` holds that is not in `written` (paths relative to it, a subfolder's files as `sub/name`):
    a subfolder is a build's only if it holds nothing but written files."""
    folders = {name.rsplit("/", depth)[0] for name in written for depth in range(1, name.count("/") + 1)}
    found: list[str] = []
    for path in sorted(folder.rglob("*")):
        name = path.relative_to(folder).as_posix()
        ours = name in folders if path.is_dir() and not path.is_symlink() else name in written and path.is_file()
        if not ours and not any(name.startswith(f"{other}/") for other in found):
            found.append(name)
    return found


def _marker_text(files: list[str]) -> str:
    return json.dumps({"her2kg": "release", "version": __version__, "files": sorted(files)}, indent=2) + "\n"


# --- writing a release ---------------------------------------------------------------------------


def release_date(ontology: Graph) -> Literal | None:
    """The release date: SOURCE_DATE_EPOCH when set (reproducible builds), else the ontology's dcterms:issued."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch:
        try:
            moment = datetime.datetime.fromtimestamp(int(epoch), datetime.UTC)
        except (ValueError, OverflowError, OSError):
            raise UsageError(
                f"SOURCE_DATE_EPOCH={epoch!r} is not a number of seconds since 1970 — "
                "set it to an integer such as $(git log -1 --format=%ct), or unset it"
            ) from None
        return Literal(moment.strftime("%Y-%m-%dT%H:%M:%SZ"), datatype=XSD.dateTime)
    value = ontology.value(ONTOLOGY_IRI, DCTERMS.issued)
    return value if isinstance(value, Literal) else None


def release_content(ontology: Graph, data: Graph, with_inferences: bool = False) -> _Content:
    """What the formats are written from: the ontology and the data graph, with the header's release
    date, as sorted N-Triples (no merged rdflib copy of the release)."""
    issued = release_date(ontology)
    tbox: Iterable[tuple[Any, Any, Any]] = ontology
    if issued is not None:
        tbox = [
            *(t for t in ontology if not (t[0] == ONTOLOGY_IRI and t[1] == DCTERMS.issued)),
            (ONTOLOGY_IRI, DCTERMS.issued, issued),
        ]
    nt = sorted_ntriples(tbox, data)
    return _Content(nt, ontology_part(ontology, data, issued), ontology, __version__, issued, with_inferences)


@dataclass
class _Content(Content):
    """The release content, some of whose files another process may have written: their sizes and
    digests (all that VoID and SHA256SUMS read of them) are then given, not written again."""

    written_beside: dict[str, tuple[int, str]] = field(default_factory=dict, repr=False, compare=False)

    def digest(self, fmt: Format) -> tuple[int, str]:
        return self.written_beside.get(fmt.name) or super().digest(fmt)


# The writers that run in the second process when a build validates beside its writers: the tables and
# KGX, which read the release store. With the validation, about as much work as the main process has left
# on the shipped release (it writes the rest, a new format too). Which process writes a file changes none
# of its bytes.
WRITTEN_BESIDE_VALIDATION = frozenset(
    {
        "claims-tsv",
        "outcomes-tsv",
        "trials-tsv",
        "kgx-nodes-tsv",
        "kgx-edges-tsv",
        "kgx-nodes-jsonl",
        "kgx-edges-jsonl",
    }
)
# Above this many release triples the second process is a fresh interpreter that reads the saved N-Triples
# (parallel.beside's `fresh`), and this one validates: a forked copy of a heap of gigabytes costs gigabytes
# more as both processes touch it. It then also writes the nanopublications and JSON-LD, which read the
# triples alone, so that the two processes take about as long (33 and 31 s at 100,000 claims).
FORKED_UP_TO = 500_000
WRITTEN_FROM_SAVED = WRITTEN_BESIDE_VALIDATION | {"nanopubs", "jsonld-context", "jsonld"}


def write_release(
    checked: Checked,
    out_dir: Path,
    with_inferences: bool = False,
    *,
    validate: Callable[[Content], ValidationReport] | None = None,
    let_go: bool = False,
    content: _Content | None = None,
) -> dict[str, Any]:
    """Write every registered format into `out_dir`, replacing the previous release only on success;
    return the build report.

    Refuses (UnsafeOutputError) a folder a build may not replace. With `with_inferences`, the
    inferred formats (her2kg-inferred.ttl/.nt: the entailments a store without a reasoner needs)
    are written too. SIGINT and SIGTERM during the write remove the staging folder, as a failure does.

    `validate`, when given, is the validation of `checked`, not run yet: it runs on the release content while
    a second process writes part of the release (see `_write_beside_validation`). Its report becomes
    `checked.validation`; if it has violations, nothing is released (ValidationError).
    `content` is the release content of `checked` when the caller made it already (`release_content`).

    With `let_go`, `checked` is handed over: its data graph (and, without `validate`, its locations) is emptied
    once the release triples exist, so that a large build does not hold the graph twice while the files are
    written; a `validate` given must then not need it (build.py's `_validation_of_release`).
    """
    out_dir = Path(out_dir)
    # Callers check before any work (`build_release`); this second look catches a folder that
    # changed meanwhile, or a caller that did not.
    check_out_dir(out_dir, input_folders(checked.facts.folder, checked.ontology.folder))
    stages = checked.stages
    with staged(out_dir) as staging, frozen_heap(), memos_forgotten():
        if content is None:
            content = release_content(checked.ontology.graph, checked.data, with_inferences)
        content.with_inferences = with_inferences
        if let_go:
            from .abox import Locations  # a build has it loaded; readers of a release need not

            checked.data = Graph()
            if validate is None:
                checked.locations = Locations()
        written = []
        for stage, group in (("export", formats()), ("infer", [f for f in formats(with_inferences) if f.inferred])):
            if group:
                with stages.stage(stage):
                    if validate is not None and stage == "export":
                        checked.validation = _write_beside_validation(content, staging, group, validate, stages)
                    else:
                        _write(content, staging, group)
                    written += [fmt.file_name for fmt in group]
        report = build_report(checked, content, [*written, REPORT])
        report["inputs"] = {name: found.describe() for name, found in checked.inputs.items()}
        if with_inferences:
            report["inferred_triples"] = len(content.inferred)
        (staging / REPORT).write_text(json.dumps(report, indent=2, sort_keys=True) + "\n", encoding="utf-8")
        (staging / MARKER).write_text(_marker_text(report["files"]), encoding="utf-8")
        return report


def _write(content: Content, staging: Path, group: list[Format]) -> dict[str, tuple[int, str]]:
    """Write the formats of `group` into `staging` (VoID and SHA256SUMS after the rest); their sizes and digests."""
    for fmt in sorted(group, key=lambda f: f.describes):
        target = staging / fmt.file_name
        target.parent.mkdir(exist_ok=True)  # a subfolder of the release (her2kg-kgx/)
        content.save(fmt, target)
    return {fmt.name: content.digest(fmt) for fmt in group}


def _write_beside_validation(
    content: _Content,
    staging: Path,
    group: list[Format],
    validate: Callable[[Content], ValidationReport],
    stages: Stages,
) -> ValidationReport:
    """Validate and write `group`, part of it in a second process; the validation's report, or
    ValidationError (after both processes have stopped) when it has violations.

    Up to FORKED_UP_TO triples the validation runs in a forked process, on the store it shares with this one,
    and then writes WRITTEN_BESIDE_VALIDATION; above, a fresh process writes WRITTEN_FROM_SAVED from the saved
    N-Triples while this one validates and writes the rest."""
    from . import parallel

    forked = content.size <= FORKED_UP_TO
    beside = [f for f in group if f.name in (WRITTEN_BESIDE_VALIDATION if forked else WRITTEN_FROM_SAVED)]
    beside = [f for f in beside if not f.describes]
    here = [f for f in group if f not in beside and not f.describes]
    if forked:
        content.store  # noqa: B018 (made once, before the fork: the validation runs on it, this process writes from it)

        def in_child() -> tuple[ValidationReport, float, dict[str, tuple[int, str]]]:
            validation, seconds = _timed(validate, content)  # on the parent's store, made before the fork
            return validation, seconds, _write(content, staging, beside) if validation.conforms else {}

        # The validation is announced as a stage of its own (a terminal shows it), running beside the writes.
        with progress.stage("validate"), parallel.beside(in_child) as validated:
            _write(content, staging, here)
            validation, seconds, content.written_beside = validated()
        _refuse(validation)
    else:
        nt = FORMATS["nt"]
        _write(content, staging, [nt])  # first of all: what the fresh process reads
        from_saved = functools.partial(
            write_from_saved, staging, content.ontology_part, content.version, content.issued, [f.name for f in beside]
        )
        with parallel.beside(from_saved, fresh=True) as written:
            with progress.stage("validate"):
                validation, seconds = _timed(validate, content)
            _refuse(validation)  # leaving the block stops the other process
            # The rest of what this process reads of the store, and then its memory for the files it writes.
            content.inferred, content.figures  # noqa: B018
            content.forget("store", "index")
            give_back_freed_memory()  # (kept for reuse otherwise: the files this process writes need less)
            _write(content, staging, [f for f in here if f is not nt])
            content.written_beside = written()
    stages.timings["validate"] = seconds
    _write(content, staging, [f for f in group if f.describes])
    return validation


def _timed(validate: Callable[[Content], ValidationReport], content: Content) -> tuple[ValidationReport, float]:
    start = time.perf_counter()
    validation = validate(content)
    return validation, round(time.perf_counter() - start, 3)


def _refuse(validation: ValidationReport) -> None:
    if not validation.conforms:
        raise ValidationError([f.as_problem() for f in validation.violations])


def write_from_saved(
    staging: Path,
    ontology_part: frozenset[pyoxigraph.Triple],
    version: str,
    issued: Literal | None,
    names: list[str],
) -> dict[str, tuple[int, str]]:
    """In a fresh process: write the formats `names` into `staging` from the release's N-Triples saved there
    (`ontology_part`: the triples of its ontology graph); their sizes and digests. First the formats that read
    the release store, loaded from the file; then, the store let go of, those that read the triples, parsed from
    it: the process never holds both."""
    content = _Content(None, ontology_part, Graph(), version, issued)
    content.saved_at("nt", staging / FORMATS["nt"].file_name)
    group = [FORMATS[name] for name in names]
    of_store = [f for f in group if f.name in WRITTEN_BESIDE_VALIDATION or f.name == "jsonld-context"]
    with frozen_heap(), memos_forgotten():
        digests = _write(content, staging, of_store)
        content.object_properties  # noqa: B018 (kept for the JSON-LD: all it reads of the store)
    content.forget("store")
    give_back_freed_memory()
    content.triples  # noqa: B018 (parsed from the file now, with no store held)
    with frozen_heap():
        return digests | _write(content, staging, [f for f in group if f not in of_store])


@contextmanager
def staged(out_dir: Path) -> Iterator[Path]:
    """A fresh staging folder beside `out_dir`, put in place of `out_dir` when the block ends without
    an error; on an error, SIGINT or SIGTERM it is removed and `out_dir` is left as it was. Leftovers
    of killed writers are cleaned first, under a lock that makes a second writer into the same place
    wait. The block writes everything, its marker included."""
    with _writing(out_dir), _stopped_by_signals(), _locked(out_dir.parent):
        _remove_leftovers(out_dir)
        staging = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}-{_STAGING}-{os.getpid()}-", dir=out_dir.parent))
        try:
            staging.chmod(0o755)  # mkdtemp makes it private; what is written here is for everyone to read
            yield staging
            _swap_in(staging, out_dir)
        finally:
            if staging.exists():
                shutil.rmtree(staging, ignore_errors=True)


@contextmanager
def _writing(out_dir: Path) -> Iterator[None]:
    """Create the parent of `out_dir` and turn a failed write (a full disk, a read-only or unwritable
    folder) into a WriteError that names the path; the previous release is left as it was."""
    try:
        out_dir.parent.mkdir(parents=True, exist_ok=True)
        yield
    except OSError as err:
        where = err.filename or out_dir  # a write that fails has no file name of its own
        if err.errno in (errno.ENOSPC, errno.EDQUOT):
            why, how = "the disk is full (no space left on device)", "free some space there"
        elif err.errno == errno.EROFS:
            why, how = "the file system is read-only", "choose a writable folder with --out"
        elif err.errno in (errno.EACCES, errno.EPERM):
            why, how = "permission denied", "choose a folder you may write with --out"
        else:
            why, how = err.strerror or str(err), "check the folder and the disk"
        raise WriteError(
            f"{where}: cannot write the release: {why} — {how}; the previous release in {out_dir} is unchanged"
        ) from None


@contextmanager
def _locked(folder: Path) -> Iterator[None]:
    """Hold an exclusive lock on `folder` (the parent of the release) while a release is written there:
    a second build into the same place waits, so two builds never clean up or swap at the same time."""
    handle = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    try:
        fcntl.flock(handle, fcntl.LOCK_EX)
        yield
    finally:
        os.close(handle)  # closing releases the lock


@contextmanager
def _stopped_by_signals() -> Iterator[None]:
    """Turn SIGTERM (and SIGINT) into exceptions while the release is written, so `finally` clauses
    remove the staging folder; restore the previous handlers afterwards. Only the main thread may
    install handlers; elsewhere the process's own handling applies."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def stop(signum: int, _frame: object) -> None:
        if signum == signal.SIGINT:
            raise KeyboardInterrupt
        raise SystemExit(128 + signum)

    previous = {sig: signal.signal(sig, stop) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def _swap_in(staging: Path, out_dir: Path) -> None:
    """Put `staging` in place of `out_dir`; a signal is held back until the swap is complete."""
    held = {signal.SIGINT, signal.SIGTERM}
    signal.pthread_sigmask(signal.SIG_BLOCK, held)
    try:
        previous = None
        if out_dir.exists() and _exchange(staging, out_dir):
            # One atomic step: at every instant `out_dir` holds a complete release, even if the
            # process is killed (SIGKILL cannot be held back); the old one is now at `staging`.
            previous = staging
        elif out_dir.exists():
            previous = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}-{_OLD}-{os.getpid()}-", dir=out_dir.parent))
            os.rmdir(previous)
            os.replace(out_dir, previous)
        if previous is not staging:
            try:
                os.replace(staging, out_dir)
            except OSError:
                if previous is not None:
                    os.replace(previous, out_dir)
                raise
    finally:
        signal.pthread_sigmask(signal.SIG_UNBLOCK, held)
    if previous is not None:
        shutil.rmtree(previous, ignore_errors=True)


def _exchange(first: Path, second: Path) -> bool:
    """Swap two folders atomically (Linux renameat2 RENAME_EXCHANGE); False where the system or the
    file system cannot, and the caller renames in two steps instead."""
    renameat2 = getattr(_libc(), "renameat2", None)
    if renameat2 is None:
        return False
    at_cwd, rename_exchange = -100, 2
    if renameat2(at_cwd, os.fsencode(first), at_cwd, os.fsencode(second), rename_exchange) == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP):
        return False
    raise OSError(code, os.strerror(code), str(second))


@functools.cache
def _libc() -> ctypes.CDLL:
    return ctypes.CDLL(None, use_errno=True)


def _remove_leftovers(out_dir: Path) -> None:
    """Remove staging folders and old releases that a killed build (SIGKILL) left beside `out_dir`:
    only folders named as a build names them, of a process that is gone, holding only release files."""
    known = {f.file_name for f in FORMATS.values()} | {REPORT, MARKER}
    pattern = re.compile(rf"\.{re.escape(out_dir.name)}-({_STAGING}|{_OLD})-(\d+)-[^/]+")
    for folder in sorted(out_dir.parent.iterdir()):
        match = pattern.fullmatch(folder.name)
        if not match or not folder.is_dir() or folder.is_symlink() or _alive(int(match.group(2))):
            continue
        if _unwritten(folder, known):
            continue
        if match.group(1) == _OLD and not out_dir.exists() and _marked_files(folder) is not None:
            # Killed between the two renames of a swap (where no atomic exchange exists): put it back.
            os.replace(folder, out_dir)
        else:
            shutil.rmtree(folder, ignore_errors=True)


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process
        return True
    return True


def build_report(checked: Checked, content: Content, files: list[str]) -> dict[str, Any]:
    """The build report of `checked`, whose release is `content`."""
    figures = content.figures
    return {
        "version": __version__,
        "triples": content.size,
        "data_triples": len(content.data),
        "classes": ours(figures.classes),
        "statements_per_source": {
            iri.rpartition("/")[2]: n
            for iri, n in sorted(figures.statements.items(), key=lambda kv: kv[0].rpartition("/")[2])
        },
        "records": len(checked.facts.records),
        **({"quotes": checked.quotes.as_dict()} if checked.quotes else {}),
        "validation": checked.validation.as_dict(),
        "timings_seconds": checked.stages.timings,
        "files": files,
    }
