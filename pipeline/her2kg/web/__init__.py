"""The web face of her2kg: the SPARQL 1.1 Protocol endpoint, the REST API of canned queries, the
pages, and the server that runs them (`her2kg serve`).

    from her2kg.web import ServerConfig, create_app
    app = create_app(ServerConfig(release_dir=Path("dist")))   # an ASGI app (Starlette)

Modules: `app` (configuration, shared state, routes, errors, access log), `protocol` (/sparql),
`api` (/api, /openapi.json), `backend` (the embedded store's worker pool or an external
endpoint), `server` (binding a socket and running uvicorn), `pages` (the HTML pages), `entities`
(the graph's IRIs as pages and data), `pictures` (forest plots, neighbourhood diagrams), `links`
(server paths or relative files), `site` (the static site).
"""

from __future__ import annotations

from .app import ServerConfig, State, create_app

__all__ = ["ServerConfig", "State", "create_app"]
