"""The verifier's support check with the real multilingual USE similarity at the
shipped threshold (0.44, calibrated by benchmarks/bench_verifier.py): in the verifier
alone, and switched on in the assistant's own agent, where a model sentence that cites
a real claim but says something else is replaced by that claim's template."""

from __future__ import annotations

import re
from dataclasses import replace

import pytest

from agent.agent import new_state
from agent.verifier import Verifier
from catalog.store import Store
from tests.test_verifier import NAMES, claims, ledger  # noqa: F401 (fixtures)


@pytest.fixture(scope="module")
def agent(demo_home):
    """The agent `shopassist` builds: its similarity is the USE embedder's."""
    from shopassist.assistant import build_assistant
    from shopassist.settings import load_settings

    settings = load_settings(env={"SHOPASSIST_HOME": str(demo_home)})
    with Store.in_home(demo_home) as store:
        yield build_assistant(settings, store, "demo", "none").agent


SUPPORTED = [
    "It costs 129.99 USD, which fits your budget [P1001].",
    "At 129.99 USD it is within what you wanted to spend [P1001].",
    "它的价格是129.99美元，在您的预算之内 [P1001]。",
    "It is similar to the Sonora Lite 200 you bought [H1].",
]
# Cited, no number or name to catch: only the similarity can reject these.
UNSUPPORTED = [
    "Astronauts wore it on the moon [P1001].",
    "It is waterproof and has a lifetime warranty [P1001].",
    "It was designed by a famous Italian chef [H1].",
    "Free shipping is included [C1].",
]


def test_the_real_similarity_at_the_shipped_threshold(agent, ledger, claims):  # noqa: F811
    assert agent.support_threshold == 0.44
    v = Verifier(ledger, NAMES, similarity=agent.similarity, threshold=agent.support_threshold)
    for sentence in SUPPORTED:
        assert v.check(sentence, claims) == [], sentence
    for sentence in UNSUPPORTED:
        reasons = v.check(sentence, claims)
        assert len(reasons) == 1 and "not supported by the cited claims" in reasons[0], sentence
        assert Verifier(ledger, NAMES).check(sentence, claims) == []  # the rest lets it by


class Embellisher:
    """A fake chat model (wording only): rewrites the first claim it is given
    faithfully, then adds a cited sentence the claim does not support."""

    name = "scripted"

    def chat(self, messages, max_tokens=256):
        claim = re.search(r"^- (.*?)((?: ?\[[A-Z][^\]]+\])+)\s*$", messages[1]["content"], re.M)
        text, cites = claim.group(1), claim.group(2).strip()
        return f"{text} {cites} Astronauts wore it on the moon {cites}."

    def stream(self, messages, max_tokens=256):
        yield from (word + " " for word in self.chat(messages, max_tokens).split(" "))


def test_the_agent_replaces_an_unsupported_model_sentence(agent):
    reply = replace(agent, llm=Embellisher()).turn(new_state(), "hiking boots", "u0001")
    sentences = [s for p in reply.products for s in p.sentences]
    assert reply.products and reply.model_sentences == 2 * len(reply.products)
    assert reply.model_passed == len(reply.products)  # each faithful rewrite, no more
    assert [s.source for s in sentences].count("model") == len(reply.products)
    assert not any("Astronauts" in s.text for s in sentences)
    # Without the similarity the same sentences would have been shown.
    unchecked = replace(agent, llm=Embellisher(), similarity=None)
    reply = unchecked.turn(new_state(), "hiking boots", "u0001")
    assert any("Astronauts" in s.text for p in reply.products for s in p.sentences)
