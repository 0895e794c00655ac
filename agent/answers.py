"""Answers to questions about products, composed from `answer_question`'s
findings: each sentence quotes a passage of the product's own records and cites
it; when the records are silent the answer says so and quotes the closest
things they do say. With an LLM configured, the model may rewrite the
sentences from the quoted passages only; the verifier checks each sentence and
keeps the quoted sentence wherever the model's fails.
"""

from __future__ import annotations

import re
from typing import Any

from agent.verifier import CheckedSentence, Claim
from prompts.render import render
from tools.context import ToolContext
from tools.facets import LABELS_ZH as FACET_LABELS_ZH

MAX_QUOTE = 160


def answer_claims(ctx: ToolContext, data: dict[str, Any], language: str) -> list[Claim]:
    """The claims of an answer, most direct first (one to three per product)."""
    lang = "zh" if language == "zh" else "en"
    answers = data["answers"]
    several = len(answers) > 1
    yes_no = zh_yes_no(data.get("question") or "") if lang == "zh" else None
    claims: list[Claim] = []
    best = data.get("best")
    top = None
    if best is not None and best.get("tie"):
        # "which lasts longest?" of three that each list a 12-hour battery: said once
        tie = _tie(ctx, answers, best, lang)
        if tie is not None:
            return [tie]
        best = None
    tops: list[dict] = []
    if best is not None:
        top = next(a for a in answers if a["product_id"] == best["product_id"])
        passage = ctx.evidence.get(top["stated"][0])
        said = " ".join(passage.text.split()).casefold()
        # others that state the same ("thickness: 8mm" of two of three mats) share it
        tops = [top] + [
            a for a in answers
            if a["product_id"] in best.get("also", ()) and a["stated"]
            and " ".join(ctx.evidence.get(a["stated"][0]).text.split()).casefold() == said
        ]  # fmt: skip
        citations = [c for a in tops for c in (a["stated"][0], f"P{a['product_id']}")]
        joined = (" and " if lang == "en" else " 和 ").join(a["title"] for a in tops)
        claims.append(
            _claim("best_only" if best.get("only") else "best", lang, citations,
                   top["product_id"], title=joined,
                   several=len(tops) > 1, direction=best["direction"], measure=best.get("measure"),
                   two=len(answers) == 2,
                   quote=_quote(passage.text))
        )  # fmt: skip
    silent = {tuple(a.get("unmentioned") or ()) for a in answers}
    # asked what buyers say ("do reviewers mention the fit?"): the silence is its reviews'
    reviewed = any(a.get("scope") == "reviews" for a in answers)
    if (
        several
        and not reviewed
        and len(silent) == 1
        and all(not a["stated"] and not a["related"] for a in answers)
    ):
        # "哪个最便宜？" of products none of which lists a price: one sentence for all,
        # not each long title with the same silence
        missing = answers[0].get("unmentioned") or data.get("asked") or data["terms"]
        records = [c for a in answers for c in (a["record"], f"P{a['product_id']}")]
        if all(a.get("unrated") for a in answers):
            # "which one has the best reviews?" of products with no ratings yet
            return [_claim("none_rated", lang, records, answers[0]["product_id"])]
        return [
            _claim("none_silent", lang, records, answers[0]["product_id"],
                   terms=_terms(missing, lang) if missing else "")
        ]  # fmt: skip
    for a in answers:
        subject = (f"{a['title']}: " if lang == "en" else f"{a['title']}：") if several else ""
        cite_title = [f"P{a['product_id']}"] if several else []
        per_product = 1 if several else 2
        unsaid = None
        if a["stated"] and a.get("unmentioned") and not several:
            # what is asked is in no record ("wireless"), and the closest the records
            # come follows: another value of the asked attribute ("connectivity: wired"),
            # a passage near by meaning ("powder free" for "latex"); where the passage
            # holds part of what is asked ("with clamp mount" for "can I clamp it to the
            # edge of my desk?") it answers first, and the silence on the rest follows
            # (of several products, the passage alone, one sentence each)
            unsaid = _claim("silent", lang, [a["record"], *cite_title], a["product_id"],
                            subject=subject, reviews=a["reviews"],
                            terms=_terms(a["unmentioned"], lang))  # fmt: skip
            if not a.get("partly"):
                claims.append(unsaid)
                unsaid = None
        for cid in a["stated"][:per_product]:
            if any(a is t for t in tops) and cid == a["stated"][0]:
                continue  # the sentence naming the highest or lowest quoted it already
            passage = ctx.evidence.get(cid)
            kind = "review" if passage.kind == "review" else "stated"
            field = passage.data.get("field", "description")
            source = "" if kind == "review" else render("answers", f"source_{field}_{lang}")
            claims.append(
                _claim(kind, lang, [cid, *cite_title], a["product_id"], subject=subject,
                       yes=a["answer"] if cid == a["stated"][0] else None, yes_no=yes_no,
                       source=source, quote=_quote(passage.text))
            )  # fmt: skip
        if unsaid is not None:
            claims.append(unsaid)
        if a["stated"]:
            continue
        # Only words no record of it holds are said to be unmentioned; when its records
        # hold every word asked but none answers, that is what is said.
        missing = a.get("unmentioned", data.get("asked") or data["terms"])
        terms = _terms(missing, lang) if missing else ""
        if a.get("scope") == "reviews":  # none of its reviews says it (or it has none)
            kind = "reviews_silent" if a["reviews"] else "unreviewed"
        elif a.get("unrated"):  # asked how it is rated: it has no ratings yet
            kind = "unrated"
        else:
            kind = "silent"
        claims.append(
            _claim(kind, lang, [a["record"], *cite_title], a["product_id"], subject=subject,
                   reviews=a["reviews"], terms=terms)
        )  # fmt: skip
        for n, cid in enumerate(a["related"][: 1 if several else 2]):
            passage = ctx.evidence.get(cid)
            claims.append(  # the second led as another, not "The closest" again
                _claim("closest_more" if n else "closest", lang, [cid], a["product_id"],
                       subject="", quote=_quote(passage.text))
            )  # fmt: skip
    return claims


