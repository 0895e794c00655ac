"""The verifier catches crafted failures and keeps what is supported."""

from __future__ import annotations

import pytest

from agent.verifier import Claim, Verifier, split_sentences, template_verdict
from tools.results import EvidenceLedger


@pytest.fixture
def ledger():
    ledger = EvidenceLedger()
    ledger.add(
        "product",
        "1001",
        "Auralis Quiet 700 wireless headphones — brand Auralis, "
        "price 129.99 USD, rating 4.6/5 from 38 ratings",
        "1001",
        price=129.99,
        rating_avg=4.6,
        rating_count=38,
        brand="Auralis",
        title="Auralis Quiet 700",
    )
    ledger.add(
        "history",
        "2002",
        "you bought Sonora Lite 200 in-ear headphones",
        "2002",
        title="Sonora Lite 200",
        brand="Sonora",
    )
    ledger.add(
        "co_interaction",
        "2002>1001",
        "12 shoppers who bought Sonora Lite 200 also bought Auralis Quiet 700",
        "1001",
        shoppers=12,
    )
    ledger.add(
        "product",
        "3003",
        "Vantis Nova 500 speaker, price 80.99 USD",
        "3003",
        price=80.99,
        brand="Vantis",
    )
    return ledger


@pytest.fixture
def claims():
    return [
        Claim("It costs 129.99 USD, within your budget.", ["P1001"], "fit", "1001"),
        Claim("It is like the Sonora Lite 200 you bought.", ["H1"], "history", "1001"),
        Claim("12 shoppers who bought that also bought this.", ["C1"], "social", "1001"),
    ]


NAMES = ["Auralis", "Sonora", "Vantis", "Auralis Quiet 700", "Sonora Lite 200", "Vantis Nova 500"]


def test_supported_sentences_pass(ledger, claims):
    v = Verifier(ledger, NAMES)
    text = (
        "The Auralis Quiet 700 costs 129.99 USD and is rated 4.6 [P1001]. "
        "In fact 12 other shoppers with your taste bought it too [C1]."
    )
    verdict = v.verify(text, claims)
    assert [s.source for s in verdict.sentences] == ["model", "model", "template"]  # H1 added
    assert verdict.sentences[0].citations == ["P1001"]
    assert verdict.model_sentences == verdict.model_passed == 2


@pytest.mark.parametrize(
    ("sentence", "reason"),
    [
        ("It costs only 99.99 USD [P1001].", "number 99.99"),  # wrong price
        ("It is rated 4.9 stars [P1001].", "number 4.9"),  # wrong rating
        (
            "It beats the Vantis Nova 500 on bass [P1001].",
            "name 'Vantis Nova 500'",
        ),  # other product
        ("The Auralis Quiet 900 is even better [P1001].", "number 900"),  # invented model
        ("It is a great pick for you.", "no citation"),  # missing citation
        ("Reviewers love its bass [R77].", "citation [R77] is not in the evidence"),  # absent
        ("It is cheap [P3003].", "citation [P3003] is not in the evidence"),  # not this product's
    ],
)
def test_crafted_failures_are_caught_and_replaced(ledger, claims, sentence, reason):
    v = Verifier(ledger, NAMES)
    assert any(reason in r for r in v.check(sentence, claims)), v.check(sentence, claims)
    verdict = v.verify(sentence, claims)
    assert verdict.model_sentences == 1 and verdict.model_passed == 0
    assert verdict.sentences[0].source == "template"
    assert verdict.sentences[0].text in [c.render() for c in claims]


def test_semantic_support_uses_the_threshold(ledger, claims):
    def overlap(sentence, texts):
        words = set(sentence.lower().split())
        return max(len(words & set(t.lower().split())) / len(words) for t in texts)

    v = Verifier(ledger, NAMES, similarity=overlap, threshold=0.3)
    assert v.check("It costs 129.99 USD, within your budget [P1001].", claims) == []
    reasons = v.check("Astronauts wear it on the moon [P1001].", claims)
    assert reasons and "not supported" in reasons[0]


