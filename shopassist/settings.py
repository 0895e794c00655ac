"""One typed settings object, built in layers: defaults < TOML file < environment < CLI flags.

Nothing is read at import time: `load_settings()` is called by the CLI (or a
test) and the result is passed down. Environment variables are `SHOPASSIST_HOME`
for the data dir and `SHOPASSIST_<SECTION>__<FIELD>` for the rest (for example
`SHOPASSIST_RECOMMENDER__MODEL=itemknn`); the TOML file is the one given with
`--config`, else `$SHOPASSIST_CONFIG`, else `shopassist.toml` in the working
directory when it exists.
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    SecretStr,
    ValidationError,
    field_validator,
    model_validator,
)

from catalog.errors import InputError

ENV_PREFIX = "SHOPASSIST_"
ORIGIN_RE = re.compile(r"^https?://[^/\s?#]+$")
MIN_SECRET_CHARS = 32
DEFAULT_CONFIG_NAME = "shopassist.toml"


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_assignment=True)


class RecommenderSettings(_Section):
    # "auto": the model that scores best on validation data among those that fit in
    # `auto_budget_s` seconds of fitting (recommender/selection.py); or a model name.
    model: str = "auto"
    device: Literal["auto", "cpu", "cuda"] = "auto"
    auto_budget_s: float = Field(300.0, gt=0)


class EmbeddingSettings(_Section):
    backend: str = "use"  # "use" (multilingual USE) or "minilm" or a model directory
    device: Literal["auto", "cpu", "cuda"] = "auto"


class VectorStoreSettings(_Section):
    url: str | None = None  # a Chroma server (http://host:port); unset = embedded in the data dir
    tokenizer: Literal["bigram", "jieba"] = "bigram"  # BM25 tokenizer for Chinese text
    fusion: Literal["rrf", "weighted"] = "weighted"  # chosen by benchmarks/bench_search_*.py
    fusion_weight: float = Field(0.5, ge=0.0, le=1.0)  # dense share, up to 16-word queries
    # also keep each chunk's text in Chroma (off: the text is in the catalog store)
    store_documents: bool = False


class LLMSettings(_Section):
    # "none" by default: measured on 2 CPU cores, the packaged 0.5B model makes a
    # three-product turn take 4 s (its turn budget) and writes 28-55 % of what is
    # shown (README).
    backend: Literal["auto", "none", "llama_cpp", "openai", "transformers"] = "none"
    model: str = "default"
    url: str | None = None
    # A remote endpoint slower than this is given up on; the turn uses templates and the
    # endpoint is not asked again for `retry_s` seconds.
    timeout_s: float = Field(20.0, gt=0)
    retry_s: float = Field(30.0, ge=0)
    # The LLM writes explanations until this many seconds into a turn; the rest of the
    # turn's explanations are shown as their template sentences.
    turn_budget_s: float = Field(4.0, gt=0)
    # CPU threads of the in-process llama.cpp model; 0 = every core the process may use.
    threads: int = Field(0, ge=0)


class AgentSettings(_Section):
    # How a message becomes a plan of tool calls: "rules" (rules plus the semantic router
    # over every registered tool, always available), "llm" (the configured model chooses
    # among the tools' schemas; validated, falls back to the rules), "auto" (llm for an
    # OpenAI-compatible endpoint, rules otherwise).
    planner: Literal["rules", "llm", "auto"] = "auto"


class ServerSettings(_Section):
    host: str = "127.0.0.1"
    port: int = Field(7860, ge=1, le=65535)
    # Admin endpoints (reindex, retrain, export) need this key in the X-API-Key header;
    # it may also act for any shopper (back-office tools). Unset = admin endpoints disabled.
    api_key: str | None = None
    # The host site signs shopper tokens with this (HS256, README "Identity and access");
    # unset = signed shoppers are off and the API serves guests only.
    shopper_secret: SecretStr | None = None
    # Origins of the pages that embed the widget (CORS), e.g. ["https://shop.example"].
    cors_origins: list[str] = Field(default_factory=list)
    max_body_bytes: int = Field(65_536, ge=1024)
    # Turns waiting for or holding the assistant (one at a time); beyond this a request gets
    # 503 with Retry-After. The in-process LLM takes seconds per turn, so its queue is short.
    max_pending_turns: int = Field(64, ge=1)
    max_pending_llm_turns: int = Field(8, ge=1)
    greeting: str | None = None  # the widget's first message; unset = the assistant's greeting

    @field_validator("shopper_secret")
    @classmethod
    def _long_secret(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and len(value.get_secret_value()) < MIN_SECRET_CHARS:
            raise ValueError(
                f"use at least {MIN_SECRET_CHARS} characters; "
                "python -c 'import secrets; print(secrets.token_urlsafe(32))' makes one"
            )
        return value

    @field_validator("cors_origins")
    @classmethod
    def _origins(cls, value: list[str]) -> list[str]:
        out = []
        for origin in value:
            origin = origin.strip().rstrip("/")
            if origin != "*" and not ORIGIN_RE.match(origin):
                raise ValueError(
                    f"{origin!r} is not an origin: give scheme://host[:port] with no path, "
                    "e.g. https://shop.example"
                )
            out.append(origin)
        return out


class RateLimit(_Section):
    per_minute: float = Field(ge=0)  # the bucket's refill; 0 = no limit
    burst: int = Field(ge=1)  # the bucket's size: requests allowed at once


DEFAULT_LIMITS = {
    "sessions": {"per_minute": 10, "burst": 20},
    "messages": {"per_minute": 30, "burst": 20},
    "feedback": {"per_minute": 30, "burst": 30},
}


class LimitSettings(_Section):
    """Per-client token buckets of the HTTP API (429 with Retry-After when empty). A client
    is a signed shopper, else the caller's address; the admin key is not limited."""

    sessions: RateLimit = Field(default_factory=lambda: RateLimit(**DEFAULT_LIMITS["sessions"]))
    messages: RateLimit = Field(default_factory=lambda: RateLimit(**DEFAULT_LIMITS["messages"]))
    feedback: RateLimit = Field(default_factory=lambda: RateLimit(**DEFAULT_LIMITS["feedback"]))

    @model_validator(mode="before")
    @classmethod
    def _fill(cls, data: Any) -> Any:
        """A kind given in part (`[limits.messages] burst = 5`) keeps its other default."""
        if isinstance(data, dict):
            data = dict(data)
            for kind, default in DEFAULT_LIMITS.items():
                if isinstance(data.get(kind), dict):
                    data[kind] = {**default, **data[kind]}
        return data