_COMPLAINT = re.compile(
    r"complain|complaint|bad|negative|problem|issue|trouble|wrong|downside|cons?\b|dislike"
    r"|差评|缺点|不好|问题|毛病|抱怨|吐槽",
    re.I,
)


def review_claims(ctx: ToolContext, data: dict[str, Any], language: str, asked: str) -> list[Claim]:
    """What reviewers say, aspect by aspect (complaints first when asked about)."""
    lang = "zh" if language == "zh" else "en"
    pid = ctx.evidence.get(data["record"]).product_id
    if not data["reviews"]:
        return [_claim("no_reviews", lang, [data["record"]], pid)]
    counts = [data["record"], *(a["record"] for a in data["aspects"])]  # they name the aspects
    claims = [
        _claim("reviews_count", lang, counts, pid, reviews=data["reviews"],
               aspects=[a["aspect"] for a in data["aspects"]])
    ]  # fmt: skip
    quotes = data.get("quotes") or []
    if quotes:  # no part of it stands out: the stars, and the best and worst review's words
        claims.append(
            _claim("reviews_stars", lang, [data["record"]], pid, reviews=data["reviews"],
                   positive=data["positive_reviews"], negative=data["negative_reviews"])
        )  # fmt: skip
        for q in quotes:
            passage = ctx.evidence.get(q["id"])
            claims.append(
                _claim(f"review_{q['side']}", lang, [q["id"]], pid, quote=_quote(passage.text))
            )
        return claims
    complaints = bool(_COMPLAINT.search(asked))
    if complaints and not any(a["negative"] for a in data["aspects"]):
        # asked what is wrong with it, and no aspect is complained about: said first
        claims.append(
            _claim("no_complaints", lang, counts, pid, reviews=data["reviews"],
                   negative=data["negative_reviews"],
                   aspects=[a["aspect"] for a in data["aspects"]])
        )  # fmt: skip
    lowest = [q["id"] for q in data.get("lowest") or []]
    quoted: set[str] = set()
    if complaints and lowest and not any(a["negative"] for a in data["aspects"]):
        # asked what is wrong: the 1- or 2-star review's own words, before the praise
        passage = ctx.evidence.get(lowest[0])
        claims.append(_claim("review_worst", lang, [lowest[0]], pid, quote=_quote(passage.text)))
        quoted.add(lowest[0])
    order = ("negative", "positive") if complaints else ("positive", "negative")
    for a in data["aspects"]:
        for side in order:
            cid = a["examples"].get(side)
            if cid is None:
                continue
            if cid in quoted:
                break  # "carafe" and "drips" of one review: its words are quoted once
            quoted.add(cid)
            passage = ctx.evidence.get(cid)
            claims.append(
                _claim(f"aspect_{side}", lang, [a["record"], cid], pid, aspect=a["aspect"],
                       count=a[side], quote=_quote(passage.text))
            )  # fmt: skip
            break
    return claims[:4]


