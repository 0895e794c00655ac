"""The XRec-comparison generator is extractive: every word it writes comes from its inputs."""

import re
import zlib

import numpy as np

from benchmarks.bench_xrec import explain_all, item_clauses, names_in_inputs, user_clauses

ROWS = [
    {
        "title": "Drums of Autumn",
        "user_summary": (
            "Based on the user's review and rating, this user is likely to enjoy books that are "
            "thrilling and have well-crafted plots, books that combine romance and adventure in "
            "historical settings, and books with dark humor."
        ),
        "item_summary": (
            "Fans of the Outlander series who enjoy historical fiction and romance would likely "
            "enjoy Drums of Autumn. The book explores love and war in colonial America."
        ),
    },
    {
        "title": "Silent Creek",
        "user_summary": "The user enjoys cozy mysteries; they also appreciate small-town settings.",
        "item_summary": "Readers who like cozy mysteries will enjoy Silent Creek.",
    },
]
FRAME = set(
    ["the", "user", "would", "buy", "book", "because", "it", "is", "for", "and", "they", "enjoy"]
)


def words(text: str) -> set[str]:
    return set(re.findall(r"[a-z]+", text.lower()))


def fake_encode(texts):
    """Bag-of-words vectors (hashed words): enough to rank clauses by shared words."""
    out = np.zeros((len(texts), 4096), dtype=np.float32)
    for row, text in enumerate(texts):
        for w in words(text):
            out[row, zlib.crc32(w.encode()) % 4096] = 1
    return out / np.maximum(np.linalg.norm(out, axis=1, keepdims=True), 1e-9)


def test_clauses_drop_the_profile_boilerplate():
    clauses = user_clauses(ROWS[0]["user_summary"])
    assert clauses[0] == "books that are thrilling and have well-crafted plots"
    assert not any("based on" in c.lower() or "likely" in c.lower() for c in clauses)
    assert item_clauses(ROWS[0]["title"], ROWS[0]["item_summary"]) == [
        "it is for fans of the Outlander series who enjoy historical fiction and romance",
        "it explores love and war in colonial America",
    ]
    assert user_clauses(ROWS[1]["user_summary"]) == ["cozy mysteries", "small-town settings"]


def test_every_word_comes_from_the_inputs_and_both_profiles_are_cited():
    texts = explain_all(ROWS, fake_encode)
    for row, text in zip(ROWS, texts, strict=True):
        assert "[P1]" in text and "[H1]" in text
        invented = words(re.sub(r"\[[PH]1\]", "", text)) - FRAME - words(str(row))
        assert not invented, invented


def test_the_interest_closest_to_the_item_is_chosen_unless_it_only_repeats_it():
    first, second = explain_all(ROWS, fake_encode)
    assert first.endswith(
        "they enjoy books that combine romance and adventure in historical settings [H1]."
    )
    # "cozy mysteries" is the closest interest but only repeats the item profile.
    assert second.endswith("they enjoy small-town settings [H1].")


def test_one_shoppers_explanations_are_told_apart_by_naming_the_book():
    profile = {
        "user_summary": "The user enjoys contemporary romance novels; they like witty banter.",
        "item_summary": "Fans of contemporary romance novels will enjoy this book.",
    }
    rows = [
        {"uid": 7, "title": "Wild Heart (Harper Falls Book 1)", **profile},
        {"uid": 7, "title": "Slow Burn: A Novel", **profile},
        {"uid": 8, "title": "Slow Burn: A Novel", **profile},
    ]
    first, second, other = explain_all(rows, fake_encode)
    assert first.startswith("The user would buy the book because")
    assert second.startswith('The user would buy "Slow Burn" because')
    # Another shopper's explanation is not changed by this one's.
    assert other == first
    assert second.replace('"Slow Burn"', "the book") == first


def test_names_in_inputs_counts_capitalised_words_the_inputs_lack():
    row = ROWS[0]
    assert names_in_inputs(["They like the Outlander series."], [row]) == 1.0
    text = "They like the Outlander series and Claire and Jamie. It is long."
    # "Outlander" is in the inputs; "Claire" and "Jamie" are not; "It" starts a sentence.
    assert names_in_inputs([text], [row]) == 1 / 3
