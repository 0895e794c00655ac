"""A turn's plan: data, not code. The planner (rules and router, or an LLM)
reads the shopper's message into a `Plan`: what kind of reply it is and the
tool calls that answer it. The executor runs the calls through the registry
and keeps the trace; the composer turns their results into cited sentences.

Calls may pass products along (InteRecAgent's candidate bus): an argument that
is a `Ref` is replaced, when the call runs, by the products an earlier call of
the same plan returned, so a search's hits reach the ranking without passing
through a prompt.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

# What a plan does besides calling tools.
ACTIONS = ("tools", "greeting", "reset", "clarify", "abstain", "nothing_shown", "refuse")


@dataclass(frozen=True, slots=True)
class Ref:
    """The products an earlier call of the plan returned (index in the plan)."""

    call: int
    limit: int | None = None
    single: bool = False  # the first product alone (for a `product_id` argument)

    def __str__(self) -> str:
        if self.single:
            return f"${self.call}.products[0]"
        return f"${self.call}.products" + (f"[:{self.limit}]" if self.limit else "")


@dataclass(slots=True)
class Call:
    tool: str
    arguments: dict[str, Any] = field(default_factory=dict)
    # The shopper's own words ask for this call (a writing tool runs only then).
    explicit: bool = False


@dataclass(slots=True)
class Plan:
    action: str  # one of ACTIONS
    intent: str  # the reply's intent: recommend, details, compare, answer, a tool's name...
    calls: list[Call] = field(default_factory=list)
    source: str = "rules"  # rules | router | recall | llm
    tool: str | None = None  # the tool that answers the message (what routing is scored on)
    missing: list[str] = field(default_factory=list)  # arguments a clarifying question asks for
    note: str = ""  # why a plan was refused or what it could not fill
    score: float | None = None  # the router's similarity, when the router chose
    # False where the rules fell back on a general reading (the router's nearest tool, a
    # question to the products' records, no tool): recall may overrule those only
    firm: bool = True
    # the product asked about was not said ("what do people say about the fit?" after a
    # list): the first of those shown, which the reply names
    guessed: bool = False

    def __post_init__(self) -> None:
        if self.action not in ACTIONS:
            raise ValueError(f"unknown plan action {self.action!r}")


@dataclass(slots=True)
class Step:
    """One tool call of a turn, as the trace shows it."""

    tool: str
    arguments: dict[str, Any]
    ms: float
    ok: bool
    error: str | None = None
    products: int = 0  # how many products it returned

    def to_dict(self) -> dict[str, Any]:
        return {
            "tool": self.tool,
            "arguments": self.arguments,
            "ms": round(self.ms, 2),
            "ok": self.ok,
            "error": self.error,
            "products": self.products,
        }