# -- comparisons ---------------------------------------------------------------------

MAX_COMPARE_ROWS = 6  # sentences of differences; the table holds every row
MAX_VALUE = 80
_ORDINALS = {
    "en": ("the first", "the second", "the third", "the fourth"),
    "zh": ("第一个", "第二个", "第三个", "第四个"),
}
_LABELS = {"price": "价格", "brand": "品牌", "rating": "评分", **FACET_LABELS_ZH}
# identifiers differ between any two products and tell a shopper nothing: table only
_IDENTIFIER = re.compile(
    r"model number|\bupc\b|\basin\b|\bisbn|\bean\b|part number|date first", re.I
)
_NOT_COMPARED = ("main_category",)


def compare_claims(data: dict[str, Any], language: str) -> list[Claim]:
    """A comparison of products as sentences: what they differ in (price and rating
    first), one value each, grouped where equal ("road for the first, trail for the
    second and the third"), the cheapest and the best rated said so; then what they all
    share. Every value cites the record that states it; a product whose record lacks it
    is said to have none, citing its record."""
    lang = "zh" if language == "zh" else "en"
    ids, rows, cited = data["columns"], data["rows"], data["cited"]
    records = [f"P{pid}" for pid in ids]
    order = [f for f in ("price", "rating") if f in data["differs"]]
    order += [f for f in data["differs"] if f not in order and f != "brand"]
    order += ["brand"] if "brand" in data["differs"] else []
    shown = [f for f in order if _said(f, data)]
    claims = []
    for name in shown[:MAX_COMPARE_ROWS]:
        values = rows[name]
        parts = _value_parts(name, values, lang, data)
        lead = _lead(name, values, lang, data)
        citations = [c or r for c, r in zip(cited[name], records, strict=True)]
        claims.append(
            _claim("compare_row", lang, citations, ids[0], label=_label(name, lang),
                   parts=parts, lead=lead)
        )  # fmt: skip
    same = [f for f in data["same"] if _said(f, data)]
    if same:
        sep, colon = ("；", "：") if lang == "zh" else ("; ", ": ")
        parts = sep.join(f"{_label(f, lang)}{colon}{_value(f, rows[f][0], data)}" for f in same[:4])
        citations = [c for f in same[:4] for c in cited[f] if c]
        n_word = ("two", "three", "four")[len(ids) - 2]
        claims.append(
            _claim(
                "compare_same",
                lang,
                citations,
                ids[0],
                n=len(ids),
                n_word=n_word,
                n_zh="两三四"[len(ids) - 2],
                parts=parts,
            )
        )
    if not [f for f in shown if f != "brand"] and not same:
        # nothing but their makers to set side by side: said, not left to be guessed
        claims.append(_claim("compare_nothing", lang, records, ids[0], brands="brand" in shown))
    return claims


def _said(name: str, data: dict[str, Any]) -> bool:
    """Whether a row is said in a sentence (else it is in the table only): not an
    identifier, and every value it has cited by a record that states it (a value that
    is no text, a number or a list, has no passage of its own to cite)."""
    if name in _NOT_COMPARED or _IDENTIFIER.search(name.replace("_", " ")):
        return False
    return all(
        c is not None or v in (None, "") or name in ("price", "brand", "rating")
        for v, c in zip(data["rows"][name], data["cited"][name], strict=True)
    )


