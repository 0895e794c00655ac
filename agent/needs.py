"""Request claims: what the shopper asked for, in their own words, and the product
fact that meets each need, or an honest "nothing on its page mentions it".

A *need* is a run of the shopper's own content words ("doesn't slip", "quiet
coffee grinder", "护肤品"), taken from their messages about the current kind of
product, without the budget, the recipient and words that ask rather than
describe ("looking for", "loves"). A need is met by one of the product's own
passages (tools.passages: title, attributes, category, description and feature
sentences, and reviews):

- word for word: the need's word is in the passage (stem-matched, a Chinese word
  also as the catalog's English words for it), with the same polarity: "doesn't
  slip" is met by "non-slip", never by "slips"; "waterproof" is not met by
  "not waterproof";
- by meaning: the multilingual embedding of the need and of a product field is at
  least a threshold calibrated on labelled pairs (benchmarks/bench_request_claims.py,
  agent/needs_calibration.json), so "keeps my feet dry" can meet "waterproof".

Each met need becomes a claim that quotes the shopper's words and the passage's
words and cites the passage; needs no record meets are said to be unstated. The
same checks run on any sentence that claims to meet the request (`check_request`):
the verifier applies them to model-written sentences and the benchmarks' audits to
every shown one, so "It has what you asked for: hot yoga", when the shopper never
said hot yoga, fails.

What it simplifies on purpose: needs are runs of content words, not parsed noun
phrases; polarity is read from negation words next to the word, not parsed.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from functools import cache
from pathlib import Path

import numpy as np

from agent.parse import parse
from agent.vocabulary import NO_KIND
from catalog.brands import brand_pattern
from catalog.models import Product
from tools.context import ToolContext, per_catalog
from tools.dictionary import english_vocabulary, english_words
from tools.discovery import named_kind, titles_name
from tools.passages import Passage, product_passages, review_passages
from tools.products import catalog_heads
from tools.text import (
    COLOUR,
    COUNT_WORDS,
    TITLE_JOINS,
    ZH_MEASURE_WORDS,
    ZH_WILL_DO,
    contains_term,
    content_terms,
    content_words,
    description_opening,
    is_chinese_head,
    is_stopword,
    names_kind,
    negated_near,
    stem,
    title_before_for,
    title_heads,
    whole_word,
)

MAX_NEEDS = 6  # needs read from a request (the newest kept)
MAX_REVIEWS = 40  # reviews read per product for word-for-word matches
MAX_FACT_WORDS = 10
# need-to-passage similarity when no calibration is stored
DEFAULT_THRESHOLD = 0.5
# How close in meaning a record's words must be to the whole of a need it holds only part
# of: half the calibrated threshold of a need met by meaning alone when it was set (0.6),
# kept apart from it so that the threshold's fit does not move it.
PART_MEANING = 0.3
# Another value of an attribute takes a need met by meaning from the passage's value when
# it is nearer by this much; the most common values of the attribute are compared.
NEARER_MARGIN = 0.05
NEARER_VALUES = 40
TRANSLATION = 0.72  # word-to-word similarity of a translation (as tools.lexicon)
_HAN = re.compile(r"[\u4e00-\u9fff]")
_ID = re.compile(r"[a-z]*\d{3,}[a-z\d]*")  # "u0002", "b004llj6ek": ids, never needs
_PLAIN = re.compile(r"[\w\s'’./-]+")
_TOKEN = re.compile(r"[A-Za-z0-9]+(?:['’-][A-Za-z0-9]+)*|[\u4e00-\u9fff]+")
_NEGATORS = frozenset(
    """not no nothing non without never doesn't don't won't isn't aren't can't doesnt dont wont anti
    cannot hate hates avoid dislike allergic hurt hurts irritate irritates""".split()  # noqa: SIM905
)
# After a negation, verbs that keep it for the words they take: "can't stand anything
# perfumed", "don't do plastic", "hates going to stores".
_NEGATION_VERBS = frozenset(
    "stand tolerate do take handle going using having dealing give gives cause causes".split()  # noqa: SIM905
)
# Words that ask, or judge, rather than describe the product, and the names of a
# dimension whose value is the need ("size small", "多种颜色", "容量大点": "size" alone is
# met by any record that gives one): never a need.
_NOT_NEEDS = frozenset(
    """
    love loves loved loving like likes liked enjoy enjoys want wants wanted wanting looking
    look find finding recommend recommendation recommendations suggest suggestion suggestions
    show need needs gift gifts present presents someone somebody nice good great quality new
    best cool decent option options pick picks help buy buying shopping prefer ideally hi hello
    thanks thank item items product products stuff idea ideas fan fans who whose cheap
    affordable expensive budget price dollars dollar usd bucks yuan rmb euro euros under below
    above over less cost costs perfect wonderful awesome amazing lovely fit fits fitting take
    takes stop stops survive survives handle handles withstand withstands carry carries send
    sends track tracks block blocks hold holds can able lots plenty enough loads free now
    today start started starting began begun wear wears wearing spend spends spending
    possible possibly size sizes colour colours color colors capacity spec specs check
    i've i'd i'll we're we've you're you've they're they've onto nothing proper properly
    actually really during throughout whenever
    checking put move patch brand brands idk dunno matter matters important whatever
    """.split()  # noqa: SIM905
)
_ZH_NOT_NEEDS = (
    frozenset(
        """买 喜欢 推荐 礼物 送 给 东西 好 好用 不错 便宜 贵 价格 预算 元 块 以内 以下 左右
    想 要 找 不会 不要 不能 不用 没有 美元 美金 人民币 尺寸 尺码 大小 颜色 容量 规格 型号
    希望 最好 尽量 需要 打算 准备 请问 麻烦 帮忙 有没有 能不能 谢谢 一定 一定要 务必 必须
    今天 明天 后天 昨天 今年 明年 去年 下周 上周 下个月 上个月 自带 功能
    重要 不重要 品牌 牌子""".split()  # noqa: SIM905
    )
    | ZH_WILL_DO
)
# A wish before the verb it asks ("办公室想放", "想用"): wanting, no need
_ZH_WISH = re.compile(r"想[\u4e00-\u9fff]$")
# What a product looks or is like, as a noun after what describes it ("卡通人物的图案").
_ZH_DIMENSION_NOUNS = frozenset("图案 颜色 款式 样式 风格 设计 花色 造型 味道 材质".split())  # noqa: SIM905
_SCRIPTS = re.compile(r"[\u4e00-\u9fff]+|[^\u4e00-\u9fff]+")  # "带GPS" -> 带, GPS
_ZH_NOT_TOO = re.compile(r"别太|不要太|别")  # a word of its own that negates the next
# What negates the word after it: "不会过期的" (won't expire), "不伤手", "没有异味"
_ZH_NEGATED = re.compile(
    r"(?:不会|不要|不能|不用|不易|不容易|没有|别是|不是|不要是|不|没|无|别)(?:那种|这种)?$"
)
_FREE_AFTER = re.compile(r"\s+free\b", re.I)  # "fragrance free": no fragrance
# A number said before a need is part of it: "1/4 watt", "4毫米" (not met by "1/2 Watt").
_NUMBER_BEFORE = re.compile(r"\d+(?:[./-]\d+)*\s*$|\d+[./]$")  # "1/4-20 ", the "1." of "1.75mm"
# A sentence that says the product meets the shopper's request ("You asked for ...",
# "It has what you asked for: ...", "您要..."); what they said about the price is the
# budget's claim, checked as a number.
_TRIGGER = re.compile(
    r"\byou (?:asked|were looking|are looking|requested|mentioned|said you (?:want|need))"
    r"(?! to (?:spend|pay))\b|\byou wanted(?! to (?:spend|pay))\b"
    r"|\bwhat you (?:asked|wanted|need|want)\b(?! to (?:spend|pay))|\byour request\b"
    r"|\bas you asked\b|您要|您要求|您想要|您需要|您提到|符合您的(?:需求|要求)",
    re.I,
)
# A degree said before a need ("lots of cushioning") and the words of a record that
# say as much ("max cushioning").
_INTENSE_BEFORE = re.compile(
    r"\b(?:lots? of|a lot of|plenty of|tons of|long|longer|extra|high|more|max|maximum)\s+$",
    re.I,
)
# "who drinks a lot of coffee", "I take lots of photos": how much someone does something,
# not how much of it the product has
_HABIT_BEFORE = re.compile(
    r"\b(?:who|he|she|they|i|we|you|and)\s+(?:also\s+|really\s+)?"
    r"(?!(?:need|needs|want|wants|like|likes|prefer|prefers|require|requires|get|have|has)\b)"
    r"[a-z]+\s+"
    r"(?:lots? of|a lot of|plenty of|tons of)\s+$",
    re.I,
)
_INTENSE = re.compile(
    r"\b(?:max|maximum|extra|ultra|super|long|longest|plush|high|heavy|huge|all-day)\b", re.I
)
# What a product is for, said after a preposition and a possessive: "for my workbench",
# "on my clear storage bins", "in my gun safe", "to the pool" (the product is not one).
_TARGET_BEFORE = re.compile(
    r"\b(?:for|on|in|into|onto|to|with)\s+(?:my|our|his|her|their|your|the)\s+"
    r"(?:[a-z]+(?:'s|’s|s'|’)\s+)?$",  # "for my son's bedroom"
    re.I,
)
# ... but "easy on my knees", "gentle on my skin" say what the product must be.
_EASY_ON = re.compile(
    r"\b(?:easy|easier|gentle|gentler|soft|softer|kind|good|hard|harsh|rough)\s+on\s+\w+\s+$", re.I
)
# When a thing is wanted, not what: "this fall", "next summer", "every week"; "at night",
# "in the evenings" ("in the winter" may be what boots are for: a season only after
# this/next/last/every).
_TIMES = frozenset(
    """morning mornings evening evenings night nights weekend weekends week weeks month
    months year years hour hours minute minutes""".split()  # noqa: SIM905
)
_SEASONS = frozenset("spring summer fall autumn winter".split())  # noqa: SIM905
_TIME_BEFORE = re.compile(
    r"\b(?:this|next|last|every|each|at|on|in the|during the|on the|over the"
    r"|after(?: an?| the)?|within(?: an?)?)\s+$",
    re.I,
)
_SEASON_BEFORE = re.compile(r"\b(?:this|next|last|every|each)\s+$", re.I)
_PARTICLE = re.compile(r"\s+(?:up|out|off|down)\b", re.I)
_DEGREE = frozenset("super very really quite pretty extremely totally so".split())  # noqa: SIM905
_ARTICLES = frozenset("a an any anything some the too to with me us my".split())  # noqa: SIM905
_QUOTED = re.compile(r"“([^”]{1,160})”|\"([^\"]{1,160})\"|「([^」]{1,160})」")
# "颜色别太花哨", "not too bright": a degree not to pass, which no record's "non-" or "无"
# meets by meaning ("non-slip" is near enough in meaning to "别太花哨" for the embedding).
_TOO_MUCH = re.compile(r"别太|不要太|不能太|不太|(?:not|nothing|never) too\b", re.I)
_NEGATION_MARK = re.compile(
    r"\b(?:non|anti|no|not|without|never|free|proof|resistant|less)\b|不|没|无|防|免", re.I
)


@dataclass(frozen=True)
class Need:
    """Some of the shopper's own words about the product they want."""

    text: str  # as the shopper wrote it: a span of their message
    words: tuple[str, ...]  # the content words, as written
    terms: tuple[str, ...]  # the same words stemmed (Chinese words as they are)
    negated: bool = False  # "doesn't slip", "不伤手"
    # "lots of cushioning", "long battery life": met only by a record that says as much
    intense: bool = False
    # what the product is for, not what it is ("for my workbench", "给手机充电", "打印机用的"):
    # met only by a record that says the product is for it
    target: bool = False
    # what the shopper does not want ("not black", "不要塑料的"): the search left out
    # products that say it, so a record silent on it is no shortfall
    avoided: bool = False