def test_sentence_splitting_keeps_citations_and_handles_chinese():
    parts = split_sentences("It fits. [P1] 价格在预算内。[P2] Why not? [C1]")
    assert parts == ["It fits. [P1]", "价格在预算内。 [P2]", "Why not? [C1]"]


def test_template_verdict_is_all_template(claims):
    verdict = template_verdict(claims)
    assert [s.source for s in verdict.sentences] == ["template"] * 3
    assert "[P1001]" in verdict.text


def test_bullets_and_line_breaks_split_sentences():
    text = "- It costs 5 USD. [P1]\n- Rated 4.5. [P1]\n1. Nice. [H1]"
    assert split_sentences(text) == ["It costs 5 USD. [P1]", "Rated 4.5. [P1]", "Nice. [H1]"]


def test_claims_left_out_are_added_and_rambling_is_cut(ledger, claims):
    v = Verifier(ledger, NAMES)
    short = v.verify("It costs 129.99 USD, within your budget [P1001].", claims)
    assert [s.source for s in short.sentences] == ["model", "template", "template"]
    assert {c for s in short.sentences for c in s.citations} == {"P1001", "H1", "C1"}
    long_text = " ".join(["It costs 129.99 USD [P1001]."] * 6)
    rambling = v.verify(long_text, claims)
    assert len(rambling.sentences) == len(claims) and rambling.model_sentences == 6
    assert rambling.model_passed <= len(claims)


@pytest.mark.parametrize("step", [1, 2, 5, 64])
def test_streamed_text_gives_the_same_sentences_as_whole_text(step):
    from agent.verifier import SentenceStream

    text = (
        "It costs $89.99, within your budget. [P1] It is waterproof [P1]. "
        "12 shoppers also bought it.[C1] [H2]\n- Reviews say great. [R3] 它很好。[P1]价格合适"
    )
    stream, out = SentenceStream(), []
    for i in range(0, len(text), step):
        new = stream.feed(text[i : i + step])
        # a sentence given out never changes: it is a prefix of the final split
        out += new
        assert out == split_sentences(text)[: len(out)]
    out += stream.close()
    assert out == split_sentences(text)


def test_checking_sentence_by_sentence_equals_verifying_the_whole_text(ledger, claims):
    verifier = Verifier(ledger, NAMES)
    text = (
        "It costs 129.99 USD [P1001]. It costs 1.00 USD [H1]. Bought by 12 shoppers [C1]. "
        "Loved by Vantis fans [P1001]. Even more [P1001]."
    )
    whole = verifier.verify(text, claims)
    checking = verifier.start(claims)
    shown = [checking.add(s) for s in split_sentences(text)]
    streamed = checking.finish()
    assert [s.text for s in streamed.sentences] == [s.text for s in whole.sentences]
    assert [s.text for s in shown if s is not None] == [s.text for s in streamed.sentences][
        : len([s for s in shown if s is not None])
    ]
    assert (streamed.model_sentences, streamed.model_passed) == (
        whole.model_sentences,
        whole.model_passed,
    )
    assert [s.source for s in whole.sentences] == ["model", "template", "model"]


@pytest.mark.parametrize(
    ("sentence", "kind"),
    [
        ("It costs only 99.99 USD [P1001].", "number"),
        ("It beats the Vantis Nova 500 on bass [P1001].", "name"),
        ("It is a great pick for you.", "no citation"),
        ("Reviewers love its bass [R77].", "citation"),
        ("Astronauts wear it on the moon [P1001].", "not supported"),
    ],
)
def test_the_faithfulness_benchmark_counts_each_failure_by_its_kind(ledger, claims, sentence, kind):
    from benchmarks.bench_agent import rejection_kind

    def overlap(sentence, texts):
        words = set(sentence.lower().split())
        return max(len(words & set(t.lower().split())) / len(words) for t in texts)

    v = Verifier(ledger, NAMES, similarity=overlap, threshold=0.3)
    assert kind in {rejection_kind(r) for r in v.check(sentence, claims)}