def _label(name: str, lang: str) -> str:
    return _LABELS.get(name, name.replace("_", " ")) if lang == "zh" else name.replace("_", " ")


def _value(name: str, value: Any, data: dict[str, Any], n: int = 0) -> str:
    if name == "price":
        return f"{value:.2f} {data['currency'][n]}"
    if name == "rating":
        return f"{value:.1f}"
    # "0.3 ounces (" (a listing's link text cut off), "...international shipping."
    text = re.sub(r"\s*\([^)]*$", "", " ".join(str(value).split())).rstrip(" 。;；,，")
    text = re.sub(r"(?<=[a-z]{2})\.$", "", text)  # a sentence's stop, not "U.S."
    if len(text) <= MAX_VALUE:
        return text
    return text[: MAX_VALUE - 1].rsplit(" ", 1)[0].rstrip(" .。;；,，") + "…"


def _ordinals(data: dict, lang: str) -> list[str]:
    """How the compared products are called: by their places in the list shown where the
    data gives them ("the first and the third" compared stay the first and the third),
    else by their order in the comparison."""
    places = data.get("places") or range(len(data["columns"]))
    names = _ORDINALS[lang]
    return [names[i] if i < len(names) else names[-1] for i in places]


def _value_parts(name: str, values: list, lang: str, data: dict) -> str:
    """The values with the products that have them, equal values together."""
    ordinals = _ordinals(data, lang)
    groups: dict[str, list[str]] = {}
    missing: list[str] = []
    for n, value in enumerate(values):
        if value is None or (isinstance(value, str) and not value.strip()):
            missing.append(ordinals[n])
        else:
            shown = _value(name, value, data, n)
            groups.setdefault(" ".join(shown.casefold().split()), [shown]).append(ordinals[n])
    if lang == "zh":
        parts = [f"{'和'.join(who[1:])}是{who[0]}" for who in groups.values()]
        if missing:
            none = "还没有评分" if name == "rating" else "没有写明"
            parts.append(f"{'和'.join(missing)}{none}")
        return "，".join(parts)
    parts = [f"{who[0]} for {' and '.join(who[1:])}" for who in groups.values()]
    if missing:
        none = "no ratings yet" if name == "rating" else "not stated"
        parts.append(f"{none} for {' and '.join(missing)}")
    return ", ".join(parts)


def _lead(name: str, values: list, lang: str, data: dict) -> str:
    """Which is the cheapest, or the best rated, where one is."""
    known = [(v, n) for n, v in enumerate(values) if isinstance(v, int | float)]
    if name not in ("price", "rating") or len(known) < 2:
        return ""
    best = min(known) if name == "price" else max(known)
    if sum(v == best[0] for v, _ in known) > 1:
        return ""  # two at the same price: neither is the cheapest
    who = _ordinals(data, lang)[best[1]]
    two = len(values) == 2  # of two, the cheaper, not the cheapest
    if lang == "zh":
        if name == "price":
            return f"{who}更便宜" if two else f"{who}最便宜"
        return f"{who}评分更高" if two else f"{who}评分最高"
    if name == "price":
        return f"{who} is the cheaper" if two else f"{who} is the cheapest"
    return f"{who} is rated higher" if two else f"{who} is the best rated"


PER_PRODUCT = 2  # sentences of what reviewers say, a product, when several are asked about


def named_first(claims: list[Claim], title: str, language: str) -> list[Claim]:
    """The claims of one of several products, the first one led by the product's name
    (cited to its record, which holds the name)."""
    if not claims:
        return claims
    first = claims[0]
    lead = f"{title}：" if language == "zh" else f"{title}: "
    text = first.text
    if language != "zh" and _OPENING.match(text):
        text = text[0].lower() + text[1:]  # "…Gift Card: its feature list says"
    citations = list(dict.fromkeys([*first.citations, f"P{first.product_id}"]))
    return [Claim(lead + text, citations, first.kind, first.product_id), *claims[1:]]