@dataclass
class Match:
    need: Need
    quoted: str  # the shopper's words the match quotes
    passage: Passage
    fact: str  # the passage's words the claim quotes
    how: str  # "words" | "meaning"
    score: float = 1.0


@dataclass
class NeedReport:
    """How a product meets the request's needs."""

    matches: list[Match] = field(default_factory=list)
    unstated: list[Need] = field(default_factory=list)  # no record says anything of these
    kind_only: list[Need] = field(default_factory=list)  # needs that only name its kind


# -- needs ------------------------------------------------------------------------------


def needs_of(messages: Sequence[str]) -> list[Need]:
    """The needs of a request told in one or more messages (oldest first), newest last,
    each once."""
    out: dict[tuple[str, ...], Need] = {}
    for message in messages:
        for need in _message_needs(message):
            out.pop(need.terms, None)
            out[need.terms] = need
    return list(out.values())[-MAX_NEEDS:]


def _message_needs(message: str) -> list[Need]:
    parsed = parse(message)
    # "带GPS 智能手表": a Latin word inside Chinese text is a word of its own
    kept = {
        part.casefold()
        for w in parsed.content.split()
        for part in (_SCRIPTS.findall(w) if _HAN.search(w) else [w])
    }
    # a decimal ("1.75mm") is read by its last piece, the number before it joined back
    kept |= {w.rsplit(".", 1)[1] for w in kept if re.fullmatch(r"[\w.]*\d\.\w+", w)}
    if parsed.language == "zh" or _HAN.search(parsed.content):
        needs = _in_order(message, _zh_needs(message, parsed.content) + _en_needs(message, kept))
    else:
        needs = _en_needs(message, kept)
    avoid = {w.casefold() for w in parsed.avoid}
    return [
        replace(n, avoided=True) if n.negated and avoid and set(n.words) <= avoid else n
        for n in needs
        # how the shopper's body is, alone ("腰不好" with 腰 unread, "so tired of", "who
        # feels the cold": the cold is the need, not "feels"): no need
        if not all(w.casefold() in _CONDITIONS | _SENSING for w in n.words)
    ]


def _in_order(message: str, needs: list[Need]) -> list[Need]:
    """A Chinese message's needs in the order said, a Latin word written against the
    Chinese words after it one need with them ("3D打印机喷嘴", "USB充电")."""
    placed = sorted((message.find(n.text), n) for n in needs)
    out: list[tuple[int, Need]] = []
    for start, need in placed:
        if out and start >= 0:
            at, prior = out[-1]
            if (
                at + len(prior.text) == start
                and not _HAN.match(prior.text[-1])
                and _HAN.match(need.text[0])
                and not need.negated
            ):
                merged = replace(
                    need,
                    text=prior.text + need.text,
                    words=prior.words + need.words,
                    terms=prior.terms + need.terms,
                    negated=prior.negated,
                    target=prior.target or need.target,
                )
                out[-1] = (at, merged)
                continue
        out.append((start, need))
    return [n for _, n in out]


def _zh_target(message: str, start: int, end: int) -> bool:
    """Whether Chinese words around a Latin one say it is what the product is for:
    "给iPhone", "适合MacBook的", "配iPhone的", "做Arduino小实验用的"."""
    before = message[:start]
    return bool(
        _ZH_FOR.search(before)
        or _ZH_TIME_USE_BEFORE.search(before)
        or before.endswith("配")  # "配iPhone的壳"
        or _ZH_USED_AFTER.match(message, end)
    )


