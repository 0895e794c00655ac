"""Words of a question (tools.text) and the Chinese-English dictionary
(tools.dictionary): what is asked, what points at the product, quantities, phrases."""

from __future__ import annotations

import pytest

from tools import dictionary
from tools.passages import MAX_PASSAGE_CHARS, split
from tools.text import (
    asks_graded,
    asks_quantity,
    contains_term,
    content_terms,
    content_words,
    has_quantity,
    naming_words,
    states_count,
    stem,
)


def test_the_phrase_that_points_at_the_product_is_found_in_both_languages():
    assert naming_words("Does the oscilloscope come with probes?") == {"oscilloscope"}
    assert {"par", "knife"} <= naming_words("How long is the blade on this paring knife?")
    assert "edge" not in naming_words("Can I clamp it to my desk?")  # no determiner before it
    assert "电压表" in naming_words("这个电压表能用吗？")
    assert naming_words("第三个是防水的吗？") == set()
    # a Chinese phrase runs to what the question says of it (a modal verb, a particle)
    assert naming_words("这个节日弹出礼盒可以选别的图案吗？") == {"节日", "弹出", "礼盒"}
    assert naming_words("这个烧伤喷雾可以用来处理晒伤吗？") == {"烧伤", "喷雾"}
    assert naming_words("这个耳机续航多长时间？") == {"耳机", "续航"}


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
    # determiners, and a frame verb in any of its forms, ask nothing
    assert content_terms("Which of these multipacks gives me more cards?") == ["multipack", "card"]
    assert "another" not in content_terms("Can I use it to buy another gift card?")


@pytest.mark.skipif(not dictionary.available(), reason="the dictionary package is not installed")
def test_the_dictionary_gives_short_senses_and_skips_single_characters():
    assert dictionary.english_words("跑步机")[0] == "treadmill"
    assert "return" in dictionary.english_words("退货")  # "to return merchandise": the verb too
    assert "have" not in dictionary.english_words("吃饭")  # "to have a meal": no "have" alone
    assert dictionary.english_words("心率") == ["heart rate"]
    assert dictionary.english_words("卡") == []  # to stop, to block, card, truck...
    assert not any("homosexual" in w for w in dictionary.english_words("玻璃"))  # slang left out


def test_a_run_on_sentence_is_cut_into_pieces_and_loses_nothing():
    text = " ".join(f"word{i}" for i in range(200)) + " made in the USA"
    pieces = split(text)
    assert len(pieces) > 1 and all(len(p) <= MAX_PASSAGE_CHARS for p in pieces)
    assert " ".join(pieces) == text


@pytest.mark.parametrize(
    ("text", "sentences"),
    [
        ("Fans of suspense will enjoy it, by K.A. Tucker. A great read.", 2),
        ("By J. R. R. Tolkien. A classic.", 2),
        ("Dr. Seuss wrote it. Fun!", 2),
        ("Sold in the U.S. and Canada. Ships fast.", 2),
        ("Waterproof. Lightweight! Good? Yes", 4),
        ("Can be used to a maximum temperature of +176 F. One of its features.", 2),
    ],
)
def test_a_sentence_does_not_end_after_an_initial_or_a_title(text, sentences):
    """ "Surviving Ice by K.A. Tucker." had been cut into "...by K.A" and "Tucker", and
    "what is it about?" quoted both."""
    pieces = split(text)
    assert len(pieces) == sentences, pieces
    assert " ".join(pieces) == text


