"""Switching the running bot to a new model: Rasa's PUT /model with the API token.

Rasa builds a new agent (whose NLG reads the new content) and keeps the old one if loading
fails. The token is sent in the Authorization header, never in the URL.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import requests

TOKEN_ENV = "RASA_AUTH_TOKEN"


def api_token(token_file: Path) -> str:
    if os.environ.get(TOKEN_ENV):
        return os.environ[TOKEN_ENV]
    return token_file.read_text().strip() if token_file.exists() else ""


def swap_model(
    url: str, token: str, model: Path, log: Callable[[str], None], token_shown: str
) -> str | None:
    """Asks the running server to load `model`. None if it did, else why not (plain words).

    Raises ConnectionError if no server answers.
    """
    try:
        response = requests.put(
            f"{url}/model",
            headers={"Authorization": f"Bearer {token}"},
            json={"model_file": str(model)},
            timeout=600,
        )
    except requests.ConnectionError as e:
        raise ConnectionError(url) from e
    log(f"PUT {url}/model -> {response.status_code} {response.text[:2000]}")
    if response.status_code == 204:
        return None
    if response.status_code in (401, 403):
        return f"the bot refused the access token ({token_shown})"
    return "the running bot could not load the new version"
