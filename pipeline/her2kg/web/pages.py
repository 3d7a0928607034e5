"""The HTML pages: routes added to the app by `page_routes(state)` (see app.create_app)."""
from __future__ import annotations

from starlette.routing import BaseRoute


def page_routes(state: object) -> list[BaseRoute]:
    return []
