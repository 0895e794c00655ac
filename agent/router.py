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

Beside the routes, the router recalls messages it has seen labelled: the tuning part's
messages for the built-in tools and for no tool (router_exemplars.jsonl, written by
the same `--fit`; a plugin's tools are never among them). `recall` votes among the five
labelled messages nearest to a new one, each by its similarity; the planner follows the
vote over its rules only where it is near-unanimous and its nearest message is close
(both fitted on a batch of labelled messages the rules had not seen).
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
EXEMPLARS = "router_exemplars.jsonl"
NONE = "none"  # the off-topic route
RECALL_K = 5  # labelled messages that vote


@dataclass(frozen=True, slots=True)
class Recall:
    """The vote of the labelled messages nearest to a message."""

    tool: str | None  # None: the nearest messages wanted no tool
    share: float  # the winner's share of the similarity-weighted vote
    nearest: float  # the nearest labelled message's similarity
    confident: bool


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
    exemplar_tools: list[str | None] = field(default_factory=list)
    exemplar_vectors: np.ndarray | None = None  # (n_exemplars, d)
    recall_share: float = 1.01  # above 1: recall never overrules the rules
    recall_nearest: float = 1.01
    recall_skip_same: bool = False  # a benchmark of the labelled messages themselves
    _last: tuple[str, np.ndarray] | None = field(default=None, repr=False)

    @classmethod
    def build(
        cls,
        registry: ToolRegistry,
        encode: Encode,
        calibration: dict | None = None,
        exclude: Iterable[str] = (),
        exemplars: Sequence[tuple[str, str | None]] | None = None,
    ) -> Router:
        calibration = default_calibration() if calibration is None else calibration
        exemplars = default_exemplars() if exemplars is None else exemplars
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
        # labelled messages of the tools registered here (and of none), never excluded ones
        known = [(t, tool) for t, tool in exemplars if tool is None or tool in routes]
        known = [(t, tool) for t, tool in known if tool not in skip]
        vectors = encode(texts + [t for t, _ in known]).astype(np.float32)
        recall = calibration.get("recall", {})
        return cls(
            encode,
            routes,
            owners,
            vectors[: len(texts)],
            described_only,
            dict(calibration.get("thresholds", {})),
            float(calibration.get("default_threshold", 0.5)),
            float(calibration.get("docstring_threshold", 0.4)),
            float(calibration.get("none_margin", 0.0)),
            [tool for _, tool in known],
            vectors[len(texts) :] if known else None,
            float(recall.get("share", 1.01)),
            float(recall.get("nearest", 1.01)),
        )

    def _vector(self, text: str) -> np.ndarray:
        """The message's embedding; the last one is kept, as a turn routes and recalls
        the same message."""
        if self._last is None or self._last[0] != text:
            self._last = (text, self.encode([text])[0])
        return self._last[1]

    def recall(self, text: str) -> Recall | None:
        """The similarity-weighted vote of the RECALL_K labelled messages nearest to the
        text; None without labelled messages."""
        if self.exemplar_vectors is None or not len(self.exemplar_tools) or not text.strip():
            return None
        sims = self.exemplar_vectors @ self._vector(text)
        if self.recall_skip_same:
            sims = np.where(sims >= 0.9999, -1.0, sims)  # the message recalls not itself
        nearest = np.argsort(-sims)[:RECALL_K]
        votes: dict[str | None, float] = {}
        for i in nearest:
            votes[self.exemplar_tools[i]] = votes.get(self.exemplar_tools[i], 0.0) + max(
                float(sims[i]), 0.0
            )
        total = sum(votes.values()) or 1.0
        tool, weight = max(votes.items(), key=lambda kv: kv[1])
        share, top = weight / total, float(sims[nearest[0]])
        return Recall(tool, share, top, share >= self.recall_share and top >= self.recall_nearest)

    def scores(self, text: str) -> dict[str, float]:
        """Each route's similarity to the text: its best-matching text."""
        if not text.strip():
            return {}
        sims = self.vectors @ self._vector(text)  # (n_texts,)
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
def default_exemplars() -> tuple[tuple[str, str | None], ...]:
    """The labelled messages the router recalls (text, tool or None)."""
    try:
        text = importlib.resources.files("agent").joinpath(EXEMPLARS).read_text("utf-8")
    except FileNotFoundError:
        return ()
    rows = [json.loads(line) for line in text.splitlines() if line.strip()]
    return tuple((str(r["text"]), r["tool"]) for r in rows)


@cache
def offtopic() -> list[str]:
    text = importlib.resources.files("agent").joinpath("router_offtopic.yaml").read_text("utf-8")
    return [str(t) for t in yaml.safe_load(text) or []]
