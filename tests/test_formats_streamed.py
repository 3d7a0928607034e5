"""Release files written as streams: a writer may give its bytes piece by piece, the file on disk is read back by
the readers that need it (the gzip copies, the store), and the bytes are those the writer gives whole."""

from __future__ import annotations

import gc
import gzip
import hashlib
from pathlib import Path

import pytest

from her2kg import formats, formats_kgx, formats_tables
from her2kg.build import check_facts as check
from her2kg.errors import WriteError
from her2kg.export import ntriples_bytes
from her2kg.formats import FORMATS, Content, Format
from her2kg.release import release_content, write_release

SLICE = Path(__file__).parent / "data" / "slice"


@pytest.fixture(scope="module")
def checked():
    return check(SLICE)


def fresh(checked) -> Content:
    return release_content(checked.ontology.graph, checked.data, with_inferences=True)


def whole(written: bytes | object) -> bytes:
    return written if isinstance(written, bytes) else b"".join(written)  # type: ignore[arg-type]


@pytest.mark.parametrize("name", ["nt", "nq"])
def test_a_file_written_a_few_triples_at_a_time_is_the_file_written_whole(checked, monkeypatch, name):
    content = fresh(checked)
    at_once = whole(FORMATS[name].write(content))
    monkeypatch.setattr(formats, "SLICE", 3)
    assert whole(FORMATS[name].write(fresh(checked))) == at_once
    if name == "nt":
        assert at_once == ntriples_bytes(content.triples)


def test_every_saved_file_holds_the_bytes_its_writer_gives_and_its_recorded_digest(checked, tmp_path):
    saved, held = fresh(checked), fresh(checked)
    for fmt in sorted(formats.formats(with_inferences=True), key=lambda f: f.describes):
        path = tmp_path / fmt.file_name
        path.parent.mkdir(exist_ok=True)
        saved.save(fmt, path)
        on_disk = path.read_bytes()
        # the gzip copies read the saved plain file back; `held` compresses the plain bytes it holds
        assert on_disk == held.output(fmt), fmt.name
        assert saved.digest(fmt) == (len(on_disk), hashlib.sha256(on_disk).hexdigest()), fmt.name
    assert gzip.decompress((tmp_path / "her2kg.nq.gz").read_bytes()) == (tmp_path / "her2kg.nq").read_bytes()
    assert "nt" not in saved.__dict__  # the N-Triples are not held once on disk: the store read them back
    assert len(saved.store) == len(saved.triples)


def failing(content: Content) -> bytes:
    raise OSError(28, "No space left on device")


def test_the_collector_sees_every_object_again_after_a_release_is_written_or_fails(checked, tmp_path, monkeypatch):
    write_release(checked, tmp_path / "dist")
    assert gc.get_freeze_count() == 0
    monkeypatch.setitem(FORMATS, "full", Format("full", "full.txt", "text/plain", failing))
    with pytest.raises(WriteError):
        write_release(checked, tmp_path / "dist")
    assert gc.get_freeze_count() == 0


def test_the_writers_forget_the_release_once_it_is_written_or_fails(checked, tmp_path, monkeypatch):
    """What the table and KGX writers remember of a release's store (labels, identifiers, rows) is let go of
    after the build, so a process that goes on building or serving does not keep old stores alive."""
    write_release(checked, tmp_path / "dist")
    assert formats_tables.objects_of.cache_info().currsize == 0
    assert formats_kgx.graph_rows.cache_info().currsize == 0
    monkeypatch.setitem(FORMATS, "full", Format("full", "full.txt", "text/plain", failing))
    with pytest.raises(WriteError):
        write_release(checked, tmp_path / "dist")
    assert formats_tables.objects_of.cache_info().currsize == 0
    assert formats_kgx.graph_rows.cache_info().currsize == 0
