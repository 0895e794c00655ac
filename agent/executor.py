"""Runs a plan's tool calls through the registry: resolves the candidate bus,
guards the tools that write, times every call and keeps the trace.

The guard (a writing tool, `writes=True`, e.g. `record_feedback`): it runs only
when the shopper's own message asks for it (`Call.explicit`), only for
products shown in this conversation, and only for the conversation's own
shopper. A refused call changes nothing; its outcome says why, and the reply
says so. A writing call runs inside one store transaction, so a tool that
fails half way leaves nothing stored.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

from agent.plan import Call, Ref, Step
from tools.context import ToolContext
from tools.registry import Tool, ToolOutcome, ToolRegistry

PRODUCT_ARGUMENTS = ("product_id", "product_ids")
SHOPPER_ARGUMENTS = ("shopper_id",)


class Refused(Exception):
    """A writing call the guard does not allow (internal: becomes the outcome's error)."""


class Executor:
    def __init__(self, registry: ToolRegistry) -> None:
        self.registry = registry

    def run(self, calls: Sequence[Call], ctx: ToolContext, trace: list[Step]) -> list[ToolOutcome]:
        """Run the calls in order; each sees the products of the calls before it."""
        outcomes: list[ToolOutcome] = []
        for call in calls:
            outcomes.append(self.call(call, ctx, trace, outcomes))
        return outcomes

    def call(
        self,
        call: Call,
        ctx: ToolContext,
        trace: list[Step],
        earlier: Sequence[ToolOutcome] = (),
    ) -> ToolOutcome:
        arguments = {k: _resolve(v, earlier) for k, v in call.arguments.items()}
        arguments = {k: v for k, v in arguments.items() if v is not _SKIP}
        shown = {k: str(v) for k, v in call.arguments.items() if isinstance(v, Ref)}
        started = time.perf_counter()
        tool = self.registry.tools.get(call.tool)
        refusal = guard(tool, call, arguments, ctx) if tool is not None and tool.writes else None
        if refusal is not None:
            outcome = ToolOutcome(call.tool, arguments, error=refusal)
        elif tool is not None and tool.writes:
            try:
                with ctx.store.transaction():
                    outcome = self.registry.call(call.tool, ctx, arguments)
                    if not outcome.ok:
                        raise Refused(outcome.error)  # roll back what it stored before failing
            except Refused:
                pass
        else:
            outcome = self.registry.call(call.tool, ctx, arguments)
        trace.append(
            Step(
                call.tool,
                {**_traced(arguments), **shown},
                (time.perf_counter() - started) * 1000,
                outcome.ok,
                outcome.error,
                len(outcome.result.products) if outcome.ok else 0,
            )
        )
        return outcome


_SKIP = object()


def _resolve(value: Any, earlier: Sequence[ToolOutcome]) -> Any:
    if not isinstance(value, Ref):
        return value
    if value.call >= len(earlier) or not earlier[value.call].ok:
        return _SKIP  # the earlier call failed: the argument is left out
    products = list(earlier[value.call].result.products)
    if value.single:
        return products[0] if products else _SKIP
    return products[: value.limit] if value.limit else products


def _traced(arguments: dict[str, Any]) -> dict[str, Any]:
    """Arguments as the trace shows them: long lists shortened."""
    out: dict[str, Any] = {}
    for key, value in arguments.items():
        if isinstance(value, list) and len(value) > 5:
            out[key] = [*value[:5], f"... {len(value)} in all"]
        else:
            out[key] = value
    return out


def guard(tool: Tool, call: Call, arguments: dict[str, Any], ctx: ToolContext) -> str | None:
    """Why a writing call may not run (None: it may)."""
    if not call.explicit:
        return f"{tool.name} changes your data and runs only when you ask for it yourself"
    seen = set(ctx.session.seen)
    for name in PRODUCT_ARGUMENTS:
        value = arguments.get(name)
        ids = value if isinstance(value, list) else [value] if value is not None else []
        unseen = [str(i) for i in ids if str(i) not in seen]
        if unseen:
            return (
                f"{tool.name} acts only on products shown in this conversation; "
                f"{', '.join(unseen)} was not shown"
            )
    for name in SHOPPER_ARGUMENTS:
        value = arguments.get(name)
        if value is not None and value != ctx.shopper_id:
            return f"{tool.name} acts only for the shopper of this conversation"
    return None
