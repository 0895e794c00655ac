"""Dialogue state: what the shopper has asked for so far, what was shown, feedback.

It survives across turns (and is serialised with the session), so follow-ups
like "cheaper", "not that brand", "the second one" and "compare the first two"
resolve against it.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from catalog.filters import ProductFilter

MAX_SAID = 20


@dataclass
class Slots:
    category: str | None = None
    category_guessed: bool = False  # inferred by similarity, not named by the shopper
    category_turn: int = 0  # the turn that chose the category
    # the turn the category replaced another: what was asked for before it is not the
    # request (words said before any kind was chosen are, for the kind chosen next)
    kind_turn: int = 0
    # the turn a new request began without a new category ("换成给我奶奶的", "something
    # for coffee instead"): what was asked before it is no longer the shopper's request
    request_turn: int = 0
    min_price: float | None = None
    max_price: float | None = None
    # "around 80": the amount said (the band is 64-96); a price more than a little above
    # it is not "within your budget" (agent.composer), though the search lets it through
    price_around: float | None = None
    # the currency the shopper named for the budget ("50美元左右"): a new amount said
    # without one ("预算改成100") is in it, not in the language's default
    budget_currency: str | None = None
    # the bound is "cheaper than those shown", not a budget said: only known prices meet it
    price_from_shown: bool = False
    brands: list[str] = field(default_factory=list)
    exclude_brands: list[str] = field(default_factory=list)
    use: str | None = None  # occasion or activity ("hiking", "通勤")
    recipient: str | None = None  # "husband", "mom"
    attributes: list[str] = field(default_factory=list)  # must-have attribute words
    avoid: list[str] = field(default_factory=list)  # words of what is not wanted ("black")
    query: str = ""  # the content words of the request, for search
    by_price: bool = False  # the request's products lowest price first ("cheapest first")

    def is_vague(self) -> bool:
        return not (self.category or self.attributes or self.brands or self.use or self.query)


@dataclass
class DialogueState:
    slots: Slots = field(default_factory=Slots)
    shown: list[str] = field(default_factory=list)  # products shown in the last answer
    seen: list[str] = field(default_factory=list)  # every product shown in this session
    listed: list[str] = field(default_factory=list)  # shown since this request's kind was set
    not_interested: list[str] = field(default_factory=list)
    passed: list[str] = field(default_factory=list)  # shown, then "none of these"
    liked: list[str] = field(default_factory=list)
    clarified_last_turn: bool = False
    language: str = "en"
    turns: int = 0
    focus: str | None = None  # the product last talked about on its own ("it")
    # A tool call waiting for the argument a clarifying question asked for:
    # {"tool": name, "arguments": {...}, "missing": [names]}.
    pending: dict[str, Any] | None = None
    # The shopper's messages of the session, [turn, text, asked for products], the
    # newest MAX_SAID: request claims quote them and the verifier checks against them.
    said: list[list] = field(default_factory=list)

    def hear(self, text: str) -> None:
        """Keep the shopper's message of this turn."""
        self.said = [*self.said, [self.turns, text, False]][-MAX_SAID:]

    def asked_for_products(self) -> None:
        """This turn's message asked for products: its words are part of the request."""
        if self.said and self.said[-1][0] == self.turns:
            self.said[-1][2] = True

    def messages(self) -> list[str]:
        return [entry[1] for entry in self.said]

    def request(self, since_kind: bool = False) -> list[str]:
        """The messages that asked for the current kind of product, oldest first: from
        the turn the request began (a kind that replaced another, "instead", someone
        else), or, `since_kind`, from the turn that chose the kind (the search weighs the
        words said before it as one part)."""
        s = self.slots
        since = max(s.category_turn if since_kind else s.kind_turn, s.request_turn)
        return [t for turn, t, asked in self.said if asked and turn >= since]

    @property
    def excluded(self) -> list[str]:
        """Products never to show again: turned down, or passed over ("none of these")."""
        return list(dict.fromkeys(self.not_interested + self.passed))

    def product_filter(self, in_stock_only: bool = True) -> ProductFilter:
        s = self.slots
        return ProductFilter(
            min_price=s.min_price,
            max_price=s.max_price,
            categories=[s.category] if s.category else [],
            brands=list(s.brands),
            exclude_brands=list(s.exclude_brands),
            exclude_ids=self.excluded,
            in_stock_only=in_stock_only,
        )

    def resolve(self, ordinals: list[int]) -> list[str]:
        """Product ids for 0-based positions in the last answer (out of range skipped)."""
        return [self.shown[i] for i in ordinals if 0 <= i < len(self.shown)]

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> DialogueState:
        data = dict(data)
        slots = Slots(**data.pop("slots", {}))
        known = set(cls.__dataclass_fields__)
        return cls(slots=slots, **{k: v for k, v in data.items() if k in known})