def test_a_word_and_its_plural_or_british_spelling_share_a_stem():
    assert stem("movies") == stem("movie")  # not "movy" for one and "movie" for the other
    assert stem("batteries") == stem("battery")
    assert stem("theatre") == stem("theaters") == stem("theater")
    assert stem("colour") == stem("color")
    assert contains_term("All Regal Gift Cards are redeemable at any Regal Theatre", "theater")
    assert contains_term("thickness: 8mm", stem("thick"))  # -ness
    assert not contains_term("connectivity: wireless", stem("wire"))  # -less is not -ness
    # a word ending in "e" and its "-ing" form: "commute" / "Bought it for commuting"
    assert contains_term("Bought it for commuting, and they stay comfortable", stem("commute"))
    assert not contains_term("a commuter bag", stem("commune"))
    # and the other way round: "balanced" (stemmed "balanc") of "the balance", not a word
    # of its own that an e makes another ("strip" / stripe, "plan" / plane)
    assert contains_term("the balance feels perfect", stem("balanced"))
    assert contains_term("Flat price, no fees", stem("priced"))
    assert not contains_term("a grey stripe", stem("strip"))
    assert not contains_term("a plane ticket", stem("plan"))
    # an ending that keeps the meaning, not a word of its own that begins the same
    assert contains_term("a burr grinder", stem("grind"))
    assert contains_term("the warmest jacket", stem("warm"))
    assert contains_term("a gripper for jars", stem("grip"))
    assert contains_term("Shipping Weight: 1.6 ounces", stem("ship"))
    # a final y made i before "-er": "a magnifying glass" of "Pocket Magnifiers"
    assert contains_term("Carson Pocket Magnifiers for Reading", stem("magnifying"))
    assert not contains_term("a studio lamp", stem("study"))
    assert not contains_term("coffee is ready when I wake up", stem("reading"))
    assert not contains_term("a handy case", stem("hand"))
    assert not contains_term("a planet poster", stem("plan"))
    assert not contains_term("a start button", stem("star"))
    # a verb and the noun or adjective made of it, after a final e too
    assert contains_term("No expiration, no fees.", stem("expire"))
    assert contains_term("Easy installation in minutes", stem("install"))
    assert contains_term("adjustable shoulder strap", stem("adjust"))
    assert contains_term("machine washable cover", stem("washing"))
    assert not contains_term("a portable speaker", stem("port"))
    assert not contains_term("the basement stairs", stem("base"))
    # a noun and the participle of its verb: "location" / "stores located in"
    assert contains_term("Retail stores located in AZ, CA and HI", stem("location"))
    assert contains_term("Easy calibration with two buffers", stem("calibrated"))


@pytest.mark.skipif(not dictionary.available(), reason="the dictionary package is not installed")
def test_chinese_words_the_segmenter_cuts_or_glues_are_put_right_with_the_dictionary():
    # jieba cuts words its dictionary lacks into characters; CC-CEDICT knows them
    assert "赛百味" in content_terms("赛百味这张卡可以在网上点餐的时候用吗？")  # Subway
    assert "晒伤" in content_terms("这个烧伤喷雾可以用来处理晒伤吗？")  # sunburn
    # and glues a measure word or a modal verb to the word after it
    assert content_terms("这张卡有没有使用期限？")[0] == "卡"
    assert "耳机" in content_terms("这副耳机能折叠吗？")
    assert "安卓" in content_terms("这块手表能连安卓手机吗？")
    # words the segmenter got right stay as they are
    assert content_terms("这个耳机续航多长时间？") == ["耳机", "续航"]
    # the A-not-A of a question is the word once ("耐不耐磨": 耐磨, not 耐不)
    assert content_words("这双鞋的鞋底耐不耐磨？") == ["鞋", "鞋底", "耐磨"]
    assert "快" in content_words("到账快不快？") and "不快" not in content_words("到账快不快？")


def test_a_letter_hyphened_to_a_word_is_part_of_it():
    """ "K-Cups" is no "cups" (a 12-cup coffee maker does not take K-Cups); the "e-" of
    "e-gift", which records also leave out, is dropped."""
    from tools.text import contains_term

    assert content_words("Does it take K-Cups?") == ["k-cups"]
    assert not contains_term("capacity: 12-cup", "k-cups")
    assert contains_term("Compatible with K-Cup pods", "k-cups")
    assert content_words("is it an e-gift card?") == ["gift", "card"]


@pytest.mark.parametrize(
    ("question", "direction"),
    [
        ("which one is the cheapest?", "min"),
        ("which one is cheaper?", "min"),
        ("它和第二个比哪个更便宜？", "min"),
        ("which of these lasts longer?", "max"),
        ("哪个更贵？", "max"),
        ("is it lighter than my old ones?", None),  # no choice among products asked
        ("does it have a longer cable?", None),
    ],
)
def test_a_comparative_asked_of_several_picks_one_as_a_superlative_does(question, direction):
    from tools.text import superlative

    assert superlative(question) == direction