def _en_needs(message: str, kept: set[str]) -> list[Need]:
    """Runs of adjacent content words of an English message, a negation word before a
    run kept with it ("doesn't slip")."""
    needs: list[Need] = []
    run: list[re.Match] = []
    negation: re.Match | None = None

    def close() -> None:
        nonlocal run, negation
        if run:
            start = (negation or run[0]).start()
            # "不要PVC的": a Chinese negation right before a Latin word negates it
            zh_not = None if negation else _zh_negation(message, start)
            if zh_not is not None:
                start = zh_not
            if negation is None and (number := _NUMBER_BEFORE.search(message[:start])):
                start = number.start()
            words = tuple(m.group(0).casefold() for m in run)
            text = message[start : run[-1].end()]
            if not _PLAIN.fullmatch(text):  # markup or symbols between the words: words only
                text = " ".join(m.group(0) for m in ([negation] if negation else []) + run)
            needs.append(
                Need(
                    text,
                    words,
                    tuple(stem(w) for w in words),
                    negated=negation is not None or zh_not is not None,
                    intense=bool(_INTENSE_BEFORE.search(message[:start]))
                    and not _HABIT_BEFORE.search(message[:start]),
                    target=(
                        bool(_TARGET_BEFORE.search(message[:start]))
                        and not _EASY_ON.search(message[:start])
                    )
                    or _zh_target(message, start, run[-1].end()),
                )
            )
        run, negation = [], None

    last = skip = 0
    for m in _TOKEN.finditer(message):
        if m.start() < skip:
            continue  # the "free" of "powder free", read with the word before it
        word = m.group(0).casefold().replace("’", "'")
        if message[last : m.start()].strip():
            close()  # punctuation ends a run: "... is free. face care" is two
            negation = None
        last = m.end()
        if _HAN.match(word):
            close()
            continue
        if word in _NEGATORS:
            close()
            negation = m
            continue
        if word in ("or", "nor") and negation is not None and run:
            held = negation  # "no leather or suede": neither is wanted
            close()
            negation = held
            continue
        if word in _DEGREE:
            close()  # "super sensitive": sensitive, as a record says it ("for sensitive skin")
            negation = None
            continue
        if negation is not None and not run and (word in _ARTICLES or word in _NEGATION_VERBS):
            continue  # "not a restaurant one": the negation holds across the article
        if (word in _TIMES and _TIME_BEFORE.search(message[: m.start()])) or (
            word in _SEASONS and _SEASON_BEFORE.search(message[: m.start()])
        ):
            close()  # "this fall", "at night", "in the evenings": when, not what is wanted
            negation = None
            continue
        if _PARTICLE.match(message, m.end()):
            close()  # "set up", "drown out", "soak up": a verb, not a thing asked for
            negation = None
            continue
        if (
            word in kept
            and not _ID.fullmatch(word)
            and word not in _NOT_NEEDS
            and not is_stopword(word)
            and not word.isdigit()
            and len(word) > 1
        ):
            if free := _FREE_AFTER.match(message, m.end()):
                close()  # "gloves powder free": the gloves, and no powder
                needs.append(
                    Need(message[m.start() : free.end()], (word,), (stem(word),), negated=True)
                )
                last = skip = free.end()
                negation = None
                continue
            run.append(m)
            continue
        close()
        negation = None
    close()
    return needs


def _zh_needs(message: str, content: str) -> list[Need]:
    """Runs of adjacent Chinese content words ("背包旅行", "无线充电"), a one-character
    noun after a word kept with it ("面包板" is no 面包); a negation before a run kept
    with it ("不会过期"). A run that is the topic of what follows ("电池要能撑两天",
    "屏幕要亮一点") is no need by itself; one after 给/为 or before 用的 is what the
    product is for ("给手机充电", "打印机用的")."""
    spans: list[tuple[int, int, str]] = []
    at = 0
    for word in content_words(message):
        found = message.find(word, at)
        if found < 0:
            continue
        at = found + len(word)
        if (
            word not in content
            or not _HAN.match(word)
            or word in _ZH_NOT_NEEDS
            or _ZH_WISH.fullmatch(word)
        ):
            continue  # the budget, the recipient, words that ask
        if (word in _ZH_TIMES or word in _ZH_PLACES) and not (
            _ZH_TIME_USE_AFTER.match(message, at) or _ZH_TIME_USE_BEFORE.search(message[:found])
        ):
            continue  # "早上到公司", "冬天脸特别干": when, not what is wanted ("冬天穿的" is)
        if len(word) < 2:
            if (
                spans
                and word in _ZH_PROPERTY
                and _ZH_DEGREE_GAP.fullmatch(message[spans[-1][1] : found])
            ):
                spans.append((found, at, word))  # "皮肤" + "比较" + "干"
                continue
            if spans and spans[-1][1] == found and word in _ZH_NOUN_TAILS:
                begin, _, prior = spans.pop()  # "面包" + "板"
                spans.append((begin, at, prior + word))
            continue
        spans.append((found, at, word))
    runs: list[list[tuple[int, int, str]]] = []
    for span in spans:
        follows = runs and (
            runs[-1][-1][1] == span[0]
            or (len(span[2]) == 1 and _ZH_DEGREE_GAP.fullmatch(message[runs[-1][-1][1] : span[0]]))
        )
        if follows and not _ZH_FOR.search(message[: runs[-1][0][0]]):
            runs[-1].append(span)
        else:  # "给手机 | 无线充电": what it is for, then what it does
            runs.append([span])
    needs: list[Need] = []
    ends: list[tuple[int, int]] = []  # each need's span of the message
    for run in runs:
        begin, finish = run[0][0], run[-1][1]
        if _ZH_TOPIC.match(message, finish):
            continue
        words = tuple(w for _, _, w in run)
        if len(words) > 1 and _ZH_NOT_TOO.fullmatch(words[0]):
            # "颜色别太花哨": 别太 is the negation, not a need of its own
            words, lead = words[1:], words[0]
        else:
            lead = ""
        if (
            needs
            and needs[-1].text.startswith(("不要", "别", "不想要"))
            and message[ends[-1][1] : begin] == "的"
            and words[-1] in _ZH_DIMENSION_NOUNS
        ):
            # "不要卡通人物的图案": the pattern is what is not wanted, with its figures (not
            # "无香味的面霜", fragrance-free cream: 无 says what the cream is; nor "不要塑料的
            # 杯子", where the cup is what is wanted)
            prior, (start, _) = needs.pop(), ends.pop()
            merged = prior.words + words
            needs.append(replace(prior, text=message[start:finish], words=merged, terms=merged))
            ends.append((start, finish))
            continue
        if message[finish : finish + 1] in _ZH_NOUN_TAILS and not any(
            b == finish for b, _, _ in spans
        ):  # "天然橡胶瑜伽" + "垫": quoted whole, the one character the splitter left out
            finish += 1
        negated_at = _zh_negation(message, begin) if begin else None
        number = None if negated_at is not None or lead else _NUMBER_BEFORE.search(message[:begin])
        start = number.start() if number else negated_at if negated_at is not None else begin
        text = message[start:finish]
        target = bool(_ZH_FOR.search(message[:begin]) or _ZH_USED_FOR.match(message, finish))
        negated = negated_at is not None or bool(lead)
        needs.append(Need(text, words, words, negated, target=target))
        ends.append((start, finish))
    return needs


def _zh_negation(message: str, at: int) -> int | None:
    """Where a Chinese negation of the words at `at` begins ("不会过期", "不要PVC"), or
    None; the A-not-A of a question negates nothing ("有没有防水的", "会不会掉色")."""
    found = _ZH_NEGATED.search(message[max(at - 5, 0) : at])
    if found is None:
        return None
    begin = max(at - 5, 0) + found.start()
    negation = found.group(0).removesuffix("那种").removesuffix("这种")
    if begin and message[begin - 1] in (negation[-1], message[at : at + 1]):
        return None  # 有没有, 会不会, 能不能, 是不是; 耐不耐磨; 有没有那种
    return begin


# Times of day and seasons: when the shopper does something ("晚上做手工活", "周末经常去爬
# 山"), a need only when the product is for them ("冬天穿的", "适合晚上用", "夏天的")
_ZH_TIMES = frozenset(
    """早上 早晨 清晨 上午 中午 下午 傍晚 晚上 夜里 夜间 半夜 白天 平时 平常 每天 天天 周末
    冬天 夏天 春天 秋天 冬季 夏季 春季 秋季""".split()  # noqa: SIM905
)
# Places the shopper is, said the same way: "路上泥很多", "家里是木地板" (where, not what is
# wanted); a need only where the product is for them ("家里用的", "车上用")
_ZH_PLACES = frozenset(
    "家里 家中 屋里 路上 车上 车里 身上 手上 手里 山上 山里 水里 外面 宿舍里 公司里".split()  # noqa: SIM905
)
_ZH_TIME_USE_AFTER = re.compile(r"(?:穿|用|戴|骑|的(?!时候)|专用)")  # not 冬天的时候 (when)
_ZH_TIME_USE_BEFORE = re.compile(r"(?:适合|适用于|用于|专为)$")


