"""The static site: every page and picture of the server as files with relative links (`her2kg site`).

The pages are the server's own renderers (web/entities.py) given a `Links` for the file being
written, over the release's store queried in this process. Written beside the pages: each record's
data (.ttl, .nt, .jsonld, .rdf), the ontology documentation page of `her2kg docs` (ontology-docs/),
a search page that searches a written index in the browser, and the style sheet. The folder is
written as a release is (release.py): checked first, staged, swapped in whole, and marked as
her2kg's own, so a second run replaces it and nothing else is ever deleted.

    write_site(Path("dist"), Path("site"))   # → SiteReport(pages=…, pictures=…, files=…)
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass
from html import escape
from pathlib import Path
from typing import Any

import pyoxigraph
from rdflib import URIRef
from rdflib.namespace import OWL, RDFS

from ..catalog import load_queries
from ..errors import ReleaseError
from ..namespaces import BASE, HK, ONTOLOGY_IRI
from ..release import MARKER, _marker_text, check_out_dir, input_folders, staged
from ..schema import KIND_PREFIXES
from . import entities, pictures
from .app import ServerConfig, State
from .backend import InProcessBackend
from .links import Links, site_file
from .pages import STATIC

STATIC_FILES = ("her2kg.css", "search.js")  # the site's own; the SPARQL editor needs a server
DOCS = "ontology-docs"  # the folder of the `her2kg docs` page
RECORDS = f"""SELECT DISTINCT ?s WHERE {{
  {{ ?s ?p ?o }} UNION {{ ?x ?p ?s }}
  FILTER(isIRI(?s) && STRSTARTS(STR(?s), "{BASE}"))
}}"""
NAMES = f"""SELECT ?s ?v ?how ?label WHERE {{
  {entities.NAMED_BY}
  FILTER(STRSTARTS(STR(?s), "{BASE}"))
  OPTIONAL {{ ?s rdfs:label ?label }}
}}"""
CLASS_COUNTS = """SELECT ?class (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a ?class . FILTER(STRSTARTS(STR(?class), STR(hk:))) }
GROUP BY ?class"""


@dataclass(frozen=True)
class SiteReport:
    pages: int
    pictures: int
    files: int


def record_path(iri: str) -> str | None:
    """The site path of a record's page (/drug/neratinib), or None for an IRI that has no page
    (the ontology's own IRIs have theirs; an IRI of an unknown kind has none on the server either)."""
    local = iri[len(BASE) :]
    kind = local.split("/", maxsplit=1)[0]
    if "/" not in local or kind == "ontology" or (kind != "vocab" and kind not in KIND_PREFIXES):
        return None
    return entities.href(iri)


def write_site(release_dir: Path, out_dir: Path) -> SiteReport:
    """Write the static site of the release in `release_dir` into `out_dir`, replacing a previous
    site (or release) only; raise UnsafeOutputError for a folder holding anything else."""
    from ..store import open_release

    out_dir, release_dir = Path(out_dir), Path(release_dir)
    check_out_dir(out_dir, [*input_folders(), release_dir])
    store = open_release(release_dir)
    with staged(out_dir) as staging:
        report = asyncio.run(_write(store, staging))
        written = sorted(p.relative_to(staging).as_posix() for p in staging.rglob("*") if p.is_file())
        (staging / MARKER).write_text(_marker_text(written), encoding="utf-8")
        return report


class _Writer:
    def __init__(self, root: Path):
        self.root, self.count = root, 0

    def write(self, name: str, content: str | bytes) -> None:
        path = self.root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, str):
            path.write_text(content, encoding="utf-8")
        else:
            path.write_bytes(content)
        self.count += 1

    def page(self, path: str) -> tuple[str, Links]:
        """The file a site path is written to, and the links of a page written there."""
        name = site_file(path)
        if name is None:
            raise ReleaseError(f"the static site has no file for {path}")
        return name, Links(name)