def test_the_kind_of_thing_a_question_asks_for_and_records_that_hold_one():
    from tools.text import answer_kind_words, answer_kinds, holds_answer_kind

    assert answer_kinds("How big is the cupcake tin?") == {"size"}
    assert answer_kinds("How heavy is it?") == {"weight"}
    assert answer_kinds("how long does the battery last?") == {"size", "time"}
    assert answer_kinds("这张卡在哪些州可以用？") == {"place"}
    assert answer_kinds("does it expire?") == set()
    # what it holds is a size; how many come in it, a count
    assert answer_kinds("which one holds the most?") == {"size"}
    assert answer_kinds("how much does the second one hold?") == {"size"}
    assert "size" not in answer_kinds("How much weight will each one hold in drywall?")
    assert answer_kinds("哪个容量最大？") == {"size"}
    assert answer_kinds("how many come in the first one?") == {"count"}
    assert answer_kinds("how many do you get?") == {"count"}
    assert "州" in answer_kind_words("这张Claim Jumper卡在哪些州可以用？")
    assert holds_answer_kind('The bonus tin is about 4" x 4.5"', {"size"})
    assert holds_answer_kind("capacity: 30L", {"size"})
    assert not holds_answer_kind("Shipping Weight: 0.6 ounces", {"size"})
    assert holds_answer_kind("Shipping Weight: 0.6 ounces", {"weight"})
    assert holds_answer_kind("Free One-Day Shipping", {"time"})
    assert holds_answer_kind("Redeem throughout Arizona, California and Nevada", {"place"})
    assert holds_answer_kind("Good for US iTunes Store only", {"place"})
    assert not holds_answer_kind("Questions? Contact us any time.", {"place"})
    assert holds_answer_kind("Can be redeemed In store and Online", {"place"})
    assert holds_answer_kind("valid at participating Domino's Pizza stores", {"place"})
    # a size one wears: "what sizes do they come in?" of gloves titled "..., Large, Box/100"
    assert answer_kinds("what sizes do they come in?") == {"fit"}
    assert answer_kinds("这个手套有什么尺码？") == {"fit"}
    assert holds_answer_kind("Nitrile Exam Gloves, Large, Box/100", {"fit"})
    assert not holds_answer_kind("Nitrile Exam Gloves, Box/100", {"fit"})
    # what it is made of: a record naming a material answers it
    assert answer_kinds("What material is this tee made of?") == {"material"}
    assert answer_kinds("第一个是什么材质的？") == {"material"}
    assert answer_kinds("Is it made of steel?") == set()  # a yes or no, not a kind asked
    assert holds_answer_kind("M3 Stainless Steel Hex Socket Head Cap Screws", {"material"})
    assert not holds_answer_kind("A perfect gift for the holiday", {"material"})
    # a diameter is a size: "第一个直径多少" of "eSUN 1.75mm Black PLA ... Filament"
    assert answer_kinds("第一个直径多少") == {"size"}
    assert answer_kinds("what's the diameter of the second one?") == {"size"}
    assert holds_answer_kind("eSUN 1.75mm Black PLA 3D Printer Filament 1KG Spool", {"size"})
    # how many come in one: "(Pack of 10)", "Box/100", "10/bx", "20片装"; not "12-cup"
    assert answer_kinds("how many are in a pack of the second one?") == {"count"}
    assert answer_kinds("第一个一盒多少个？") == {"count"}
    assert answer_kinds("这个是多少片装的") == {"count"}
    assert answer_kinds("how many cups does it make?") == set()
    for held in ["Scalpels, Sterile (Pack of 10)", "Gloves, Large, Box/100", "10/bx", "20片装"]:
        assert holds_answer_kind(held, {"count"}), held
    assert not holds_answer_kind("12-cup drip coffee maker", {"count"})
    assert not holds_answer_kind("#10 Scalpels, Steel Blade", {"count"})


def test_a_product_picked_by_its_price_is_not_a_question_about_the_price():
    from tools.text import asks_price

    assert not asks_price("does the cheaper one expire?")
    assert not asks_price("便宜的那个会过期吗？")
    assert not asks_price("the more expensive one, is it waterproof?")
    assert asks_price("how much is the cheaper one?")
    assert asks_price("which is the cheaper one?") and asks_price("哪个更便宜？")
    # "how much" of something else than money
    assert not asks_price("how much do the third ones weigh?")
    assert not asks_price("how much water does it hold?")
    assert asks_price("how much is the battery replacement price?")