# One-character nouns that make another thing of the word before them: 面包板 (a
# breadboard, not bread), 打印机, 热缩管.
_ZH_NOUN_TAILS = frozenset(
    "板管机器仪桶盒瓶袋架垫灯刀鞋靴衣帽套线卡片纸膜笔表杯壶锅箱柜车刷剂液膏霜胶"
)
# "皮肤比较干", "脚很宽": a one-character word for how something is, said of the word
# before it (with a word of degree between, or none): kept with it
_ZH_PROPERTY = frozenset("干油湿宽窄厚薄重轻硬软滑亮暗冷热凉暖吵")
_ZH_DEGREE_GAP = re.compile(r"(?:很|比较|特别|有点|有些|太|非常|超|挺|偏|较|巨|更)?")
# "电池要能撑两天", "鞋子一定要防滑": the word before is the topic
_ZH_TOPIC = re.compile(r"(?:要|能|得|可以|必须|最好|一定|务必)(?!的)")
_ZH_FOR = re.compile(r"[给为替]$")
_ZH_USED_FOR = re.compile(r"[\u4e00-\u9fff]?(?:用的|专用)")  # "显微镜课用的"
# after a Latin word, the Chinese it is the object of may come first ("Arduino小实验用的")
_ZH_USED_AFTER = re.compile(r"[\u4e00-\u9fff]{0,3}?(?:用的|专用|上用)")


# -- matching ---------------------------------------------------------------------------

_FIELD_ORDER = {
    "attribute": 0,
    "title": 1,
    "title_zh": 1,
    "category": 2,
    "feature": 3,
    "description": 4,
    "review": 5,
}


def category_passage(product: Product) -> Passage | None:
    names = [c for c in product.categories if c and len(c) <= 40][:3]
    if not names and product.category:
        names = [product.category]
    if not names:
        return None
    text = " > ".join(dict.fromkeys(names))
    return Passage(f"{product.id}.c", "product", "category", "category", text, product.id)


def record_passages(ctx: ToolContext, product: Product) -> list[Passage]:
    """The product's fields and the first reviews, in the order a match prefers them."""
    found = product_passages(product)
    category = category_passage(product)
    if category is not None:
        found.append(category)
    reviews = ctx.store.reviews(ctx.catalog, product.id, limit=MAX_REVIEWS)
    found += [p for p in review_passages(reviews) if (p.rating or 0) >= 3]
    return sorted(found, key=lambda p: _FIELD_ORDER.get(p.field, 9))


def match_needs(
    ctx: ToolContext,
    product: Product,
    needs: Sequence[Need],
    threshold: float | None = None,
    found: list[Passage] | None = None,
    asked: AskedKind | None = None,
    messages: Sequence[str] = (),
) -> NeedReport:
    """Which of the needs the product's records meet, and with what passage. `asked`: the
    kind of product the request asks for (asked_kind); `messages`: the request's, where
    the shopper may have named the product's brand (its words are then the brand's)."""
    threshold = need_threshold() if threshold is None else threshold
    found = record_passages(ctx, product) if found is None else found
    own = {w for c in product.categories if c for w in content_terms(c)}
    maker = set(content_terms(product.brand or ""))
    own_brand = brand_pattern(product.brand) if product.brand else None
    fields = [p for p in found if p.kind == "product"]
    brands = _brand_names(ctx)
    # a brand's name meets no need ("园艺" is no garden of "Olive Garden Gift Card")
    texts = {p.key: _unbranded(p, brands) for p in found}
    report = NeedReport()
    # needs with their words to look for, and every word's forms (its translations)
    parts: list[tuple[Need, list[tuple[str, list[str]]], list[list[str]]]] = []
    for need in needs:
        forms = [[t, *translations(ctx, t)] for t in need.terms]
        # the brand by the shopper's own word ("Starbucks"), not a translation's ("园艺"
        # -> garden, of "Olive Garden")
        # ... unless the word is one of a longer name that its records say apart from the
        # name ("coffee" of "The Coffee Bean & Tea Leaf", whose description sells
        # "estate-grown coffees"), and the shopper did not name the brand ("Starbucks",
        # "JB Weld", "ulta beauty": the brand, wherever its records say it) nor write
        # the word as a name ("PlayStation Plus" is no "plus" of Rabbit TV Plus's records)
        branded = len(maker) < 2 or any(
            own_brand and own_brand.search(text) for text in (need.text, *messages)
        )
        kind = [
            any(names_kind(f, own) for f in fs)
            or (
                names_kind(fs[0], maker)
                and (
                    branded
                    or (word[:1].isupper() and not word.isupper())
                    or not any(_holds(texts[p.key], [fs[0]], need.negated) for p in found)
                )
            )
            for word, fs in zip((_as_written(need, [w]) for w in need.words), forms, strict=True)
        ]
        if all(kind):
            report.kind_only.append(need)
            continue
        words = [
            (w, _heads_in_phrases(fs))
            for w, fs, k in zip(need.words, forms, kind, strict=True)
            if not k
        ]
        parts.append((need, words, forms))
    missing: list[tuple[Need, list[str]]] = []
    for need, words, senses in parts:
        held: dict[str, list[tuple[str, str]]] = {}  # passage key -> (word, form found)
        passages: dict[str, Passage] = {}
        left = []
        for word, forms in words:
            hit = next(
                (
                    (p, f)
                    for p in found
                    for f in forms
                    if _holds(texts[p.key], [f], need.negated)
                    and (not need.intense or _INTENSE.search(p.text))
                    and not _by_name_only(ctx, need, p, f)
                ),
                None,
            )
            if hit is None:
                weak = need.intense and any(
                    _holds(texts[p.key], [f], need.negated) for p in found for f in forms
                )
                if not weak:  # a record that says less than asked is neither met nor silent
                    left.append(word)
                continue
            held.setdefault(hit[0].key, []).append((word, hit[1]))
            passages[hit[0].key] = hit[0]
        for key, pairs in held.items():
            passage = passages[key]
            if not _numbers_held(need.text, passage.text):
                continue  # "12-cup" is not met by "4-cup"
            if need.target and not _for_it(passage, [f for _, f in pairs]):
                continue  # "...screw the vise to the workbench" is no vise for a workbench
            quoted = _as_written(need, [w for w, _ in pairs], whole=len(pairs) == len(words))
            fact = fact_window(passage, [f for _, f in pairs])
            if (
                quoted != need.text
                and (
                    _part_strays(ctx, need, fact, asked)
                    or _other_compound(need, [w for w, _ in pairs], _fact_text(passage))
                )
            ) or _contradicted(ctx, need, passage, senses):
                continue  # "shower" of "bridal shower" in "…for baby showers and more"
            report.matches.append(Match(need, quoted, passage, fact, "words"))
        if (
            left
            and all(w in _CONDITIONS for w in left)
            and any(m.need is need for m in report.matches)
        ):
            # "bad knees" met by "it cushions my knees": "bad" says how the shopper's
            # knees are, not something a record of the product could say
            left = []
        if left:
            missing.append((need, left))
    sims = _need_similarities(
        ctx, product, [_as_written(n, w, whole=len(w) == len(n.words)) for n, w in missing], fields
    )
    # A category names a class of products: close in meaning to many needs no product
    # of it need meet ("e-gift" and "Gift Cards"); it meets a need by its words only.
    sims[:, [i for i, p in enumerate(fields) if p.field == "category"]] = -1.0
    for row, (need, left) in enumerate(missing):
        quoted = _as_written(need, left, whole=len(left) == len(need.words))
        best = int(np.argmax(sims[row])) if sims.shape[1] else -1
        if (
            best >= 0
            and sims[row, best] >= threshold
            and not _other_value(ctx, need, fields[best], quoted)
            and (not need.target or _purpose(fields[best]))
        ):
            passage = fields[best]
            if (
                not need.negated
                or (_NEGATION_MARK.search(passage.text) and not _TOO_MUCH.match(need.text))
            ) and _numbers_held(need.text, passage.text):
                fact = _clip_words(_fact_text(passage), MAX_FACT_WORDS + 4)
                score = float(sims[row, best])
                report.matches.append(Match(need, quoted, passage, fact, "meaning", score))
                continue
        if need.target or need.avoided:
            continue  # what it is for, or what is not wanted, unsaid: nothing to say
        if not re.search(r"\d", quoted):  # a number no record has is the budget's or a size's
            report.unstated.append(Need(quoted, tuple(left), tuple(left), need.negated))
    return report


