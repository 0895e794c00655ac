"""The assistant's fixed sentences, from prompts/replies.yaml, in the shopper's language."""

from __future__ import annotations

from typing import Any

from prompts.render import render


def say(key: str, language: str, **values: Any) -> str:
    lang = "zh" if language == "zh" else "en"
    return " ".join(render("replies", f"{key}_{lang}", **values).split())
