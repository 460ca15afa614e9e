"""Alias: models trained before addons/ was split into packages name this path in their
graph. It can go once no published release (published/releases/) was trained before
2026-12-01; tests/addons/test_aliases.py checks it still resolves."""

from addons.nlu.message_length import TruncateLongMessages

__all__ = ["TruncateLongMessages"]