# Words that say how the shopper's own body is ("bad knees", "sore feet", "a weak wrist"),
# not what the product is
# Verbs of how someone feels or becomes, which say nothing a product could have
_SENSING = frozenset({"feel", "feels", "felt", "feeling", "gets", "getting", "becomes"})
_CONDITIONS = frozenset(
    {"bad", "sore", "weak", "stiff", "aching", "achy", "injured", "tired", "painful", "poor"}
    | {"不好", "不太好", "疼", "痛", "酸痛", "疼痛", "受伤", "有伤", "不舒服", "难受"}
)

_PURPOSE_NAME = re.compile(r"best.?for|\buse|suitable|compatib|applica|occasion", re.I)
_FOR_EN = r"\b(?:for|fits?|fitting|compatible with|works with|use with|used with|designed for)\W+"
_FOR_ZH = r"(?:用于|适用于|适合|适配|给|专用于?)"


def _heads_in_phrases(forms: list[str]) -> list[str]:
    """A word's forms to find in a record, but the last word of one of its English
    phrases alone: "百货商店" is a "department store", not any "store" ("In store only");
    "台灯" a "desk lamp". (A bare head still tells that the need names the product's
    kind: "跑鞋" -> "shoe".)"""
    return [f for f in forms if not any(p.endswith(" " + f) for p in forms)]


def _purpose(passage: Passage) -> bool:
    """A record that says what the product is for ("best for: school")."""
    return passage.field == "attribute" and bool(_PURPOSE_NAME.search(passage.name or ""))


def _for_it(passage: Passage, forms: list[str]) -> bool:
    """Whether the record says the product is for the thing the words name: "for 3D
    printer", "best for: school", "Bought it for the pool", "适用于手机"."""
    if _purpose(passage):
        return True
    for form in forms:
        if _HAN.match(form):
            pattern = rf"{_FOR_ZH}.{{0,4}}{re.escape(form)}"
        else:
            # "for 3D printer", "Tester for Household Drinking Water, Swimming Pools,
            # Aquariums": the words after "for", a list of them too, within its sentence
            pattern = rf"{_FOR_EN}(?:[\w'-]+[\s,/&-]+){{0,8}}{re.escape(form)}"
        if re.search(pattern, passage.text, re.I):
            return True
    return False


def _brand_names(ctx: ToolContext) -> re.Pattern[str] | None:
    """The catalog's brand names as one pattern, longest first: names of two words or
    more ("Olive Garden"), and one-word names that are no English word ("Starbucks";
    not "Premium")."""

    def build() -> re.Pattern[str] | None:
        english = english_vocabulary()
        names = set()
        for product in ctx.store.products(ctx.catalog):
            name = " ".join((product.brand or "").split())
            if len(name) < 3 or not re.search(r"[A-Za-z]", name):
                continue
            if " " in name or name.casefold() not in english:
                names.add(name.casefold())
        if not names:
            return None
        spelled = "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True))
        return re.compile(rf"(?<![\w&])(?:{spelled})(?![\w&])", re.I)

    return per_catalog(_BRANDS, ctx, build)


_BRANDS: dict[tuple, re.Pattern[str] | None] = {}


def _unbranded(passage: Passage, brands: re.Pattern[str] | None) -> str:
    """A record of the product without the catalog's brand names in it: a brand's name
    meets no need ("园艺" is no garden of "Olive Garden Gift Card")."""
    if brands is None:
        return passage.text
    return brands.sub(" ", passage.text)


# Colours (tools.text.COLOUR): close in meaning to each other, never the same (red is not
# black).


def _by_name_only(ctx: ToolContext, need: Need, passage: Passage, form: str) -> bool:
    """Whether an attribute holds the word in its name only, and the word is one of the
    values the catalog gives that attribute: "waterproof" is not met by "waterproofing:
    water-resistant" ("noise cancelling: active" still meets "noise cancelling")."""
    if passage.field != "attribute":
        return False
    return not _holds(_fact_text(passage), [form], need.negated) and _other_value(
        ctx, need, passage
    )


def _other_value(ctx: ToolContext, need: Need, passage: Passage, said: str = "") -> bool:
    """Whether a need met by meaning names a value of the attribute the passage gives
    another value of: "red" is not met by "color: black", though the two are close in
    meaning; a colour never is, nor a value the catalog lists for the same attribute, nor
    words (`said`, the need's words the match quotes) nearer another of its values."""
    if COLOUR.search(need.text):
        return True
    if passage.field != "attribute":
        return False
    from tools.qa import _attribute_values

    values = _attribute_values(ctx).get(passage.name) or []
    words = {w for v, _ in values for w in v}
    asked = {t for term in need.terms for t in [term, *(stem(x) for x in translations(ctx, term))]}
    # "in-ear" names a value of type as "on-ear" does: compared by its parts
    asked |= {part for t in asked if "-" in t for part in t.split("-") if len(part) > 2}
    return bool(asked & words) or _nearer_value(ctx, said or need.text, passage)


def _nearer_value(ctx: ToolContext, said: str, passage: Passage) -> bool:
    """Whether another value the catalog gives the attribute is nearer in meaning to the
    need's words than the passage's own: "dark" is nearer "black" than "color: grey" (of
    the attribute's most common values). The multilingual encoder knows too little to
    tell "earbuds" from "over-ear" this way (0.53, "in-ear" 0.52)."""
    from tools.qa import attribute_value_counts

    own = passage.text.split(":", 1)[-1].strip().casefold()
    counts = attribute_value_counts(ctx).get(passage.name) or Counter()
    others = [v for v, _ in counts.most_common(NEARER_VALUES) if v.strip() != own]
    if ctx.encode is None or not own or not others:
        return False
    vectors = _word_vectors(ctx, [said, own, *others])
    sims = vectors[1:] @ vectors[0]
    return float(sims[1:].max()) > float(sims[0]) + NEARER_MARGIN


def kind_match(ctx: ToolContext, product: Product, needs: Sequence[Need]) -> Match | None:
    """For a request that names only a kind of product ("coffee", "护肤品"): the title or
    category passage that holds the word, when nothing more specific was asked."""
    found = [p for p in product_passages(product) if p.field in ("title", "title_zh")]
    category = category_passage(product)
    found += [category] if category is not None else []
    for need in needs:
        for term in need.terms:
            forms = [term, *translations(ctx, term)]
            for passage in found:
                form = next((f for f in forms if _holds(passage.text, [f], need.negated)), None)
                if form is not None:  # the need's words the record holds, not its others
                    held = [
                        w
                        for w, t in zip(need.words, need.terms, strict=True)
                        if any(
                            _holds(passage.text, [f], need.negated)
                            for f in [t, *translations(ctx, t)]
                        )
                    ]
                    quoted = _as_written(need, held, whole=len(held) == len(need.words))
                    return Match(need, quoted, passage, fact_window(passage, [form]), "kind")
    return None


# -- what kind of product was asked for ---------------------------------------------------


@dataclass(frozen=True)
class AskedKind:
    """What the request says the product is, as the catalog's titles name products."""

    words: frozenset[str]  # English stems ("yeast", "cylinder")
    said: tuple[str, ...] = ()  # the English words as said or translated, for meaning
    chinese: str = ""  # the Chinese word, where the catalog's Chinese titles use it
    # a word before it that titles also name products by ("vacuum" of "vacuum cleaner"):
    # a product is of the kind where its title names it so ("Portable Vacuum"), not
    # where the word only comes before another ("coffee" of "Drip Coffee Maker")
    before: frozenset[str] = frozenset()
    # a kind the titles mostly say before another word (tools.discovery.named_kind): a
    # product is one only where its title ends a run of words on it ("Digital
    # Multimeter, 2 Channels"; not "Multimeter Test Probe")
    by_end: bool = False


