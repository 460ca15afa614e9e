"""Fallback: offer the FAQ topics the ResponseSelector ranked closest as buttons.

The rule says utter_ask_rephrase first; this action adds the buttons, if any topic
is close enough to be worth offering.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.topic_titles import topic_titles

RETRIEVAL_INTENT = "faq"
MAX_SUGGESTIONS = 3
# Topics ranked below this are noise, not suggestions.
MIN_SUGGESTION_CONFIDENCE = 0.1


def closest_topics(tracker: Tracker) -> list[str]:
    """Topic names in the selector's order, best first."""
    selector = (tracker.latest_message.get("response_selector") or {}).get(RETRIEVAL_INTENT)
    ranking = (selector or {}).get("ranking") or []
    topics = []
    for candidate in ranking:
        key = candidate.get("intent_response_key") or ""
        topic = key.split("/", 1)[1] if key.startswith(f"{RETRIEVAL_INTENT}/") else ""
        if topic and candidate.get("confidence", 0.0) >= MIN_SUGGESTION_CONFIDENCE:
            topics.append(topic)
    return topics


class ActionSuggestTopics(Action):
    def name(self) -> str:
        return "action_suggest_topics"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        titles = topic_titles()
        buttons = [
            {"title": titles[topic], "payload": titles[topic]}
            for topic in closest_topics(tracker)
            if topic in titles
        ][:MAX_SUGGESTIONS]
        if buttons:
            dispatcher.utter_message(buttons=buttons)
        return []
