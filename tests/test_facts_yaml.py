"""The facts loader's YAML reading: the same nodes and tags as YAML's own safe loader, faster."""

import pytest
import yaml

from her2kg.facts import _FactsYAMLLoader

# Plain scalars of every type YAML 1.1 resolves implicitly, and strings that look like them.
SCALARS = [
    "neratinib",
    "HER2-positive",
    "Ünicode",
    "0.49",
    "-0.5",
    "+1",
    ".5",
    ".inf",
    "-.Inf",
    ".NaN",
    "1_000",
    "0x1F",
    "0o17",
    "0b101",
    "1:20",
    "190:20:30",
    "1e400",
    "2024-01-01",
    "2001-12-14t21:59:43.10-05:00",
    "yes",
    "No",
    "ON",
    "off",
    "y",
    "n",
    "true",
    "False",
    "~",
    "null",
    "Null",
    "NULL",
    "<<",
    "=",
    "nothing",
    "offset",
] + ["8.8 months"]


def tags(text: str, loader: type) -> list[tuple[str, str, int]]:
    """(value, tag, line) of every scalar node of a document."""
    found, stack = [], [yaml.compose(text, Loader=loader)]
    while stack:
        node = stack.pop()
        if isinstance(node, yaml.ScalarNode):
            found.append((node.value, node.tag, node.start_mark.line))
        elif isinstance(node, yaml.MappingNode):
            stack.extend(part for pair in node.value for part in pair)
        elif isinstance(node, yaml.SequenceNode):
            stack.extend(node.value)
    return found


@pytest.mark.parametrize("style", ["{}", "'{}'", '"{}"', "[{}]", "!!str {}"])
def test_every_scalar_has_the_tag_the_safe_loader_gives_it(style):
    text = "".join(f"k{i}: {style.format(value)}\n" for i, value in enumerate(SCALARS)) + "empty:\nblank: ''\n"

    assert tags(text, _FactsYAMLLoader) == tags(text, yaml.SafeLoader)