def test_keeping_a_product_for_later_is_a_like_and_a_basket_is_a_cart():
    from agent.parse import parse

    for message in ["thanks, add the first to my list", "收藏第二个", "save it for later",
                    "add the second one to my wishlist"]:  # fmt: skip
        assert parse(message).intent == "like", message
    for message in ["put the third in my basket", "add it to my cart", "加入购物车",
                    "pop the first one into my cart"]:  # fmt: skip
        assert parse(message).intent == "cart", message
    assert parse("a list of waterproof boots").intent == "recommend"
    # a bag one carries is no shopping bag: it says what the product is for
    assert parse("Cheaper please. A bottle to toss in my gym bag.").intent != "cart"


def test_a_modest_price_and_a_pronoun_are_no_search_words():
    from agent.parse import parse

    assert parse("不要太贵的，给我妈妈，她喜欢做饭").content == "做饭"
    assert parse("not too expensive please").content == ""
    assert parse("别太贵的蓝牙音箱").content == "蓝牙音箱"


def test_an_adjective_and_the_noun_made_from_it_match():
    """ "which one is the most accurate?" of titles saying "±0.1 pH Accuracy"."""
    from tools.text import contains_term

    assert contains_term("Pocket Tester, ±0.1 pH Accuracy", "accurate")
    assert contains_term("high durability", "durable")
    assert contains_term("water resistance 5ATM", "resistant")
    assert contains_term("digital calibration to pH 4.0", "calibrate")
    assert not contains_term("the plate is hot", "pacy")


def test_other_styles_are_others_and_leave_no_piece_of_a_word():
    """ "其他的款式" left "式" as a search word (其他的款 was cut out of 款式)."""
    from agent.parse import parse

    for message in ["其他的款式", "有没有其他款式的耳机", "别的款式有吗"]:
        parsed = parse(message)
        assert parsed.others and "式" not in parsed.content, (message, parsed.content)


def test_a_number_that_is_part_of_a_size_counts_nothing():
    assert states_count("Pack of 20 hex nuts", ["nut"])
    assert states_count("100 nuts, zinc plated", ["nut"])
    # a thread size and a length are no count of the nuts
    assert not states_count("Hillman 829300 1/4-20 SS HEX NUT", ["nut"])
    assert not states_count("a 3.5-inch wing nut", ["nut"])
    # "400+ restaurants" counts them; "how many pieces?" is the pack's count
    assert states_count("redeemable at 400+ Red Robin restaurants", ["restaurant"])
    assert states_count("uxcell 100 Pcs 10K Ohm NTC Thermistors", ["piece"])
    assert states_count("One Hundred (100) 608ZZ Miniature Ball Bearings", ["piece"])
    assert not states_count("608ZZ 8x22x7 Shielded Miniature Ball Bearing", ["piece"])
    # how many in the package, written "Box/100", "100/Box", "50 per bag"
    assert states_count("VersaPro Nitrile Exam Gloves, Powder-Free, Medium, Box/100")
    assert states_count("Exam gloves 100/Box") and states_count("zip bags, 50 per bag")
    assert not states_count("1/4 box wrench")


def test_a_range_asked_for_is_answered_by_a_span_and_a_balance_is_no_price():
    from tools.text import answer_kinds, asks_price, holds_answer_kind

    assert answer_kinds("What range of wavelengths can the spectroscope read?") == {"range"}
    assert answer_kinds("这个温度计的测量范围是多少？") == {"range"}
    assert "range" not in answer_kinds("does it come in a range of colours?")
    assert holds_answer_kind("measures wavelengths from 400.0 to 700.0nm", {"range"})
    assert holds_answer_kind("Temperature Range: 0-80 degrees C", {"range"})
    assert not holds_answer_kind("a broad range of activities", {"range"})
    assert not asks_price("收到卡以后，怎么查里面还剩多少钱？")
    assert not asks_price("how much is left on the card?")
    assert asks_price("这张卡多少钱？") and asks_price("how much is it?")


def test_the_shoppers_people_and_the_words_round_a_question_are_not_asked_of_a_product():
    assert content_terms("My sister wears a size 26, will it fit her?") == ["wear", "size", "fit"]
    assert content_terms("我对乳胶过敏，戴这款手套会不会有问题？") == ["乳胶", "过敏", "戴", "手套"]
    assert contains_term("paring knife with wooden handle", "wood")
    assert not contains_term("fasten it yourself", "fast")


