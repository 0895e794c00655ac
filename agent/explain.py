"""One product's explanation: the LLM's rewrite of its claims, verified sentence
by sentence as it streams (each sentence is shown as soon as it passes or is
replaced by its claim's template), within the turn's time budget; the template
sentences alone without an LLM."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from agent.llm import LLMError, NoModel
from agent.verifier import (
    CheckedSentence,
    Claim,
    SentenceStream,
    Verdict,
    Verifier,
    template_verdict,
)
from catalog.models import Product
from prompts.render import render
from tools.context import ToolContext

if TYPE_CHECKING:
    from agent.agent import Agent

OUT_OF_TIME = "the turn's time for the LLM ran out"


def explain(
    agent: Agent,
    ctx: ToolContext,
    product: Product,
    claims: list[Claim],
    request: str,
    show: Callable[[CheckedSentence], None],
) -> Verdict:
    """One product's explanation (prompts/explain.yaml)."""
    return verified(agent, ctx, claims, show, "explain", title=product.title, request=request)


def rewrite_answer(
    agent: Agent,
    ctx: ToolContext,
    claims: list[Claim],
    question: str,
    show: Callable[[CheckedSentence], None],
) -> Verdict:
    """An answer's sentences: the LLM's rewrite of its quoted passages, verified, or
    the quoted sentences themselves (prompts/answer.yaml)."""
    return verified(agent, ctx, claims, show, "answer", question=question)


def verified(
    agent: Agent,
    ctx: ToolContext,
    claims: list[Claim],
    show: Callable[[CheckedSentence], None],
    prompt: str,
    **values: str,
) -> Verdict:
    """The claims rewritten by the LLM with the named prompt and verified as they
    stream, within the turn's time budget; their template sentences without an LLM
    (or when the time is up: each then says so in its reasons)."""
    deadline = ctx.started + agent.llm_turn_budget_s
    late = time.monotonic() > deadline - agent.llm_min_s
    if isinstance(agent.llm, NoModel) or not claims or not agent.llm_available or late:
        verdict = template_verdict(claims)
        for sentence in verdict.sentences:
            if late and agent.llm_available:
                sentence.reasons.append(OUT_OF_TIME)
            show(sentence)
        return verdict
    language_name = "Chinese" if ctx.language == "zh" else "English"
    messages = [
        {"role": "system", "content": render(prompt, "system")},
        {
            "role": "user",
            "content": render(prompt, "user", claims=claims, language_name=language_name, **values),
        },
    ]
    verifier = Verifier(
        ctx.evidence,
        agent.names,
        agent.similarity,
        agent.support_threshold,
        said=ctx.session.said,
        translate=agent.translate,
    )
    return rewrite(agent, verifier.start(claims, show), messages, deadline)


def rewrite(agent: Agent, checking, messages: list[dict], deadline: float, max_tokens: int = 160):
    """Stream the model's text into `checking` (agent.verifier.Checking) until it is full,
    the model stops, or the deadline passes; a failing model is skipped for a while."""
    sentences = SentenceStream()
    reason = "claim left out by the model"
    stream = agent.llm.stream(messages, max_tokens=max_tokens)
    try:
        for piece in stream:
            for sentence in sentences.feed(piece):
                checking.add(sentence)
            if checking.full:
                break
            if time.monotonic() > deadline:
                reason = OUT_OF_TIME
                break
        else:
            for sentence in sentences.close():
                checking.add(sentence)
    except LLMError:
        # Down or too slow: this and the next turns use templates until the retry time.
        agent.llm_failed()
        reason = "the LLM failed"
    finally:
        close = getattr(stream, "close", None)
        if close is not None:
            close()  # stops generation and frees the model for the next request
    return checking.finish(reason)
