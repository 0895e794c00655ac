"""The one interface every recommender implements, and the shapes it returns.

Modelled on benfred/implicit: `fit / recommend / similar_items / save / load`,
one user or a batch, ids and scores back. Two additions the assistant needs:
`explain(user, item)` returns structured evidence (never prose) whose pieces
carry the ids they refer to, so explanations can cite them; and `fold_in`
updates one shopper's recommendations from new feedback without retraining.

Items and users are referred to by the catalog's external ids (strings).
Hard filters are `catalog.filters.ProductFilter`, applied through the
`ProductTable` the model was given, so search and recommendations agree.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from catalog.filters import ProductFilter


@dataclass(slots=True)
class Recommendation:
    """Top-k for one user, best first."""

    user_id: str
    item_ids: list[str]
    scores: np.ndarray  # (k,) float32, higher is better
    cold_start: bool = False  # unknown/empty user: popularity within the filters


@dataclass(slots=True)
class Contribution:
    """How much one of the user's own items pushed the score up."""

    history_item_id: str
    weight: float  # contribution to the score (same units as the score)
    share: float  # weight / sum of positive weights, 0..1


@dataclass(slots=True)
class CoInteraction:
    """`shoppers` people who interacted with `history_item_id` also did with the candidate."""

    history_item_id: str
    item_id: str
    shoppers: int


@dataclass(slots=True)
class GraphPath:
    """user -> history item -> other shoppers -> candidate, with how many such shoppers."""

    history_item_id: str
    via_shoppers: list[str]  # a few example shopper ids (may be truncated)
    count: int  # total number of such shoppers


@dataclass(slots=True)
class Explanation:
    user_id: str
    item_id: str
    model: str
    score: float
    contributions: list[Contribution] = field(default_factory=list)  # largest first
    co_interactions: list[CoInteraction] = field(default_factory=list)  # largest first
    paths: list[GraphPath] = field(default_factory=list)  # largest count first
    popularity_rank: int = 0  # 1 = most interacted-with item
    n_items: int = 0
    item_interactions: int = 0  # how many interactions the candidate has in training data
    cold_start: bool = False
    # The part of `score` that no single history item accounts for: a graph filter's
    # low-pass (global taste) term; the contributions add up to score - low_pass.
    low_pass: float = 0.0


class Recommender(ABC):
    """Base class. Subclasses set `name` and implement the abstract methods."""

    name: str = "base"

    @abstractmethod
    def recommend(
        self,
        user_ids: str | Sequence[str],
        k: int = 10,
        exclude_seen: bool = True,
        candidates: Sequence[str] | None = None,
        filters: ProductFilter | None = None,
    ) -> Recommendation | list[Recommendation]:
        """Top-k items; one user in, one Recommendation out; a list in, a list out."""

    @abstractmethod
    def similar_items(
        self, item_id: str, k: int = 10, filters: ProductFilter | None = None
    ) -> tuple[list[str], np.ndarray]:
        """Items most similar to `item_id` (itself excluded), with similarity scores."""

    @abstractmethod
    def explain(self, user_id: str, item_id: str) -> Explanation:
        """Structured evidence for why `item_id` scores as it does for `user_id`."""

    @abstractmethod
    def fold_in(
        self, user_id: str, positive: Sequence[str] = (), negative: Sequence[str] = ()
    ) -> None:
        """Update one user's state from new feedback, without retraining.

        `positive` items (a click, a like, a purchase) join the user's history;
        `negative` items ("not interested") and their near duplicates are never
        recommended to this user again.
        """

    @abstractmethod
    def save(self, directory: Path) -> None:
        """Arrays with allow_pickle=False plus a JSON manifest."""

    @classmethod
    @abstractmethod
    def load(cls, directory: Path) -> Recommender: ...
