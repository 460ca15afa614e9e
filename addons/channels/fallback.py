"""The crisis lines a channel sends by itself, when the assistant fails, is stuck or busy.

Crisis language is recognised by the rules alone (addons.crisis.lexicon), and the lines come
from the last content that loaded, so this path never depends on the model, the action
server or content/ staying readable.
"""

from __future__ import annotations

import logging

from addons.content.loader import load_content
from addons.crisis.lexicon import CRISIS, EMERGENCY, assess

logger = logging.getLogger(__name__)


def is_urgent(text: str) -> bool:
    """Crisis or emergency language by the rules alone: for when the assistant fails."""
    return assess(text).verdict in (CRISIS, EMERGENCY)


def crisis_lines(with_links: bool = False) -> str:
    """The crisis lines and the clinic's phone, as content/ has them now.

    With links (web chat), each line is a Markdown link the widget makes tappable.
    """
    content = load_content()
    if with_links:
        lines = content.template_values(with_links=True)["crisis_resources"]
    else:
        lines = "\n".join(r.text for r in content.resources)
    return f"{lines}\n{content.clinic['clinic_name']}: {content.clinic['clinic_phone']}"


class CrisisFallback:
    """The crisis lines a channel sends itself, from the last content that loaded.

    Read when the channel starts, so a failure reply still has them if content/ broke
    since (a bad edit, a disk error): the fallback path itself must never fail.
    """

    def __init__(self) -> None:
        self._last = {links: crisis_lines(with_links=links) for links in (False, True)}

    def text(self, with_links: bool = False) -> str:
        try:
            self._last[with_links] = crisis_lines(with_links=with_links)
        except Exception as e:
            logger.error("Crisis lines not reloaded (%s); sending the last ones.", type(e).__name__)
        return self._last[with_links]
