"""The web page at `/`: the canned queries as forms, a SPARQL editor (YASGUI), the release files.

The page is rendered here, once per request, from the catalogue and the release folder; every value
that comes from data is escaped (html.escape here, textContent in static/her2kg.js). Everything it
needs is served from this server — YASGUI ships in static/yasgui/ — and its Content-Security-Policy
forbids every other origin, so the page works with no internet and never leaks a query elsewhere.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from html import escape
from pathlib import Path
from string import Template
from typing import Protocol

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles

from .. import __version__
from ..catalog import CannedQuery, Parameter
from ..namespaces import BASE, sparql_prologue
from ..schema import KIND_PREFIXES
from ..sparql import QUERY_PREFIXES

STATIC = Path(__file__).parent / "static"
TEMPLATE = Template((Path(__file__).parent / "templates" / "index.html").read_text(encoding="utf-8"))

# Only this server: scripts, styles, fonts, images and requests. YASGUI and CodeMirror set styles
# through style attributes, hence 'unsafe-inline' for styles (and only for styles).
CONTENT_SECURITY_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; font-src 'self' data:; connect-src 'self'; form-action 'self'; "
    "base-uri 'none'; frame-ancestors 'none'"
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}

# Canned queries offered as examples in the editor (their text, parameters left unbound: the
# query then answers for every value).
EDITOR_EXAMPLES = ("mechanisms-affecting-drug", "drugs-by-class", "trials-by-phase", "hazard-ratios")
FIRST_QUERY = "SELECT ?drug ?label WHERE {\n  ?drug a hk:Drug ; rdfs:label ?label .\n}\nORDER BY ?label\nLIMIT 25\n"
DEFAULT_CANNED = "mechanisms-affecting-drug"  # the form shown first

NUMBER_INPUTS = {"integer": ' type="number" step="1"', "decimal": ' type="number" step="any"'}


class PageState(Protocol):
    """What the page reads from the server's state (app.State)."""

    queries: dict[str, CannedQuery]
    release_dir: Path | None
    release_version: str | None

    @property
    def release_files(self) -> list[str]: ...


def page_routes(state: PageState) -> list[BaseRoute]:
    """The page at `/` and its static files under `/static/` (release files are the app's /release/)."""

    async def index(request: Request) -> Response:
        files = [state.release_dir / name for name in state.release_files] if state.release_dir else []
        page = render(state.queries, files, state.release_version, folder=state.release_dir)
        return HTMLResponse(page, headers=SECURITY_HEADERS)

    return [
        Route("/", index, methods=["GET", "HEAD"], name="index"),
        Mount("/static", app=StaticFiles(directory=STATIC), name="static"),
    ]


def render(
    catalog: Mapping[str, CannedQuery],
    release_files: list[Path],
    release_version: str | None = None,
    folder: Path | None = None,
) -> str:
    """The page's HTML: the catalogue's queries, links to `release_files` (served at /release/NAME, NAME their
    path inside `folder`, the release folder)."""
    queries = sorted(catalog.values(), key=lambda q: q.title.casefold())
    first = DEFAULT_CANNED if DEFAULT_CANNED in catalog else (queries[0].name if queries else "")
    return TEMPLATE.substitute(
        version=escape(
            f"{__version__} (release {release_version})" if release_version not in (None, __version__) else __version__
        ),
        query_options="".join(
            f'<option value="{escape(q.name)}"{" selected" if q.name == first else ""}>{escape(q.title)}</option>'
            for q in queries
        ),
        query_forms="".join(_form(q, hidden=q.name != first) for q in queries),
        downloads=_downloads(release_files, folder),
        config=_script_json(_config(catalog)),
    )


def _config(catalog: Mapping[str, CannedQuery]) -> dict:
    """What static/her2kg.js needs: where to ask, the prefixes to show IRIs with, the editor's examples."""
    examples = [
        {"title": catalog[name].title, "text": catalog[name].text} for name in EDITOR_EXAMPLES if name in catalog
    ]
    return {
        "sparql": "/sparql",
        "api": "/api/queries/",
        "base": BASE,
        "prefixes": QUERY_PREFIXES,
        "kindNamespaces": sorted(KIND_PREFIXES.values()),
        "firstQuery": sparql_prologue(KIND_PREFIXES) + "\n" + FIRST_QUERY,
        "examples": examples,
    }


def _script_json(value: object) -> str:
    """JSON safe inside <script type="application/json">: no `</script>`, no `<!--`."""
    return json.dumps(value, ensure_ascii=False).replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _form(query: CannedQuery, hidden: bool) -> str:
    fields = "".join(_field(query.name, p) for p in query.parameters) or '<p class="hint">No parameters.</p>'
    return (
        f'<form class="canned" id="q-{escape(query.name)}" data-query="{escape(query.name)}"'
        f' action="/api/queries/{escape(query.name)}" method="get"{" hidden" if hidden else ""}>'
        f'<h3>{escape(query.title)}</h3><p class="description">{escape(query.description)}</p>'
        f'{fields}<input type="hidden" name="format" value="json">'
        f'<p class="actions"><button type="submit">Run</button> '
        f'<code class="name">{escape(query.name)}</code></p></form>'
    )


def _field(query: str, parameter: Parameter) -> str:
    """A labelled input: typed (numbers), its example as placeholder, its default said."""
    ident = escape(f"p-{query}-{parameter.name}")
    placeholder = parameter.example or parameter.default
    attributes = NUMBER_INPUTS.get(parameter.type, ' type="text" autocapitalize="none" spellcheck="false"')
    if placeholder:
        attributes += f' placeholder="{escape(placeholder)}"'
    default = f"; default {parameter.default}" if parameter.default else "; optional: left empty, every value"
    # The type is said when the name does not say it already (`drug` of type drug).
    kind = f' <span class="type">{escape(parameter.type)}</span>' if parameter.type != parameter.name else ""
    return (
        f'<div class="field"><label for="{ident}">{escape(parameter.name)}{kind}</label>'
        f'<input id="{ident}" name="{escape(parameter.name)}"{attributes}>'
        f"<small>{escape(parameter.description + default)}</small></div>"
    )


def _downloads(files: list[Path], folder: Path | None = None) -> str:
    """Links to the release files, each named by its path in the release (`her2kg-kgx/nodes.tsv`)."""
    if not files:
        return '<p class="hint">This server offers no release files.</p>'
    return (
        "<ul>"
        + "".join(
            f'<li><a href="/release/{escape(name)}" download>{escape(name)}</a> '
            f'<span class="size">{_size(f.stat().st_size)}</span></li>'
            for f, name in ((f, f.relative_to(folder).as_posix() if folder else f.name) for f in files)
        )
        + "</ul>"
    )


def _size(size: int) -> str:
    if size < 1000:
        return f"{size:,} bytes"
    return f"{size / 1000:,.1f} kB" if size < 1_000_000 else f"{size / 1_000_000:,.1f} MB"


__all__ = ["CONTENT_SECURITY_POLICY", "PageState", "page_routes", "render"]
