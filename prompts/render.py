"""Prompt templates live in this folder as YAML data files; this renders them.

Each file holds named Jinja templates (e.g. `system`, `user`). Rendering is
strict: a missing variable is an error, never an empty string. Untrusted text
(product descriptions, reviews, shopper messages) must be passed through the
`data` filter, which fences it and neutralises anything that looks like the
fence itself, so that it reads as data, not instructions.
"""

from __future__ import annotations

import importlib.resources
from functools import cache
from typing import Any

import yaml
from jinja2 import Environment, StrictUndefined

from catalog.errors import ShopAssistError

DATA_OPEN, DATA_CLOSE = "<<<DATA", "DATA>>>"


class PromptError(ShopAssistError):
    """A prompt file or template is missing or cannot be rendered."""


def fence(text: Any) -> str:
    """Mark untrusted text as data between fences it cannot close itself."""
    body = str(text).replace(DATA_OPEN, "<<DATA").replace(DATA_CLOSE, "DATA>>")
    return f"{DATA_OPEN}\n{body}\n{DATA_CLOSE}"


@cache
def _environment() -> Environment:
    env = Environment(undefined=StrictUndefined, autoescape=False, keep_trailing_newline=False)
    env.filters["data"] = fence
    return env


@cache
def load(name: str) -> dict[str, str]:
    try:
        text = importlib.resources.files("prompts").joinpath(f"{name}.yaml").read_text("utf-8")
    except FileNotFoundError as exc:
        raise PromptError(f"no prompt file prompts/{name}.yaml") from exc
    templates = yaml.safe_load(text)
    if not isinstance(templates, dict):
        raise PromptError(f"prompts/{name}.yaml must map template names to text")
    return templates


@cache
def _compiled(name: str, part: str) -> Any:
    templates = load(name)
    if part not in templates:
        raise PromptError(f"prompts/{name}.yaml has no template {part!r}")
    return _environment().from_string(templates[part])


def render(name: str, part: str, **variables: Any) -> str:
    template = _compiled(name, part)
    try:
        return template.render(**variables).strip()
    except Exception as exc:  # jinja raises several types; all mean the same to a caller
        raise PromptError(f"cannot render prompts/{name}.yaml:{part}: {exc}") from exc