KIND_SYNONYM = 0.7  # word-to-word similarity of another name for a kind (glue, adhesive)
# Words that ask for a product before naming it ("I'm looking for", "can you recommend").
_ASKING = frozenset(
    """i i'm im want wants wanted need needs looking look shopping buy get find show
    recommend suggest like would could can you me please have sell carry searching hi hello
    hey ok okay so also just""".split()  # noqa: SIM905
)
_BUDGET_WORDS = frozenset(
    """under below over above around about within between less more than max tops dollars
    dollar bucks usd""".split()  # noqa: SIM905
)
# Words that name a dimension of a product, not what it is ("材料", "接头" of a colour).
_DIMENSIONS = frozenset("material materials color colour shape style pattern type".split())  # noqa: SIM905
_ZH_NOT = re.compile(r"(?:不要|别要|别|不是|不想要|不用)")
# Asking for a thing ("买个", "要一台", "找"), before its name
_ZH_WANTED = rf"(?:买|要|找|推荐|来)(?:[一两几]?{ZH_MEASURE_WORDS})?"
_CLAUSE = re.compile(r"[，,。；;！!？?、\s]+")
_RUN_WORD = re.compile(r"[A-Za-z0-9]+(?:['’-][A-Za-z0-9]+)*|\S")


def asked_kind(ctx: ToolContext, messages: Sequence[str]) -> AskedKind | None:
    """The kind of product the newest message that names one asks for, or None: the
    last word of its first run of words (with the word before it, where the catalog
    names products by that too: "vacuum cleaner") when the catalog's titles name
    products by that word ("tiny neodymium disc magnets for a craft project": magnet;
    "做实验用的塑料量筒" -> 量筒 -> cylinder). A word titles only use before another
    ("yoga" of "Yoga Mat", "fleece" of "Fleece Jacket") names no kind: a request for "a
    fleece" is not checked, nor one whose first words end on no such word."""
    for message in reversed(messages):
        kind = _message_kind(ctx, message)
        if kind is not None:
            return kind
    return None


def _message_kind(ctx: ToolContext, message: str) -> AskedKind | None:
    heads = catalog_heads(ctx)
    if _HAN.search(message):
        # the noun a clause ends on, after its last 的 ("放贴片电阻电容的元件收纳盒"); a
        # later clause only where it says 的 ("..., 有没有整套的地坪涂料"), else it is a
        # need ("要防水") or a detail ("儿子16岁生日")
        for n, clause in enumerate(c for c in _CLAUSE.split(message) if c):
            if (n and "的" not in clause) or _ZH_NOT.match(clause):
                continue  # "不要这个牌子": what is not wanted names no kind asked for
            tail = clause.rsplit("的", 1)[-1]
            words = [w for w in content_words(tail) if _HAN.match(w)]
            if len(words) > 1 and len(words[-1]) == 1:  # "登山" + "靴"
                words[-2:] = [words[-2] + words[-1]]
            elif words and (after := tail[tail.rfind(words[-1]) + len(words[-1]) :][:1]):
                words[-1] += after if after in _ZH_NOUN_TAILS else ""  # "瑜伽" + "垫"
            if not words or COLOUR.search(words[-1]) or words[-1] in _ZH_NOT_NEEDS:
                continue  # "很显眼的颜色": a dimension, no kind
            word = words[-1]
            senses = [
                s.split()
                for s in english_words(word)
                if s and s not in NO_KIND and s not in _NOT_NEEDS and s not in _DIMENSIONS
            ]
            said = tuple(dict.fromkeys(s[-1] for s in senses))
            english = frozenset(stem(w) for w in said) & heads
            before = frozenset(stem(s[-2]) for s in senses if len(s) > 1) & heads
            if _chinese_head(ctx, word):
                return AskedKind(english, said, word, before)
            if english:
                return AskedKind(english, said, before=before)
            # a kind the titles mostly say before another word, named as the thing wanted
            # ("想买个数字万用表": multimeter), as an English message names one alone ("a
            # multimeter"); not a word of the story ("同事刚生了宝宝", "家里自酿葡萄酒")
            named = frozenset(stem(w) for w in said if named_kind(ctx, stem(w)))
            wanted = rf"{_ZH_WANTED}[\u4e00-\u9fff]{{0,4}}{re.escape(word)}$"
            if named and re.search(wanted, tail):
                return AskedKind(named, said, by_end=True)
        return None
    # the first run of words, or one after a word that asks for something ("I work
    # night shifts ..., so I need a watch that tracks my sleep")
    starts = [0, *(m.end() for m in _ASKED_FOR.finditer(message))]
    for start in starts:
        run, ahead, after = _first_run(message, start)
        # a word the titles mostly say before another (named_kind) only where the message
        # names a thing by it alone ("a multimeter", "an oscilloscope for my car",
        # "multimeter?") or after a word that asks for it ("I need a digital multimeter
        # for ..."); not "a spa or massage gift card", "size small, box of 100", "got
        # married.", nor "m3 standoffs", whose "Standoff Spacers" are standoffs too
        ends = after in ("", ".", "?", "!") or (after in TITLE_JOINS and after not in ("and", "or"))
        ends = ends and (len(run) == 1 or start > 0) and (ahead in _INDEFINITE or not ahead)
        if not (
            not run
            or not (
                (head := _is_head(stem(run[-1]), heads))
                or (ends and named_kind(ctx, stem(run[-1])))
            )
            or COLOUR.search(run[-1])
            or run[-1] in NO_KIND
            or run[-1] in _DIMENSIONS
            or stem(run[-1]) in COUNT_WORDS
        ):
            before = frozenset(
                stem(w) for w in run[-2:-1] if stem(w) in heads and stem(w) not in COUNT_WORDS
            )
            words = frozenset({stem(run[-1])})
            return AskedKind(words, (run[-1],), before=before, by_end=not head)
    return None  # "Not that brand.": a word that says nothing of what the product is


def _is_head(word: str, heads: frozenset[str]) -> bool:
    """A word the catalog's titles name products by, or the end of one ("watch" of
    "smartwatch")."""
    return word in heads or (len(word) >= 4 and any(h.endswith(word) for h in heads))


_INDEFINITE = frozenset("a an some any another".split())  # noqa: SIM905


def _first_run(message: str, start: int) -> tuple[list[str], str, str]:
    """The first run of content words from `start`, the word or mark before it and the
    one that ends it ("" at either end of the message)."""
    run: list[str] = []
    before = ""
    for m in _RUN_WORD.finditer(message, start):
        word = m.group(0).casefold()
        if not run and word in _ASKING:
            before = word
            continue  # "I want a quiet coffee grinder": the run is what is wanted
        if (
            word[0].isalnum()
            and not is_stopword(word)
            and word not in TITLE_JOINS
            and word not in _BUDGET_WORDS
            and not re.fullmatch(r"[\d.,/]+", word)
        ):
            run.append(word)
        elif run:
            return run, before, word
        else:
            before = word
    return run, before, ""


_ASKED_FOR = re.compile(
    r"\b(?:need|needs|want|wants|looking for|look for|searching for|shopping for|buy|get me"
    r"|recommend|find me)\s+(?:me\s+)?(?:a|an|some|new|good|nice)?\b",
    re.I,
)


def of_asked_kind(ctx: ToolContext, product: Product, kind: AskedKind) -> bool:
    """Whether the product's title or category names the kind asked for, by a word or
    one as close in meaning as another name for it ("Acrylic Adhesive" for glue): a
    yeast nutrient is a yeast product, test tubes are no graduated cylinders."""
    if kind.chinese and kind.chinese in (product.title_i18n.get("zh") or ""):
        return True
    if kind.by_end:
        return bool(set(title_heads(product.title)) & kind.words)
    # the title's words before its first "for" (a "Hotend with Fan for ... Nozzle" is no
    # nozzle), each but one that another word naming products follows ("Test Tube Rack"
    # is a rack, "Yeast Nutrient" a nutrient), and its category's words
    words = _kind_words_of(ctx, product.title)
    words |= {w.casefold() for c in product.categories for w in _TOKEN.findall(c or "")}
    words = {w for w in words if not _HAN.match(w) and not w.isdigit()}
    stems = {stem(w) for w in words}
    if stems & kind.words or any(_is_head(k, frozenset(stems)) for k in kind.words):
        return True  # "watch" of "smartwatch", as asked_kind reads it
    if kind.before and set(title_heads(product.title)) & kind.before:
        return True
    if not set(title_heads(product.title)) & catalog_heads(ctx) and not titles_name(
        ctx, kind.words
    ):
        # a title that names no kind of product, in a catalog whose titles seldom name the
        # kind asked for (books: "Drums of Autumn" is a romance by its description): its
        # description's opening tells it (a caulk's that speaks of a "project" does not)
        opening = _TOKEN.findall(description_opening(product))
        if {stem(w.casefold()) for w in opening} & kind.words:
            return True
    if ctx.encode is None or not kind.said or not words:
        return False
    return bool(
        (_word_vectors(ctx, kind.said) @ _word_vectors(ctx, sorted(words)).T).max() >= KIND_SYNONYM
    )