class UISettings(_Section):
    # The web UI's "Browse as" picker lets anyone act as any shopper of the catalog: for
    # the demo (demo.toml) only; off, the web UI serves guests.
    demo_shoppers: bool = False


class Settings(_Section):
    home: Path = Path("data")
    log_level: Literal["debug", "info", "warning", "error"] = "warning"
    recommender: RecommenderSettings = Field(default_factory=RecommenderSettings)
    embeddings: EmbeddingSettings = Field(default_factory=EmbeddingSettings)
    vectorstore: VectorStoreSettings = Field(default_factory=VectorStoreSettings)
    llm: LLMSettings = Field(default_factory=LLMSettings)
    agent: AgentSettings = Field(default_factory=AgentSettings)
    server: ServerSettings = Field(default_factory=ServerSettings)
    limits: LimitSettings = Field(default_factory=LimitSettings)
    ui: UISettings = Field(default_factory=UISettings)

    @property
    def db_path(self) -> Path:
        return self.home / "shopassist.db"

    @property
    def reports_dir(self) -> Path:
        return self.home / "reports"


def load_settings(
    config_file: Path | str | None = None,
    env: Mapping[str, str] | None = None,
    overrides: Mapping[str, Any] | None = None,
) -> Settings:
    """Build settings from the layers. `overrides` uses dotted keys ("llm.backend")."""
    env = os.environ if env is None else env
    merged: dict[str, Any] = {}
    path = config_file or env.get(f"{ENV_PREFIX}CONFIG")
    if path is None and Path(DEFAULT_CONFIG_NAME).is_file():
        path = DEFAULT_CONFIG_NAME
    if path is not None:
        _deep_merge(merged, _read_toml(Path(path)))
    _deep_merge(merged, _from_env(env))
    for key, value in (overrides or {}).items():
        if value is not None:
            _deep_merge(merged, _nested(key.split("."), value))
    try:
        return Settings.model_validate(merged)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise InputError(f"bad setting {where}: {first['msg']}") from exc


def _read_toml(path: Path) -> dict[str, Any]:
    if not path.is_file():
        raise InputError(f"config file not found: {path}")
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"config file {path} is not valid TOML: {exc}") from exc


def _from_env(env: Mapping[str, str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in env.items():
        if not key.startswith(ENV_PREFIX) or key == f"{ENV_PREFIX}CONFIG":
            continue
        parts = key[len(ENV_PREFIX) :].lower().split("__")
        if parts[0] not in Settings.model_fields:
            continue  # other tools' variables (e.g. SHOPASSIST_SHARED_DATA for tests)
        _deep_merge(out, _nested(parts, value))
    return out


def _nested(parts: list[str], value: Any) -> dict[str, Any]:
    out: dict[str, Any] = {parts[-1]: value}
    for part in reversed(parts[:-1]):
        out = {part: out}
    return out


def _deep_merge(base: dict[str, Any], update: dict[str, Any]) -> None:
    for key, value in update.items():
        if isinstance(value, dict) and isinstance(base.get(key), dict):
            _deep_merge(base[key], value)
        else:
            base[key] = value
