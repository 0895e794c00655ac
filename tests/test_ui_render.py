"""The UI's HTML: citations become chips with their facts; catalog text is escaped."""

from __future__ import annotations

from ui import render

EVIDENCE = {
    "P1": {"kind": "product", "text": "Trail boot — price 59.99 USD"},
    "R7": {"kind": "review", "text": "<b>Great</b> & dry"},
}


def product(**kw):
    base = {
        "id": "1",
        "title": "Trail boot",
        "title_zh": "登山靴",
        "brand": "Acme",
        "price": 59.99,
        "currency": "USD",
        "rating": 4.5,
        "explanation": [{"text": "It costs 59.99 USD. [P1]", "citations": ["P1"]}],
    }
    return {**base, **kw}


def test_citations_become_chips_that_hold_the_cited_fact():
    html = render.sentence_html("Dry feet, says a reviewer. [R7] Light. [P1]", EVIDENCE, "en")
    assert html.count('class="sa-cite"') == 2
    assert "[R7]" not in html and "[P1]" not in html
    assert "<b>Review</b>: &lt;b&gt;Great&lt;/b&gt; &amp; dry" in html
    assert "Trail boot — price 59.99 USD" in html


def test_catalog_text_is_escaped_never_markup():
    hostile = '<img src=x onerror="alert(1)">Boot'
    card = render.card_html(1, product(title=hostile, brand="<script>x</script>"), {}, "en")
    assert "<img src=x" not in card and "<script>" not in card
    assert "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;Boot" in card
    why = render.why_html(
        {
            "product_id": "1",
            "title": hostile,
            "contributions": [{"title": hostile, "share": 0.5}],
            "co_interactions": [],
            "matches": [{"what": "attribute", "value": "<b>dry</b>"}],
            "profile": None,
        },
        "en",
    )
    assert "<img src=x" not in why and "<b>dry</b>" not in why
    assert 'style="width:50%"' in why


def test_language_picks_the_chinese_title_and_labels():
    card = render.card_html(2, product(), EVIDENCE, "zh")
    assert "2. 登山靴" in card and "$59.99" in card
    assert render.chat_text({"text": "为您推荐：", "products": [product()]}, "zh").endswith(
        "1. 登山靴 (Acme, $59.99)"
    )
    assert render.chat_text({"text": "Noted [P1].", "products": []}, "en") == "Noted."


def test_unknown_citation_still_shows_its_id_and_image_urls_must_be_http():
    assert "Q9" in render.sentence_html("x [Q9]", {}, "en")
    card = render.card_html(1, product(image_url="javascript:alert(1)"), {}, "en")
    assert "javascript:" not in card and "<img" not in card


def test_a_comparison_is_a_table_of_cited_values_differences_first():
    evidence = {**EVIDENCE, "P2": {"kind": "product", "text": "Road boot — price 79.00 USD"},
                "P1.a1": {"kind": "product", "text": "material: <i>suede</i>"}}  # fmt: skip
    reply = {
        "answer": [{"text": "Price: 59.99 USD for the first, 79.00 USD for the second. [P1][P2]"}],
        "evidence": evidence,
        "products": [product(), product(id="2", title="Road <b>boot</b>", title_zh=None)],
        "comparison": {
            "columns": ["1", "2"],
            "rows": [
                {"name": "brand", "values": ["Acme", "Acme"], "citations": ["P1", "P2"],
                 "differs": False},
                {"name": "price", "values": [59.99, 79.0], "citations": ["P1", "P2"],
                 "differs": True},
                {"name": "material", "values": ["<i>suede</i>", None],
                 "citations": ["P1.a1", None], "differs": True},
                {"name": "rating", "values": [None, None], "citations": [None, None],
                 "differs": False},
            ],
        },
    }  # fmt: skip
    html = render.answer_html(reply, "en")
    table = html[html.index('<table class="sa-compare">') :]
    assert "1. Trail boot" in table and "2. Road &lt;b&gt;boot&lt;/b&gt;" in table
    assert "<i>suede</i>" not in table and "&lt;i&gt;suede&lt;/i&gt;" in table
    # the rows that differ come first; a row no product states is left out
    assert table.index(">price<") < table.index(">material<") < table.index(">brand<")
    assert ">rating<" not in table
    assert "$59.99" in table and "$79.00" in table and "not stated" in table
    assert table.count('class="sa-cite"') == 5  # two prices, one material, two brands
    zh = render.answer_html(reply, "zh")
    assert ">价格<" in zh and "未写明" in zh and "1. 登山靴" in zh
    assert render.comparison_html({"answer": []}, "en") == ""
