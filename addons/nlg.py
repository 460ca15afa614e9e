"""Response generation: FAQ answers from content/, clinic details, crisis resources in view.

Runs inside the Rasa server (not the action server), so crisis replies never depend
on another process being up. The FAQ answers are not in the model: the domain holds a
fixed text for each `utter_faq/<topic>` and this generator sends the answer from
content/faq.yml instead, so editing an answer needs no retraining, only a new agent
(`make publish` swaps one in through Rasa's PUT /model).
"""

from __future__ import annotations

import logging
from typing import Any

from rasa.core.nlg.response import TemplatedNaturalLanguageGenerator
from rasa.shared.core.domain import Domain
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.utils.endpoints import EndpointConfig

from addons.content.checks import check_content
from addons.content.loader import (
    FAQ_RESPONSE_PREFIX,
    ContentError,
    content_dir,
    load_answers,
    load_content,
)
from addons.crisis.lexicon import MENTION
from addons.nlu.crisis_detector import CRISIS_CHECK_KEY

logger = logging.getLogger(__name__)

# Replies that already carry the resources.
NO_REMINDER = {"utter_crisis", "utter_emergency", "utter_risk_checkin", "utter_checkin_declined"}
CRISIS_SLOT = "crisis_resources_shown"
# Channels whose client renders Markdown links (the web chat widget).
LINK_CHANNELS = {"socketio"}


def needs_reminder(tracker: DialogueStateTracker) -> bool:
    """After a crisis turn in this conversation, or on a message that mentions suicide.

    The crisis turn is remembered in a slot (set from the intent, domain.yml), not looked
    up in the events: the tracker store hands over only the recent ones.
    """
    latest = tracker.latest_message
    if latest and (latest.parse_data.get(CRISIS_CHECK_KEY) or {}).get("verdict") == MENTION:
        return True
    return bool(tracker.get_slot(CRISIS_SLOT))


class ClinicNaturalLanguageGenerator(TemplatedNaturalLanguageGenerator):
    def __init__(
        self, endpoint_config: EndpointConfig | None = None, domain: Domain | None = None
    ) -> None:
        # Checked and loaded once per agent. Raising here, before the model loads, stops the
        # server at start-up and makes PUT /model keep the old agent: broken content never
        # reaches a reply.
        directory = content_dir()
        problems = check_content(directory)
        if problems:
            raise ContentError(
                f"The content in {directory} has problems, so the assistant will not use it:\n"
                + "\n".join(str(p) for p in problems)
            )
        self.content = load_content(directory)
        self.answers = {topic: entry.answer for topic, entry in load_answers(directory).items()}
        super().__init__((domain or Domain.empty()).responses)

    @property
    def responses(self) -> dict[str, list[dict[str, Any]]]:
        return self._responses

    @responses.setter
    def responses(self, domain_responses: dict[str, list[dict[str, Any]]]) -> None:
        """Rasa sets the model's responses after the model loads; answers replace the FAQ ones.

        A topic without an answer keeps the domain's text (a safe "please call us"). This
        cannot refuse the model: Rasa swaps the agent in even if this raises, with no
        responses at all. `make publish` checks the topics before it swaps.
        """
        missing = sorted(
            name
            for name in domain_responses
            if name.startswith(FAQ_RESPONSE_PREFIX)
            and name[len(FAQ_RESPONSE_PREFIX) :] not in self.answers
        )
        if missing:
            logger.error("No answer in the content for %s.", ", ".join(missing))
        self._responses = {
            name: [{"text": self.answers[name[len(FAQ_RESPONSE_PREFIX) :]]}]
            if name.startswith(FAQ_RESPONSE_PREFIX) and name not in missing
            else variants
            for name, variants in domain_responses.items()
        }

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
