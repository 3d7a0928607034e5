"""kgx and bmt without the network: the Biolink model YAML and prefix map of the `biolink-model` package.

bmt's Toolkit reads the model from GitHub by default (its default `schema` argument is a URL), and kgx builds one
Toolkit when imported and reads Biolink's JSON-LD context from GitHub when a Validator starts. Both read from the
installed package instead once `offline()` has run: call it before importing kgx.
"""

from __future__ import annotations

import json
from importlib.resources import files

MODEL = files("biolink_model") / "schema" / "biolink_model.yaml"
PREFIXES = files("biolink_model") / "prefixmaps" / "biolink_model_prefix_map.json"


def offline(declared: dict[str, str]) -> None:
    """Point bmt and kgx at the packaged Biolink model; `declared` are the graph's prefixes Biolink lacks."""
    from bmt import Toolkit

    # Toolkit() with no arguments: the packaged model, and no predicate map (the validator does not use it).
    Toolkit.__init__.__defaults__ = (str(MODEL), {"predicate mappings": []})  # type: ignore[misc]
    import kgx.config

    context = json.loads(PREFIXES.read_text(encoding="utf-8"))
    kgx.config.jsonld_context_map["biolink"] = {**context, **declared}
