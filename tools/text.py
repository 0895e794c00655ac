"""Words of a shopper's question, English and Chinese: the key words a record
must contain to answer it, whether it is a yes-no question, whether it asks for
the most or least of something, and negation near a word in a record.

What it simplifies on purpose: a fixed list of question words and function
words per language (not a parser); English words are stemmed lightly (plurals,
-ing, -ed); Chinese is segmented with jieba.
"""

from __future__ import annotations

import functools
import re

from vectorstore.text import jieba_words, quiet_jieba

_RUN = re.compile(r"[\u4e00-\u9fff]+|[A-Za-z0-9]+(?:['][A-Za-z]+)?")
_HAN = re.compile(r"[\u4e00-\u9fff]")
_EN_STOP = frozenset(
    """
    a an the it its it's this that these those they them their there here one ones first second
    third fourth fifth last is are was were be been being does do did doing done can could will
    would should shall may might must has have had having how what which who whom where when why
    of for to in on at by with and or but not no yes any some all both each either of about
    from into as than then so if good well better best much many more most long very really
    also please tell know me my i i'm i'd you your we our us get got make makes made come comes
    came go goes work works worked number option product item thing things kind sort type
    say says said people buyers customers reviewers use used using let like just still ok okay
    enough little bit lot lots pretty quite longest most biggest largest highest greatest
    heaviest thickest strongest widest shortest least smallest lowest lightest thinnest
    cheapest fewest narrowest better worse than ever top meant her him his she he next also
    anything something everything there's would've can't won't isn't aren't doesn't don't
    give gave given want wanted out up down way time times day days always often never again
    back even well one two three first last many much lot own sure thing bought buy buying
    for as on off in at to from into over after before will little big because though
    although while since until unless whether perhaps maybe really actually probably""".split()  # noqa: SIM905
)
_ZH_STOP = frozenset(
    """
    第一个 第二个 第三个 第四个 第五个 第一款 第二款 第三款 一个 一款 这个 那个 这款 那款
    这些 那些 这几款 这几个 它 它们 他 她 我 你 您 吗 呢 么 吧 啊 呀 的 了 是 有 没有 有没有
    能 能不能 可以 可不可以 会 会不会 怎么样 怎么 如何 多少 多久 几 哪 哪个 哪一款 哪款 哪些
    适合 适不适合 好 好不好 不 用 一下 请问 请 还 和 跟 都 也 就 很 最 比较 更 个 款 件 双 种
    些 这 那 什么 为什么 一 二 三 第
    """.split()  # noqa: SIM905
)
_POLAR = re.compile(
    r"^\s*(?:is|are|was|were|does|do|did|can|could|will|would|has|have|should)\b|吗\s*[?？]?\s*$"
    r"|是不是|有没有|能不能|会不会|可不可以|适不适合",
    re.I,
)
_NEGATION = re.compile(
    r"\b(?:not|no|never|without|isn't|aren't|doesn't|don't|non)\b|不|没|无", re.I
)
_MOST = re.compile(
    r"\b(?:longest|most|biggest|largest|highest|greatest|heaviest|thickest|strongest|widest)\b"
    r"|最(?:长|多|大|高|重|厚|久|强|宽)",
    re.I,
)
_LEAST = re.compile(
    r"\b(?:shortest|least|smallest|lowest|lightest|thinnest|cheapest|fewest|narrowest)\b"
    r"|最(?:短|少|小|低|轻|薄|便宜|窄)",
    re.I,
)


@functools.lru_cache(maxsize=4096)
def stem(word: str) -> str:
    """boots -> boot, batteries -> battery, cleaning -> clean, rated -> rat(e)."""
    w = word.casefold()
    if len(w) > 4 and w.endswith("ies"):
        return w[:-3] + "y"
    if len(w) > 5 and w.endswith("ing"):
        return w[:-3]
    if len(w) > 4 and w.endswith("ed"):
        return w[:-2]
    if len(w) > 3 and w.endswith("es") and w[-3] in "sxz":
        return w[:-2]
    if len(w) > 3 and w.endswith("s") and not w.endswith(("ss", "us", "is")):
        return w[:-1]
    return w


def content_terms(text: str) -> list[str]:
    """The key words of a question (stemmed English words, Chinese words), in order."""
    return list(dict.fromkeys(stem(w) if not _HAN.match(w) else w for w in content_words(text)))


def content_words(text: str) -> list[str]:
    """The key words of a question as written."""
    out: list[str] = []
    for run in _RUN.findall(text or ""):
        if _HAN.match(run):
            out.extend(w for w in _content_segments(run) if w not in _ZH_STOP and not _only_stop(w))
        elif run.casefold() not in _EN_STOP and not run.isdigit():
            out.append(run.casefold())
    return list(dict.fromkeys(t for t in out if len(t) > 1 or _HAN.match(t)))


def contains_term(text: str, term: str) -> bool:
    """Whether a record's text has the word (stem-matched in English, a substring in
    Chinese)."""
    if _HAN.match(term):
        return term in text
    return term in _stems(text)


@functools.lru_cache(maxsize=8192)
def _stems(text: str) -> frozenset[str]:
    return frozenset(stem(w) for w in re.findall(r"[A-Za-z0-9]+", text))


def is_stopword(word: str) -> bool:
    return word.casefold() in _EN_STOP or word in _ZH_STOP


def is_polar(question: str) -> bool:
    """A yes-no question ("is it waterproof?", "它防水吗？")."""
    return bool(_POLAR.search(question.strip()))


def superlative(question: str) -> str | None:
    """ "max" for "which lasts longest", "min" for "which is lightest", else None."""
    if _MOST.search(question):
        return "max"
    if _LEAST.search(question):
        return "min"
    return None


def negated_near(text: str, term: str, window: int = 3) -> bool:
    """A negation word among the few words before the term ("not waterproof", "不防水")."""
    if _HAN.match(term):
        at = text.find(term)
        return at > 0 and bool(_NEGATION.search(text[max(0, at - 3) : at]))
    words = re.findall(r"[A-Za-z0-9']+", text)
    for i, word in enumerate(words):
        if stem(word) == term:
            before = " ".join(words[max(0, i - window) : i])
            if _NEGATION.search(before):
                return True
    return False


def _only_stop(word: str) -> bool:
    return all(ch in "的了吗呢么吧啊呀个款件" for ch in word)


def _segment(run: str) -> list[str]:
    return jieba_words(run, search=False)


# jieba's tags of words that carry no content: pronouns, numerals, measure words,
# prepositions, localisers, particles, adverbs, conjunctions, modal particles.
_FUNCTION_TAGS = ("r", "m", "q", "p", "f", "u", "d", "c", "y", "e", "o", "zg")


def _content_segments(run: str) -> list[str]:
    posseg = quiet_jieba().posseg  # configured before its part-of-speech tagger loads

    return [
        w.word for w in posseg.lcut(run) if w.word.strip() and not w.flag.startswith(_FUNCTION_TAGS)
    ]
