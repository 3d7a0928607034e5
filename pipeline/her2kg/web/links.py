"""Where a page's links point: the one place that knows the server's paths from the static site's files.

The renderers write every link as a site path (`/drug/neratinib`, `/static/her2kg.css`,
`/trial/emilia/forest.svg`, `/search`) and pass it through a `Links`. On the server the path is
the link. In the static site (`her2kg site`) each path is a file — `/drug/neratinib` is
`drug/neratinib.html` — and the link is that file's path relative to the page being written, so
the folder works anywhere, from any web server or straight from the disk.
"""

from __future__ import annotations

import posixpath
from dataclasses import dataclass
from urllib.parse import quote, unquote, urlsplit

# Paths only a running server answers: the static site neither has nor links to them.
SERVER_ONLY = ("/sparql", "/api/", "/release/", "/health", "/openapi.json", "/.well-known/")
# A last segment with one of these suffixes is a file already; any other path is a page (.html).
FILE_SUFFIXES = (".html", ".ttl", ".nt", ".jsonld", ".rdf", ".svg", ".css", ".js", ".json", ".txt")


def site_file(path: str) -> str | None:
    """The file of the static site that stands for the site path `path` (unquoted, without a
    leading slash), or None for what only the server offers."""
    if path.startswith(SERVER_ONLY) or path == "/sparql":
        return None
    local = unquote(urlsplit(path).path).lstrip("/")
    if not local:
        return "index.html"
    return local if local.endswith(FILE_SUFFIXES) or local.startswith("static/") else local + ".html"


@dataclass(frozen=True)
class Links:
    """Links for one page: on the server (`page` None) site paths as they are; in the static site,
    relative to `page`, the written file (`drug/neratinib.html`)."""

    page: str | None = None

    @property
    def static(self) -> bool:
        return self.page is not None

    def __call__(self, path: str) -> str:
        """The link to the site path `path` (its query string kept on the server, dropped in files;
        a full IRI of another site as it is); a server-only path in the static site is a bug of the
        caller (ask `offers` first)."""
        if self.page is None or urlsplit(path).scheme:  # the server, or another site's IRI
            return path
        target = site_file(path)
        if target is None:
            raise ValueError(f"the static site has no {path}: check Links.offers before linking to it")
        fragment = urlsplit(path).fragment
        relative = posixpath.relpath(target, posixpath.dirname(self.page) or ".")
        return quote(relative) + (f"#{fragment}" if fragment else "")

    def offers(self, path: str) -> bool:
        """Whether this site has `path`: everything on the server, no query endpoint in the files."""
        return self.page is None or site_file(path) is not None


SERVER = Links()

__all__ = ["SERVER", "Links", "site_file"]
