"""The packages import each other in one direction only (README, "Where things are").

Read from the source with ast, so a new import that breaks the layering fails here before
it becomes a cycle: a component never imports a channel, the pure packages never import
Rasa, and nothing imports a layer above its own.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

pytestmark = pytest.mark.unit

ROOT = Path(__file__).resolve().parent.parent
# Lowest first; a module may import its own package and those listed before it.
LAYERS = [
    "addons.crisis",
    "addons.content",
    "addons.nlu",
    "addons.tracker_store",
    "addons.nlg",
    "addons.channels",
    "actions",
    "scripts.publishing",
    "scripts.serving",
    "scripts.measuring",
]
# What each package may import besides the layers below it.
NOT_ALLOWED = {
    "addons.channels": {"addons.nlu", "addons.nlg", "addons.tracker_store"},
    "addons.nlg": {"addons.tracker_store"},
    "actions": {"addons.nlu", "addons.nlg", "addons.channels", "addons.tracker_store"},
    "scripts.publishing": {"scripts.serving", "scripts.measuring"},
    "scripts.serving": {"scripts.publishing", "scripts.measuring"},
}
PURE = {"addons.crisis", "addons.content"}


def layer_of(module: str) -> str | None:
    return next(
        (layer for layer in LAYERS if module == layer or module.startswith(layer + ".")), None
    )


def modules() -> list[tuple[str, Path]]:
    found = []
    for base in ("addons", "actions", "scripts"):
        for path in sorted((ROOT / base).rglob("*.py")):
            name = ".".join(path.relative_to(ROOT).with_suffix("").parts)
            found.append((name.removesuffix(".__init__"), path))
    return found


def imports(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


ALIASES = {"addons.crisis_detector", "addons.message_length", "addons.selector_gate"}


@pytest.mark.parametrize("module,path", modules(), ids=lambda v: str(v))
def test_imports_go_down_the_layers_only(module: str, path: Path) -> None:
    own = layer_of(module)
    if own is None:
        assert module in ALIASES | {"addons", "scripts", "scripts.lock"}, module
        return
    rank = LAYERS.index(own)
    for imported in imports(path):
        target = layer_of(imported)
        if target is None or target == own:
            continue
        assert LAYERS.index(target) < rank, f"{module} imports {imported}, a layer above it"
        assert target not in NOT_ALLOWED.get(own, set()), f"{module} may not import {imported}"


@pytest.mark.parametrize(
    "module,path", [m for m in modules() if layer_of(m[0]) in PURE], ids=lambda v: str(v)
)
def test_the_pure_packages_need_no_rasa(module: str, path: Path) -> None:
    assert not [i for i in imports(path) if i.split(".")[0] in ("rasa", "rasa_sdk", "sanic")]