async def _write(store: pyoxigraph.Store, root: Path) -> SiteReport:
    from ..docs import write_docs

    state = State(ServerConfig(workers=0, timeout=0), InProcessBackend(store), load_queries(), None)
    out = _Writer(root)
    pages = drawn = 0
    for name in STATIC_FILES:
        out.write(f"static/{name}", (STATIC / name).read_bytes())
    write_docs(root / DOCS)
    out.count += 1
    # the ontology, its version IRI, every term
    for path in ("/ontology", *_version_paths()):
        name, links = out.page(path)
        out.write(name, entities.ontology_page(links))
        pages += 1
    for ext, fmt in entities.EXTENSIONS.items():
        if fmt != "html":
            out.write(f"ontology.{ext}", entities.ontology_graph().serialize(format=entities.RDFLIB_FORMATS[fmt]))
    for term in _terms():
        name, links = out.page(f"/ontology/{term}")
        out.write(name, await entities.term_html(state, term, links))
        pages += 1
        for ext, fmt in entities.EXTENSIONS.items():
            if fmt != "html":
                out.write(
                    f"ontology/{term}.{ext}", entities.term_graph(term).serialize(format=entities.RDFLIB_FORMATS[fmt])
                )
    # every record: its page, its data, its pictures
    records = sorted({row["s"].value for row in store.query(RECORDS)})  # type: ignore[index, union-attr]
    for iri in records:
        record = record_path(iri)
        if record is None:
            continue
        name, links = out.page(record)
        out.write(name, await entities.record_page(state, iri, record, links))
        pages += 1
        for ext, fmt in entities.EXTENSIONS.items():
            if fmt != "html":
                out.write(f"{name.removesuffix('.html')}.{ext}", await entities.record_data(state, iri, fmt))
        kind = record.split("/")[1]
        for picture, kinds in pictures.PICTURES.items():
            if kind in kinds:
                svg = entities.picture_svg(state, iri, picture)
                if svg is not None:
                    out.write(f"{name.removesuffix('.html')}/{picture}.svg", svg)
                    drawn += 1
    # home and search
    name, links = out.page("/")
    out.write(name, _home(store, links))
    name, links = out.page("/search")
    out.write(name, _search_page(links))
    out.write("search-index.js", "window.her2kgSearch = " + _script_json(_search_index(store)) + ";\n")
    return SiteReport(pages=pages + 2, pictures=drawn, files=out.count)


def _terms() -> list[str]:
    graph = entities.ontology_graph()
    return sorted(
        {str(s)[len(str(HK)) :] for s in graph.subjects() if str(s).startswith(str(HK)) and str(s) != str(HK)}
    )


def _version_paths() -> list[str]:
    """The version IRI's path (/ontology/0.2.0), when it is one of ours: it answers the ontology too."""
    version = entities.ontology_graph().value(ONTOLOGY_IRI, OWL.versionIRI)
    return [entities.href(str(version))] if version is not None and str(version).startswith(BASE) else []


def _home(store: pyoxigraph.Store, links: Links) -> str:
    """The site's first page: what it is, the ontology, and every class with how many records."""
    graph = entities.ontology_graph()
    counts = []
    for row in store.query(entities.PROLOGUE + CLASS_COUNTS):  # type: ignore[union-attr]
        cls = row["class"].value  # type: ignore[index]
        label = str(graph.value(URIRef(cls), RDFS.label) or cls.rpartition("#")[2])
        counts.append((label.casefold(), cls, label, int(row["n"].value)))  # type: ignore[index]
    classes = "".join(
        f"<li>{entities.link(cls, label, links)} <small>{n:,}</small></li>" for _, cls, label, n in sorted(counts)
    )
    body = (
        "<h1>her2kg</h1>"
        "<p>A knowledge graph of resistance to anti-HER2 therapy in HER2-positive breast cancer: every record "
        "with its relations and the claims about it, quoted from their sources.</p>"
        f'<p><a href="{escape(links("/ontology"))}">The ontology</a> · '
        f'<a href="{escape(links(f"/{DOCS}/index.html"))}">its documentation</a> · '
        f'<a href="{escape(links("/search"))}">search</a></p>'
        f'<section><h2>Classes and their records</h2><ul class="columns">{classes}</ul></section>'
    )
    return entities.render_page("her2kg", body, links)


def _search_page(links: Links) -> str:
    body = (
        '<h1 id="search-title">Search</h1>'
        '<ol class="hits" id="hits"></ol>'
        '<p id="search-status" class="hint">Type a label, synonym or identifier in the box above.</p>'
        "<noscript><p>Searching needs JavaScript; every record is reachable from the classes on the "
        f'<a href="{escape(links("/"))}">first page</a>.</p></noscript>'
    )
    return entities.render_page("search", body, links)


def _search_index(store: pyoxigraph.Store) -> list[dict[str, Any]]:
    """Each record with the texts it is found by (label, synonym, identifier) and its file."""
    found: dict[str, dict[str, Any]] = {}
    for row in store.query(entities.PROLOGUE + NAMES):  # type: ignore[union-attr]
        iri = row["s"].value  # type: ignore[index]
        target = site_file(entities.href(iri))
        if target is None or (record_path(iri) is None and "/ontology" not in entities.href(iri)):
            continue
        label = row["label"].value if row["label"] is not None else entities._short(iri)  # type: ignore[index]
        entry = found.setdefault(iri, {"iri": iri, "label": label, "href": target, "names": []})
        entry["label"] = min(entry["label"], label)
        name = [row["v"].value, row["how"].value]  # type: ignore[index]
        if name not in entry["names"]:
            entry["names"].append(name)
    return [found[iri] for iri in sorted(found)]


def _script_json(value: object) -> str:
    """JSON that cannot close the script it is in."""
    return json.dumps(value, ensure_ascii=False, sort_keys=True).replace("<", "\\u003c")


__all__ = ["SiteReport", "record_path", "write_site"]