# The words a template sentence opens on, lower-cased after a product's name and a colon
_OPENING = re.compile(
    r"(?:It|Its|None|Neither|Nothing|Another|Yes|No|One|Several|Shoppers|A|The closest)\b"
)


def sentences(claims: list[Claim]) -> list[CheckedSentence]:
    return [CheckedSentence(c.render(), list(c.citations), "template") for c in claims]


_COUNT_WORDS = ("two", "three", "four", "five", "six", "seven", "eight", "nine", "ten")
_COUNT_ZH = "两三四五六七八九十"


def _tie(ctx: ToolContext, answers: list[dict], best: dict, lang: str) -> Claim | None:
    """One sentence for products that all state the same value of what was asked:
    the passage quoted where their records say it alike, else the number."""
    n = len(answers)
    if not 2 <= n <= len(_COUNT_WORDS) + 1:
        return None
    passages = [ctx.evidence.get(a["stated"][0]) for a in answers]
    texts = {" ".join(p.text.split()).casefold() for p in passages}
    quote = _quote(passages[0].text) if len(texts) == 1 else ""
    value = f"{best['value']:g}"
    citations = []
    for a, p in zip(answers, passages, strict=True):
        citations += [p.id, f"P{a['product_id']}"]
    return _claim(
        "tie", lang, citations, answers[0]["product_id"], n=n, n_word=_COUNT_WORDS[n - 2],
        n_zh=_COUNT_ZH[n - 2], quote=quote, value=value,
    )  # fmt: skip


# The verb a Chinese yes-no question asks with, and the yes and the no it is answered
# with: "会过期吗？" -> 不会, "能打奶泡吗？" -> 能, "有保修吗？" -> 没有; else 是的 / 不是
# ("防水吗？"). Not 有 of 没有/所有/有点, nor 是 of 还是/就是/但是/可是/要是.
_ZH_ASKING = re.compile(
    r"(会不会|能不能|可不可以|有没有|是不是|会|能|可以|(?<![没所还只])有(?![点些])"
    r"|(?<![还就但可要总])是)"
)
_ZH_ANSWERS = {
    "会": ("会", "不会"), "能": ("能", "不能"), "可以": ("可以", "不可以"),
    "有": ("有", "没有"), "是": ("是的", "不是"),
}  # fmt: skip


def zh_yes_no(question: str) -> tuple[str, str]:
    """The yes and the no of a Chinese yes-no question, in its own verb: that of the
    clause that asks ("想早上起床就有咖啡喝。这个能定时吗？" -> 能)."""
    clauses = [c for c in re.split(r"[。！？!?，,；;]", question) if c.strip()]
    asking = [c for c in clauses if "吗" in c or _ZH_ASKING.search(c)]
    m = _ZH_ASKING.search(asking[-1] if asking else question)
    verb = m.group(1) if m is not None else "是"
    # "会不会" asks with 会, "可不可以" with 可以
    return _ZH_ANSWERS[verb if verb in _ZH_ANSWERS else verb[0] if verb[0] != "可" else "可以"]


def _claim(kind: str, lang: str, citations: list[str], product_id: str, **values: Any) -> Claim:
    values = {
        k: v.replace("[", "(").replace("]", ")") if isinstance(v, str) else v
        for k, v in values.items()
    }
    text = " ".join(render("answers", f"{kind}_{lang}", **values).split())
    return Claim(text, list(dict.fromkeys(citations)), f"answer_{kind}", product_id)


def _quote(text: str) -> str:
    text = " ".join(text.split()).replace("“", '"').replace("”", '"')
    if len(text) <= MAX_QUOTE:
        return text.rstrip(".。")
    return text[: MAX_QUOTE - 1].rsplit(" ", 1)[0] + "…"


def _terms(terms: list[str], lang: str) -> str:
    shown = terms[:3] or (["that"] if lang == "en" else ["这一点"])
    if lang == "zh":
        return "、".join(f"“{t}”" for t in shown)
    return " or ".join(f"“{t}”" for t in shown)
