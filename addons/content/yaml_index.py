"""Reading the YAML files staff edit, with the line of every key and plain-words errors.

So a problem can point at `content/faq.yml:42` rather than "somewhere in the file".
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

# What PyYAML's messages usually mean in a file staff edit.
_YAML_HINTS = (
    ("'\\t'", "there is a tab; indent with spaces only"),
    ("mapping values are not allowed", 'a text with a colon (:) needs "double quotes" around it'),
    (
        "could not find expected ':'",
        "a line is indented differently from its neighbours, or a name lacks its colon",
    ),
    ("expected <block end>", "a quote is not closed, or a text in quotes contains a quote"),
    ("end of stream", "a quote is not closed"),
)


@dataclass(frozen=True)
class Problem:
    file: str
    line: int
    subject: str
    words: str

    def __str__(self) -> str:
        subject = f" {self.subject}:" if self.subject else ""
        return f"{self.file}:{self.line}:{subject} {self.words}"


@dataclass
class YamlFile:
    """A YAML file's data, and the line of every key, to point staff at the right line."""

    shown: str
    data: Any = None
    lines: list[str] = field(default_factory=list)
    key_lines: dict[tuple[str, ...], int] = field(default_factory=dict)
    spans: dict[tuple[str, ...], tuple[int, int]] = field(default_factory=dict)
    repeated: list[tuple[tuple[str, ...], int]] = field(default_factory=list)

    def line(self, *path: object) -> int:
        """Line of the deepest key of `path` that exists, or 1."""
        keys = tuple(str(p) for p in path)
        while keys and keys not in self.key_lines:
            keys = keys[:-1]
        return self.key_lines.get(keys, 1)

    def line_of(self, text: str, *path: object) -> int:
        """First line of the value at `path` that contains `text`."""
        keys = tuple(str(p) for p in path)
        start, end = self.spans.get(keys, (self.line(*path), self.line(*path)))
        for number in range(start, min(end, len(self.lines)) + 1):
            if text in self.lines[number - 1]:
                return number
        return start

    def problem(self, line: int, subject: str, words: str) -> Problem:
        return Problem(self.shown, line, subject, words)


def read_yaml(path: Path, shown: str) -> YamlFile | Problem:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return Problem(shown, 1, "", "this file is missing")
    except UnicodeDecodeError:
        return Problem(shown, 1, "", "this file is not plain text (save it as UTF-8 text)")
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.MarkedYAMLError as e:
        return Problem(
            shown,
            _yaml_error_line(e),
            "",
            f"the file cannot be read here: "
            f"{_yaml_error_hint(e)}. Look at this line and the ones just above it",
        )
    except yaml.YAMLError as e:
        return Problem(shown, 1, "", f"the file cannot be read ({e})")
    parsed = YamlFile(shown, data, text.splitlines())
    if node is not None:
        _index(node, (), parsed)
    return parsed


def _yaml_error_line(error: yaml.MarkedYAMLError) -> int:
    # Where an unclosed quote or a broken line starts, rather than where the parser gave up.
    starts_here = error.context in ("while scanning a quoted scalar", "while scanning a simple key")
    mark = error.context_mark if starts_here else error.problem_mark
    return mark.line + 1 if mark else 1


def _yaml_error_hint(error: yaml.MarkedYAMLError) -> str:
    problem = error.problem or ""
    for pattern, hint in _YAML_HINTS:
        if pattern in problem:
            return hint
    return f"the YAML reader says '{problem}'"


def _index(node: yaml.Node, path: tuple[str, ...], out: YamlFile) -> None:
    children: Iterable[tuple[str, yaml.Node, yaml.Node]] = []
    if isinstance(node, yaml.MappingNode):
        children = ((str(k.value), k, v) for k, v in node.value)
    elif isinstance(node, yaml.SequenceNode):
        children = ((str(i), v, v) for i, v in enumerate(node.value))
    for key, key_node, value in children:
        here = (*path, key)
        if here in out.key_lines:
            out.repeated.append((here, key_node.start_mark.line + 1))
            continue
        out.key_lines[here] = key_node.start_mark.line + 1
        out.spans[here] = (value.start_mark.line + 1, value.end_mark.line + 1)
        _index(value, here, out)
