"""Response generation: fills clinic details and keeps crisis resources in view.

Runs inside the Rasa server (not the action server), so crisis replies never depend
on another process being up.
"""

from __future__ import annotations

from typing import Any

from rasa.core.nlg.response import TemplatedNaturalLanguageGenerator
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.utils.endpoints import EndpointConfig

from addons.content import load_content
from addons.crisis_detector import CRISIS_CHECK_KEY
from addons.crisis_lexicon import MENTION

# Replies that already carry the resources.
NO_REMINDER = {"utter_crisis", "utter_emergency"}
CRISIS_INTENTS = {"crisis", "medical_emergency"}
# Channels whose client renders Markdown links (the web chat widget).
LINK_CHANNELS = {"socketio"}


def needs_reminder(tracker: DialogueStateTracker) -> bool:
    """After a crisis turn in this session, or on a message that mentions suicide."""
    latest = tracker.latest_message
    if latest and (latest.parse_data.get(CRISIS_CHECK_KEY) or {}).get("verdict") == MENTION:
        return True
    for event in reversed(tracker.events):
        if isinstance(event, UserUttered) and event.intent_name in CRISIS_INTENTS:
            return True
        if event.type_name == "session_started":
            return False
    return False


class ClinicNaturalLanguageGenerator(TemplatedNaturalLanguageGenerator):
    def __init__(
        self, endpoint_config: EndpointConfig | None = None, domain: Domain | None = None
    ) -> None:
        super().__init__((domain or Domain.empty()).responses)
        # Loaded once and checked at start-up: broken content stops the server, never a reply.
        self.content = load_content()

    async def generate(
        self,
        utter_action: str,
        tracker: DialogueStateTracker,
        output_channel: str,
        **kwargs: Any,
    ) -> dict[str, Any] | None:
        values = self.content.template_values(with_links=output_channel in LINK_CHANNELS)
        values.update(kwargs)
        message = await super().generate(utter_action, tracker, output_channel, **values)
        if (
            message
            and message.get("text")
            and utter_action not in NO_REMINDER
            and needs_reminder(tracker)
        ):
            message["text"] = f"{message['text']}\n\n{values['crisis_reminder']}"
        return message
