"""The module paths models trained before the split into packages name in their graph.

Rasa loads a model's components by the path in its graph schema, so a model published before
2026-12-01 (and `make undo` to it) needs these. They can go when no release in
published/releases/ was trained before then.
"""

from __future__ import annotations

import pytest
from rasa.shared.utils.common import class_from_module_path

from addons.nlu.crisis_detector import CrisisDetector
from addons.nlu.message_length import TruncateLongMessages
from addons.nlu.selector_gate import ResponseSelectorConfidenceGate

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    "old_path,component",
    [
        ("addons.crisis_detector.CrisisDetector", CrisisDetector),
        ("addons.message_length.TruncateLongMessages", TruncateLongMessages),
        ("addons.selector_gate.ResponseSelectorConfidenceGate", ResponseSelectorConfidenceGate),
    ],
)
def test_old_component_paths_load_the_same_class(old_path: str, component: type) -> None:
    assert class_from_module_path(old_path) is component