def test_the_numbers_a_question_says_with_a_unit_and_a_record_holding_one():
    from tools.text import content_words, holds_number, said_numbers

    assert said_numbers("is the first one 12-cup?") == ["12"]
    assert said_numbers("第一个是1.5升的吗？") == ["1.5"]
    assert said_numbers("is it 5ATM waterproof?") == ["5"]
    # an ordinal, a price or a number with nothing after it is not said of the product
    assert said_numbers("is the 2nd one good?") == []
    assert said_numbers("第2个好用吗") == [] and said_numbers("is it under $50?") == []
    assert said_numbers("rated 1 to 5?") == [] and said_numbers("with 3 pockets?") == ["3"]
    assert holds_number("capacity: 4-cup", "4") and holds_number("4.0 cups", "4")
    assert not holds_number("capacity: 4-cup", "12") and not holds_number("112 cups", "12")
    assert not holds_number("1.25 in", "1.2")
    # the unit after a number is what is asked; money after one is not
    assert content_words("第一个是4杯的吗？") == content_words("第二个是12杯的吗") == ["杯"]
    assert "元" not in content_words("100元以内的吗")
    # where other words say what is asked, they do: "3支装" asks for no 支
    assert "支" not in content_words("飞利浦的替换刷头，有没有3支装的？")


def test_a_grade_asked_of_something_is_its_value_not_a_word():
    # "water resistance rating" asks the grade of water resistance: no record need say
    # "rating"; "its rating" alone is still a word (the stars)
    assert content_terms("what's the water resistance rating of the first one?") == [
        "water", "resistance",
    ]  # fmt: skip
    assert "等级" not in content_terms("第一个的防水等级是多少？")
    assert "rating" in content_words("what's its rating?")
    assert asks_graded("what IP rating does it have?") and asks_graded("防水等级是多少？")
    assert not asks_graded("what's its rating?") and not asks_graded("is it waterproof?")
    # a short word names the code made of it
    assert contains_term("water resistance: IPX7 waterproof", "ip")
    assert contains_term("USB3 cable, 1 m", "usb")
    assert not contains_term("a tip for the shipping", "ip")


@pytest.mark.parametrize(
    ("question", "counts"),
    [
        ("Edgecraft这套刀一共有几把？", True),
        ("这两套哪套里面的卡张数多？", True),
        ("哪包个数多？", True),
        ("数量是多少？", True),
        ("把它放在哪里？", False),
        ("how many pieces come in it?", True),
    ],
)
def test_a_count_asked_in_chinese_measure_words(question, counts):
    from tools.text import asks_count

    assert asks_count(question) is counts


def test_a_model_number_before_a_one_letter_word_is_no_quantity():
    from tools.text import has_quantity

    assert not has_quantity("The Edgecraft Pro 800 is a high-carbon steel knife set")
    assert has_quantity("a 5 A fuse") and has_quantity("20-hour battery")
    assert has_quantity("12 fluid ounces")


def test_a_name_in_quotes_points_at_the_product():
    from tools.text import naming_words

    named = naming_words(
        "Do both the 'Clueless Shopper' card and the 'You Mean so Much' one expire?"
    )
    assert {"clueless", "shopper", "mean"} <= named
    assert "expire" not in named
    assert naming_words("I'm avoiding PVC - don't they make one?") == set()


def test_an_english_word_the_catalog_never_uses_is_searched_by_the_words_made_of_it():
    """ "magnifying glass" in a shop whose titles say "Pocket Magnifiers": the query
    also holds the catalog's words made of "magnifying", so keyword search meets them
    (glass carboys and a glass-bed printer came first)."""
    import numpy as np

    from tools.lexicon import Lexicon

    words = ["glass", "magnifier", "magnifiers", "magnify", "reading", "studio"]
    table = Lexicon(words, np.zeros((len(words), 2), dtype=np.float32))
    assert table.derived_forms("magnifying") == []  # the catalog says "magnify" itself
    table = Lexicon(words[:3] + words[4:], np.zeros((5, 2), dtype=np.float32))
    assert sorted(table.derived_forms("magnifying")) == ["magnifier", "magnifiers"]
    assert table.derived_forms("glass") == [] and table.derived_forms("study") == []
