"""Words of a question (tools.text) and the Chinese-English dictionary
(tools.dictionary): what is asked, what points at the product, quantities, phrases."""

from __future__ import annotations

import pytest

from tools import dictionary
from tools.passages import MAX_PASSAGE_CHARS, split
from tools.text import asks_quantity, contains_term, content_terms, has_quantity, naming_words


def test_the_phrase_that_points_at_the_product_is_found_in_both_languages():
    assert naming_words("Does the oscilloscope come with probes?") == {"oscilloscope"}
    assert {"par", "knife"} <= naming_words("How long is the blade on this paring knife?")
    assert "edge" not in naming_words("Can I clamp it to my desk?")  # no determiner before it
    assert "电压表" in naming_words("这个电压表能用吗？")
    assert naming_words("第三个是防水的吗？") == set()


@pytest.mark.parametrize(
    ("text", "quantity"),
    [
        ("battery: 20-hour battery", True),
        ("holds up to 20 Gift Cards", True),
        ("Contains 4 plastic gift cards.", True),
        ("battery lasts almost a week", True),
        ("容量500毫升", True),
        ("Edgecraft Echo 800 high-carbon steel paring knife", False),  # a model number
        ("Good for US iTunes Store only", False),
    ],
)
def test_a_quantity_is_a_number_with_its_unit_not_a_model_number(text, quantity):
    assert has_quantity(text) is quantity


def test_questions_that_ask_for_a_number():
    assert asks_quantity("How many cards does the holder fit?")
    assert asks_quantity("这瓶精华是多少毫升的？")
    assert not asks_quantity("Is it waterproof?")


def test_a_two_word_translation_is_matched_as_a_phrase():
    assert contains_term("Heart-rate monitor", "heart rate")
    assert not contains_term("the rate of the heart", "heart rate")


def test_words_that_frame_a_question_are_not_what_it_asks():
    assert content_terms("Is there any difference in spool weight between these two?") == [
        "spool", "weight",
    ]  # fmt: skip
    assert "用来" not in content_terms("这个可以用来做沙龙服务吗？")


@pytest.mark.skipif(not dictionary.available(), reason="the dictionary package is not installed")
def test_the_dictionary_gives_short_senses_and_skips_single_characters():
    assert dictionary.english_words("跑步机")[0] == "treadmill"
    assert "return" in dictionary.english_words("退货")  # "to return merchandise": the verb too
    assert dictionary.english_words("心率") == ["heart rate"]
    assert dictionary.english_words("卡") == []  # to stop, to block, card, truck...
    assert not any("homosexual" in w for w in dictionary.english_words("玻璃"))  # slang left out


def test_a_run_on_sentence_is_cut_into_pieces_and_loses_nothing():
    text = " ".join(f"word{i}" for i in range(200)) + " made in the USA"
    pieces = split(text)
    assert len(pieces) > 1 and all(len(p) <= MAX_PASSAGE_CHARS for p in pieces)
    assert " ".join(pieces) == text
