"""What every engine returns: one `Result` per SHACL validation result, in rdflib terms.

Both engines end here, and `findings` turns results into the report's `Finding`s in one place, so
two engines agreeing on results agree on the report, messages and file:line places included.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from rdflib import BNode, Graph, URIRef
from rdflib.namespace import SH
from rdflib.term import Node

SEVERITY_IRIS = (SH.Violation, SH.Warning, SH.Info)


@dataclass(frozen=True, order=True)
class Result:
    """One validation result: the focus node, the path and value (where the constraint has them),
    the severity IRI, the result messages, the source shape's name and the constraint component."""

    focus: Node
    path: URIRef | None
    value: Node | None
    severity: URIRef
    messages: tuple[str, ...]
    shape: str
    component: URIRef

    def key(self) -> tuple[str, str, str, str, str, str]:
        """What engines are compared on (blank-node ids differ between engines and are left out)."""
        value = "" if self.value is None or isinstance(self.value, BNode) else str(self.value)
        return (str(self.focus), str(self.path or ""), value, str(self.severity), str(self.component), self.shape)


def shape_name(shapes: Graph, shape: Node | None) -> str:
    """A stable name for a shape: its IRI, or for an anonymous property shape its node shape and path
    (blank-node ids change from run to run and say nothing to a reader)."""
    if not isinstance(shape, BNode):
        return str(shape)
    owner = next(iter(shapes.subjects(SH.property, shape)), None)
    path = shapes.value(shape, SH.path)
    return f"{owner if owner is not None else 'shape'} {path.n3(shapes.namespace_manager) if path else ''}".strip()


def distinct(results: Iterable[Result]) -> list[Result]:
    return sorted(set(results), key=Result.key)


LabelOf = Callable[[Node], "str | None"]