def _kind_words_of(ctx: ToolContext, title: str) -> set[str]:
    """The words of a title that may say what the product is: those before its first
    "for", each but one followed by a word the catalog's titles name products by, unless
    it is a plural (one of a list: "Screws Nuts Assortment Kit")."""
    heads = catalog_heads(ctx)
    text = title_before_for(title)
    tokens = [m for m in _TOKEN.finditer(text) if not _HAN.match(m.group(0))]
    out = set()
    for token, after in zip(tokens, [*tokens[1:], None], strict=True):
        follows = after is not None and not text[token.end() : after.start()].strip()
        word = stem(after.group(0).casefold()) if follows else ""
        said = token.group(0).casefold()
        # a plural names things of a list ("Cap Screws Nuts Assortment": screws and
        # nuts), where a word that says what kind is singular ("Test Tube Rack")
        listed = said.endswith("s") and stem(said) != said and word != stem(said)
        if not word or word not in heads or word in COUNT_WORDS or listed:
            out.add(said)
    return out


def _word_vectors(ctx: ToolContext, words: Sequence[str]) -> np.ndarray:
    known = per_catalog(_WORD_VECTORS, ctx, dict)
    new = [w for w in dict.fromkeys(words) if w not in known]
    if new:
        if len(known) > 50_000:
            known.clear()
        known.update(zip(new, ctx.encode(new), strict=True))
    return np.stack([known[w] for w in words])


def _chinese_head(ctx: ToolContext, word: str) -> bool:
    from tools.qa import _titles

    known = per_catalog(_ZH_HEADS, ctx, dict)  # word -> whether Chinese titles end on it
    if word not in known:
        known[word] = is_chinese_head((z for z in _titles(ctx)["zh"] if z), word)
    return known[word]


_ZH_HEADS: dict = {}
_WORD_VECTORS: dict = {}


def _part_strays(ctx: ToolContext, need: Need, fact: str, asked: AskedKind | None) -> bool:
    """Whether a record holding some of a need's words says something else: a need that
    names the product asked for ("sturdy cart", "strong magnets") is said of the product
    word by word, so "sturdy" alone is met; one about something else ("a bridal shower",
    "high heat", "nursing school") is met in part only where the record's words are
    about the whole of it, by meaning, half as close as a need met by meaning alone
    ("…perfect for a baby shower" is near enough to "bridal shower"; "every state in the
    US" is not to "out of state")."""
    if asked is None or ctx.encode is None:
        return False
    if set(need.terms) & asked.words or (asked.chinese and asked.chinese in need.text):
        return False
    whole, said = _word_vectors(ctx, [need.text, fact])
    return float(whole @ said) < PART_MEANING


def _other_compound(need: Need, held: list[str], text: str) -> bool:
    """Whether a word the record shares with part of a need is, in the record, the first
    part of a hyphenated word that the need does not say: "water" of "water bladder" in
    "water-resistant", "ear" of "ear plugs" in "ear-cup". Words of a need side by side
    ("outdoors guy", "muddy spring walks") are no such compound: "muddy" is met by "muddy
    trails", "outdoors" by "outdoor lifestyle"."""
    if _HAN.search(need.text):
        return False
    words = [m.group(0).casefold() for m in _TOKEN.finditer(need.text)]
    for word in held:
        if word not in words or words.index(word) == len(words) - 1:
            continue  # the need's last word is its head: what it is made of is no matter
        pattern = rf"(?<![\w-]){re.escape(word)}\w*-(\w+)"
        joined = [m.group(1).casefold() for m in re.finditer(pattern, text, re.I)]
        plain = contains_term(re.sub(pattern, " ", text, flags=re.I), stem(word))
        if joined and not plain and not any(stem(j) in map(stem, words) for j in joined):
            return True
    return False


def _contradicted(ctx: ToolContext, need: Need, passage: Passage, forms: list[list[str]]) -> bool:
    """Whether the need names another value of the attribute the record is: "oily skin"
    is not met by "skin" of "skin type: for dry skin", nor "bridal shower" by "shower" of
    "occasion: baby shower". A Chinese word names another value by its first English
    word, the catalog's own first ("防水" is waterproof, not "waterproofing:
    water-resistant"), and the record's own by any ("背包旅行": "backpacking trips").
    `forms`: each of the need's terms with its translations, as match_needs finds them."""
    if passage.field != "attribute" or not passage.name:
        return False
    from tools.qa import attribute_value_counts

    senses = [fs[1:] for t, fs in zip(need.terms, forms, strict=True) if _HAN.match(t) and fs[1:]]
    text = " ".join([need.text, *(s[0] for s in senses)]).casefold()
    said = set(need.terms) | {stem(w) for s in senses for f in s for w in f.split()}
    own = _fact_text(passage).casefold()
    if re.search(whole_word(own), text) or set(content_terms(own)) <= said:
        return False  # the need names the record's own value
    for other in attribute_value_counts(ctx).get(passage.name, ()):
        terms = set(content_terms(other))
        if other == own or not terms or terms <= set(content_terms(own)):
            continue  # "weekend travel" says "travel"
        if re.search(whole_word(other), text) or (len(terms) > 1 and terms <= said):
            return True
    return False


def _numbers_held(need: str, text: str) -> bool:
    """Every number the need states is in the passage."""
    have = set(re.findall(r"\d+(?:\.\d+)?", text))
    return all(n in have for n in re.findall(r"\d+(?:\.\d+)?", need))


def _holds(text: str, forms: list[str], negated: bool) -> bool:
    """The passage has the word with the polarity asked: "doesn't slip" needs a
    negated slip ("non-slip", "no slipping"); "waterproof" must not be negated."""
    for form in forms:
        if not contains_term(text, form):
            continue
        before = negated_near(text, form, window=2)
        if before == negated or (negated and _negated_after(text, form)):
            return True
    return False


def _negated_after(text: str, term: str) -> bool:
    """ "slip-resistant", "fragrance-free", "leak-proof": the word negated by what follows."""
    if _HAN.match(term):
        return False
    after = rf"\b{re.escape(term)}\w*[- ](?:free|proof|resistant|less)\b"
    return bool(re.search(after, text, re.I))


def aligned_translations(ctx: ToolContext, term: str) -> list[str]:
    """The English word the catalog's translated titles pair with a Chinese word, and the
    catalog's word made of its dictionary sense where the catalog never says the sense
    ("放大镜": "magnifying glass", "Magnifier"; tools.lexicon.Lexicon.derived_senses),
    and the catalog brand it is the proper name of ("星巴克": Starbucks), stemmed."""
    if not _HAN.match(term) or ctx.encode is None:
        return []
    from tools.lexicon import lexicon
    from tools.qa import brand_sense

    words = lexicon(ctx)
    word = words.aligned_word(ctx, term)
    found = [word] if word else []
    found += words.derived_senses(term) + brand_sense(ctx, term)
    return list(dict.fromkeys(" ".join(stem(w) for w in t.split()) for t in found))


def translations(ctx: ToolContext, term: str) -> list[str]:
    """A Chinese word's English words in the catalog (tools.qa), as needs are matched by;
    a short English verb's doubled stem ("run" -> "runn" of running, runner)."""
    if not _HAN.match(term):
        return [doubled] if (doubled := _doubled(term)) else []
    if ctx.encode is None:
        return []
    from tools.qa import _translations as translate

    return translate(ctx, term)


# Words of three letters whose doubled form with -ing is another word ("fitting" of a
# pipe, "setting" of a lamp)
_NOT_DOUBLED = frozenset({"fit", "set"})


