"""The semantic router: a message goes to the registered tool whose description
it is nearest to, if near enough (aurelio-labs/semantic-router's shape).

A route is a tool: its name read as words, its docstring summary (and the
clauses of it) and the example utterances given at registration, embedded once
with the multilingual encoder, so a Chinese message finds a tool described in
English and a plugin with no examples is reached from its docstring alone. A
message scores against each route by its best-matching text. A route passes
when its score clears its threshold: fitted per tool for tools with examples,
one shared threshold for tools known by their docstring alone, both fitted on
the tuning part of benchmarks/data/routing_labels.jsonl by
`python -m benchmarks.bench_routing --fit` (router_calibration.json). A
"none" route of off-topic messages (router_offtopic.yaml) that scores above
every tool makes the router abstain.
"""

from __future__ import annotations

import importlib.resources
import json
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache

import numpy as np
import yaml

from tools.registry import ToolRegistry

Encode = Callable[[Sequence[str]], np.ndarray]  # texts -> (n, d) L2-normalised
CALIBRATION = "router_calibration.json"
NONE = "none"  # the off-topic route


@dataclass(frozen=True, slots=True)
class RouteMatch:
    tool: str | None  # None: the router abstains
    score: float  # the best route's similarity
    runner_up: str | None
    runner_up_score: float
    passing: tuple[tuple[str, float], ...] = ()  # every tool route that passed, best first
    offtopic: bool = False  # the off-topic route won


@dataclass
class Router:
    encode: Encode
    routes: list[str]  # tool names (and NONE), one per route
    owners: list[int]  # route index of each embedded text
    vectors: np.ndarray  # (n_texts, d) float32
    described_only: set[str] = field(default_factory=set)  # tools without examples
    thresholds: dict[str, float] = field(default_factory=dict)
    default_threshold: float = 0.5
    docstring_threshold: float = 0.4
    none_margin: float = 0.0  # how far the off-topic route may trail and still win

    @classmethod
    def build(
        cls,
        registry: ToolRegistry,
        encode: Encode,
        calibration: dict | None = None,
        exclude: Iterable[str] = (),
    ) -> Router:
        calibration = default_calibration() if calibration is None else calibration
        skip = set(exclude)
        routes: list[str] = []
        texts: list[str] = []
        owners: list[int] = []
        described_only: set[str] = set()
        for name in registry.names():
            if name in skip:
                continue
            tool = registry.get(name)
            if not tool.examples:
                described_only.add(name)
            routes.append(name)
            for text in dict.fromkeys([*route_texts(name, tool.description), *tool.examples]):
                texts.append(text)
                owners.append(len(routes) - 1)
        routes.append(NONE)
        for text in offtopic():
            texts.append(text)
            owners.append(len(routes) - 1)
        vectors = encode(texts).astype(np.float32)
        return cls(
            encode,
            routes,
            owners,
            vectors,
            described_only,
            dict(calibration.get("thresholds", {})),
            float(calibration.get("default_threshold", 0.5)),
            float(calibration.get("docstring_threshold", 0.4)),
            float(calibration.get("none_margin", 0.0)),
        )

    def scores(self, text: str) -> dict[str, float]:
        """Each route's similarity to the text: its best-matching text."""
        if not text.strip():
            return {}
        sims = self.vectors @ self.encode([text])[0]  # (n_texts,)
        best = np.full(len(self.routes), -1.0, dtype=np.float32)
        np.maximum.at(best, np.asarray(self.owners), sims)
        return {name: float(best[i]) for i, name in enumerate(self.routes)}

    def route(self, text: str, allowed: Iterable[str] | None = None) -> RouteMatch:
        scores = self.scores(text)
        if allowed is not None:
            keep = {*allowed, NONE}
            scores = {k: v for k, v in scores.items() if k in keep}
        return self.decide(scores)

    def decide(self, scores: dict[str, float]) -> RouteMatch:
        none_score = scores.get(NONE, -1.0)
        ranked = sorted(((k, v) for k, v in scores.items() if k != NONE), key=lambda kv: -kv[1])
        if not ranked:
            return RouteMatch(None, 0.0, None, 0.0)
        (best, score), rest = ranked[0], ranked[1:]
        second, second_score = rest[0] if rest else (None, 0.0)
        if none_score + self.none_margin >= score:
            return RouteMatch(None, score, best, none_score, offtopic=True)
        passing = tuple((k, v) for k, v in ranked if v >= self.threshold(k))
        chosen = passing[0][0] if passing else None
        return RouteMatch(chosen, score, second, second_score, passing)

    def threshold(self, tool: str) -> float:
        if tool in self.thresholds:
            return self.thresholds[tool]
        return self.docstring_threshold if tool in self.described_only else self.default_threshold


def route_texts(name: str, description: str) -> list[str]:
    """What a tool is called and what its docstring summary says, whole and clause by
    clause ("Track the shopper's order: where the parcel is" -> both parts)."""
    summary = description.split(". ")[0].rstrip(".")
    clauses = [c.strip() for c in re.split(r"[:;]", summary) if len(c.strip()) > 8]
    return [name.replace("_", " "), summary, *clauses]


@cache
def default_calibration() -> dict:
    try:
        text = importlib.resources.files("agent").joinpath(CALIBRATION).read_text("utf-8")
    except FileNotFoundError:
        return {}
    return json.loads(text)


@cache
def offtopic() -> list[str]:
    text = importlib.resources.files("agent").joinpath("router_offtopic.yaml").read_text("utf-8")
    return [str(t) for t in yaml.safe_load(text) or []]