def _doubled(term: str) -> str | None:
    """ "run" -> "runn", the stem running and runner share (tools.text.stem keeps the
    doubled consonant): for a word of three letters, consonant-vowel-consonant."""
    if (
        len(term) == 3
        and term not in _NOT_DOUBLED
        and re.fullmatch(r"[b-df-hj-np-tvz][aeiou][b-df-hj-np-tvz]", term)
    ):
        return term + term[-1]
    return None


def _by_dictionary(text: str, word: str, negated: bool) -> bool:
    """Whether a record holds a Chinese word as one of its dictionary senses; a sense
    that is only the tail of a compound saying "without" ("fragrance-free") is not
    免费 (free of charge)."""
    text = _PRIVATIVE.sub(" ", text)
    senses = english_words(word, verbs=False)
    return any(_holds(text, [" ".join(stem(x) for x in s.split())], negated) for s in senses)


_PRIVATIVE = re.compile(r"(?<=\w)-(?:free|less)\b", re.I)


def _as_written(need: Need, held: list[str], whole: bool = False) -> str:
    """The shopper's words for the held words: the need's own text when it holds them
    all, else their span in it when adjacent, else the first word."""
    if whole:
        return need.text
    spans = [
        m.span() for word in held if (m := re.search(whole_word(word), need.text, re.I)) is not None
    ]
    if not spans:
        return held[0]
    spans.sort()
    text = need.text[spans[0][0] : spans[-1][1]]
    return text if len(text.split()) == len(held) else need.text[spans[0][0] : spans[0][1]]


def fact_window(passage: Passage, forms: list[str]) -> str:
    """The passage's words around the words found, at most MAX_FACT_WORDS: the window
    that shows the most of them ("…Digital Storage Oscilloscope and Digital Multimeter…"
    for "digital multimeter", not the first "Digital" alone), the earliest of equals."""
    text = _fact_text(passage)
    if _HAN.search(text) and not re.search(r"[A-Za-z]{3}", text):
        return _clip_chars(text, 40)
    words = text.split()
    size = 6 if passage.field in ("title", "title_zh") else MAX_FACT_WORDS
    if len(words) <= size:
        return text
    # each word of a form ("water quality", a Chinese need's English sense), as stemmed
    terms = list(dict.fromkeys(stem(w) for f in forms if not _HAN.match(f) for w in f.split() if w))
    found = [
        (i, t)
        for i, w in enumerate(words)
        for t in terms
        if stem(re.sub(r"\W", "", w)).startswith(t) or contains_term(w, t)
    ]
    starts = sorted({max(0, min(i - 2, len(words) - size)) for i, _ in found}) or [0]
    start = max(starts, key=lambda a: (len({t for i, t in found if a <= i < a + size}), -a))
    piece = " ".join(words[start : start + size]).strip(" ,;:")
    return ("…" if start else "") + piece + ("…" if start + size < len(words) else "")


def _fact_text(passage: Passage) -> str:
    if passage.field == "attribute":  # "grip: non-slip" -> "non-slip"
        return passage.text.split(":", 1)[-1].strip()
    return passage.text


def _clip_words(text: str, n: int) -> str:
    words = text.split()
    return text if len(words) <= n else " ".join(words[:n]).rstrip(",;:") + "…"


def _clip_chars(text: str, n: int) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"


def _need_similarities(
    ctx: ToolContext, product: Product, needs: Sequence[str], fields: list[Passage]
) -> np.ndarray:
    """(needs, fields) cosine similarities of need phrases; zeros without an embedder."""
    if ctx.encode is None or not needs or not fields:
        return np.zeros((len(needs), len(fields)), dtype=np.float32)
    from tools.qa import _CACHE_SIZE, _EMBEDDINGS

    key = (ctx.catalog, product.id, "fields", len(fields))
    vectors = _EMBEDDINGS.get(key)
    if vectors is None:
        brands = _brand_names(ctx)
        texts = [_fact_text(p) if p.field != "category" else p.text for p in fields]
        vectors = ctx.encode([t if brands is None else brands.sub(" ", t) for t in texts])
        _EMBEDDINGS[key] = vectors
        if len(_EMBEDDINGS) > _CACHE_SIZE:
            _EMBEDDINGS.popitem(last=False)
    return ctx.encode(list(needs)) @ vectors.T


@cache
def _calibration() -> dict:
    path = Path(__file__).with_name("needs_calibration.json")
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}


OVERRIDE: dict = {}  # set by the calibration itself while it searches


def need_threshold() -> float:
    return float((OVERRIDE or _calibration()).get("threshold", DEFAULT_THRESHOLD))


# -- checking ---------------------------------------------------------------------------


def is_request_claim(sentence: str) -> bool:
    return bool(_TRIGGER.search(sentence))


_QUOTE_MARKS = re.compile(r"[\"“”‘’″]")


def check_request(
    sentence: str,
    said: Sequence[str],
    support: str,
    similarity: Callable[[str, Sequence[str]], float] | None = None,
    threshold: float | None = None,
    translate: Callable[[str], Sequence[str]] | None = None,
) -> list[str]:
    """Reasons a sentence that claims to meet the shopper's request fails (empty: it
    passes or makes no such claim). `said`: the shopper's messages of the session;
    `support`: the text of the records the sentence cites. The request words it
    quotes must be the shopper's own, and the fact it quotes must be in the cited
    records and meet those words (word for word, a Chinese word by its dictionary senses
    or by `translate`, its English words in the catalog, or by meaning above the
    threshold)."""
    trigger = _TRIGGER.search(sentence)
    if trigger is None:
        return []
    threshold = need_threshold() if threshold is None else threshold
    body = re.sub(r"\[[^\]]*\]", " ", sentence)
    quotes = [next(g for g in m.groups() if g) for m in _QUOTED.finditer(body)]
    after = body[trigger.end() :]
    if quotes and body.find(quotes[0]) >= trigger.end() - 1:
        need, facts = quotes[0], quotes[1:]
    else:  # "It has what you asked for: hot yoga."
        after = re.sub(r"^\s*(?:for\b)?[\s:：—-]*", "", after)
        need = re.split(r"[:：;；,，.。]", after, maxsplit=1)[0]
        facts = quotes
    words = content_words(need)
    if not words:
        return ["a request claim that names nothing the shopper asked for"]
    heard = " ".join(said).casefold()
    unsaid = [w for w in words if w.casefold() not in heard]
    if unsaid and not (similarity is not None and said and similarity(need, list(said)) >= 0.6):
        return [f"request words {', '.join(unsaid)!r} were never said by the shopper"]
    # a claim quotes a record's quotation marks as one kind, an inch mark as ″
    lowered = _QUOTE_MARKS.sub("'", " ".join(support.split()).casefold())
    reasons = []
    for fact in facts:
        pieces = [_QUOTE_MARKS.sub("'", " ".join(x.split()).casefold()) for x in fact.split("…")]
        if any(piece not in lowered for piece in pieces if piece):
            reasons.append(f"quoted fact {fact!r} is not in the cited evidence")
    if reasons:
        return reasons
    target = " ".join(facts) if facts else support
    terms = [stem(w) if not _HAN.match(w) else w for w in words]
    negated = bool(
        re.search(
            r"\b(?:not|no|without|never|doesn't|don't|won't)\b|\w[- ]free\b|^不|^没|^无", need
        )
    )
    if any(_holds(target, [t], negated) for t in terms):
        return []
    han = [w for w in words if _HAN.match(w)]
    if han and all(_by_dictionary(target, w, negated) for w in han):
        return []  # a Chinese word met by its dictionary sense (万用表: "multimeter")
    if (
        han
        and translate is not None
        and all(_holds(target, list(translate(w)), negated) for w in han)
    ):
        return []  # by the catalog's word for it (磨豆: "grinder", as its titles align)
    if COLOUR.search(need):
        return [f"the colour {need!r} is met only by its own word, not by meaning"]
    if similarity is not None and facts:
        if similarity(need, facts) >= threshold:
            return []
        # A Chinese word met by its English translation in the record ("护肤品": skincare).
        english = list(dict.fromkeys(re.findall(r"[A-Za-z][A-Za-z'-]{2,}", target.casefold())))
        han = [w for w in words if _HAN.match(w)]
        if english and han and all(similarity(w, english) >= TRANSLATION for w in han):
            return []
    return [f"the cited fact does not meet the request {need!r}"]
