"""Two letters swapped in a word ("Not that brnad", "None of tehse", "desk lmaps")
put back before the message is read, so the rules, the router and search see the
word the shopper meant.

A word of five letters or more that is no English word (the dictionary's word
list, its inflections) and no word of the catalog's titles is corrected when
exactly one swap of two neighbouring letters makes it a word the assistant reads:
a word of its rules ("brand", "these", "cheaper", "please") or of the catalog's
titles ("lamps"). Any other word is left as written: a brand, a model number, a
word of a description no list has ("electro" is not made "elector").

What it simplifies on purpose: only swapped neighbours, the commonest typing
slip, and a letter typed twice ("hikking"), and only into the words the rules and the
catalog use; a missing or wrong letter is left to the embedding, which tolerates it.
"""

from __future__ import annotations

import functools
import re

from tools.dictionary import english_vocabulary
from tools.text import stem

_WORD = re.compile(r"[A-Za-z]{5,}")
_ENDINGS = ("er", "ers", "est", "ly", "s", "es", "ed", "ing", "d", "able", "ness", "ment")


@functools.cache
def rule_words() -> frozenset[str]:
    """The words the rules read (their patterns and stop words), five letters or more."""
    from agent import parse, planner, references

    words: set[str] = set(parse._STOPWORDS)
    for module in (parse, planner, references):
        for value in vars(module).values():
            patterns = value if isinstance(value, list) else [value]
            for item in patterns:
                pattern = item[1] if isinstance(item, tuple) and len(item) == 2 else item
                if isinstance(pattern, re.Pattern):
                    source = re.sub(r"\\[A-Za-z]", " ", pattern.pattern)  # \b, \s: no letters
                    words.update(re.findall(r"[a-z]{5,}", source.casefold()))
    return frozenset(w for w in words if len(w) >= 5)


def corrected(text: str, catalog_words: frozenset[str] = frozenset()) -> str:
    """The message with each misspelt word put right (see the module's docstring)."""
    english = english_vocabulary()
    if not english:
        return text
    targets, stems = _targets(catalog_words)

    def known(word: str) -> bool:
        if word in english or word in targets or stem(word) in english or stem(word) in stems:
            return True
        for ending in _ENDINGS:  # an inflection: "filed" of file, "theyre" left alone
            base = word[: -len(ending)]
            if ending == "d" and not base.endswith("e"):
                continue  # "filed" of file, but "barnd" is no form of barn
            if (
                word.endswith(ending)
                and len(base) >= 3
                and (base in english or base + "e" in english)
            ):
                return True
            if (  # its last letter doubled: "capped" of cap, "transferring" of transfer
                word.endswith(ending)
                and len(base) >= 4
                and base[-1] == base[-2]
                and base[:-1] in english
            ):
                return True
        return False

    def meant(word: str) -> bool:
        return word in targets or stem(word) in targets

    def fix(m: re.Match) -> str:
        written = m.group(0)
        word = written.casefold()
        if known(word):
            return written
        swaps = {word[:i] + word[i + 1] + word[i] + word[i + 2 :] for i in range(len(word) - 1)}
        # a letter typed twice ("hikking"): the word with one of the pair left out; not
        # of a capitalised word, likely a name ("Robbin", "Excell")
        name = written[:1].isupper() and written[1:].islower()
        doubled = {
            word[:i] + word[i + 1 :]
            for i in range(len(word) - 1)
            if word[i] == word[i + 1] and not name
        }
        found = [w for w in (swaps | doubled) - {word} if meant(w)]
        if len(found) != 1:
            return written
        right = found[0]
        return right.capitalize() if written[0].isupper() else right

    return _WORD.sub(fix, text)


@functools.lru_cache(maxsize=8)
def _targets(catalog_words: frozenset[str]) -> tuple[frozenset[str], frozenset[str]]:
    """The words a slip may be put back into, and their stems: built once per catalog
    (its title words are the same set every turn), not on every message."""
    targets = rule_words() | catalog_words
    return targets, frozenset(stem(w) for w in targets)


# A slip put right in the same message, as a voice assistant transcribes it: "a backpack
# for school no wait for hiking", "the second one, I mean the third one", "台灯 不对 是瑜伽垫".
_CORRECTION_EN = re.compile(
    r"[,;]?\s*\b(?:no,?\s+wait|wait,?\s+no|sorry,?\s+i\s+mean|i\s+mean|or\s+rather"
    r"|scratch\s+that|actually\s+no)\b[,;]?\s*",
    re.I,
)
# (in Chinese, said as a chunk of its own: not "这个说法不对吧")
_CORRECTION_ZH = re.compile(r"[，,\s]+(?:不对不对|不对|说错了|哦不|不是不是)(?:[，,\s]+是?|是)")
_FILLERS = frozenset("uh um er erm like so okay ok well".split())  # noqa: SIM905
_RUN = re.compile(r"[A-Za-z0-9$'’-]+")


# Chat shorthand written out ("can u wrap it", "how many pts do i have rn"): whole words
# only, never inside a code or a name ("U-lock", "u0001").
_SHORTHAND = {
    "u": "you", "ur": "your", "pls": "please", "plz": "please", "thx": "thanks",
    "rn": "right now", "pts": "points", "tmrw": "tomorrow", "tmr": "tomorrow",
    "b4": "before", "bc": "because", "abt": "about", "wat": "what", "wats": "what's",
    "ppl": "people", "w/": "with", "w/o": "without",
}  # fmt: skip
_SHORTHAND_WORD = re.compile(
    r"(?<![\w'’/-])("
    + "|".join(map(re.escape, sorted(_SHORTHAND, key=len, reverse=True)))
    + r")(?![\w'’/-])",
    re.I,
)


def shorthand(text: str) -> str:
    """Chat shorthand in a message written out as words."""
    return _SHORTHAND_WORD.sub(lambda m: _SHORTHAND[m.group(1).casefold()], text)


def self_corrected(text: str) -> str:
    """The message with what the shopper took back left out: in English as many words
    before the correction as it takes to reach its first content word after it ("for
    school no wait for hiking": "for school"; "the uh second one no wait the third one":
    "second one"), fillers aside; in Chinese the run of words before it, back to a space
    or a comma ("台灯 不对 是瑜伽垫", "第一个和第二个，不对，第一个和第三个")."""
    if m := _CORRECTION_ZH.search(text):
        before = text[: m.start()]
        cut = max(before.rfind(c) for c in " ，,、")
        return self_corrected(before[: cut + 1] + text[m.end() :])
    m = _CORRECTION_EN.search(text)
    if m is None:
        return text
    after = _RUN.findall(text[m.end() :])
    n = next((i + 1 for i, w in enumerate(after) if not _is_light(w)), 0)
    before = text[: m.start()]
    words = list(_RUN.finditer(before))
    kept = [w for w in words if w.group(0).casefold() not in _FILLERS]
    if not n or len(kept) < n:
        return text
    start = kept[-n].start()
    return self_corrected(before[:start].rstrip() + " " + text[m.end() :])


_LIGHT = frozenset("the a an for to in on with of from by at my".split())  # noqa: SIM905


def _is_light(word: str) -> bool:
    """An article, preposition or filler: not yet what the correction is about."""
    return word.casefold() in _FILLERS or word.casefold() in _LIGHT


_LATIN = re.compile(r"[A-Za-z][A-Za-z'-]*")
# Six letters or more: shorter names are too often another name one letter off ("Ender"
# of a printer is no "Bender", "Xpert" no "Expert").
MIN_BRAND_SLIP = 6


def brand_slips(text: str, brands: tuple[str, ...], catalog_words: frozenset[str]) -> str:
    """The message with a brand name misspelt by one letter put right ("Sonara" ->
    Sonora, "Breightdesk" -> Brightdesk, "Kaiju Steal" -> Kaiju Steel): a word written
    with a capital, of six letters or more, that is no English word and no word of the
    catalog's titles, one letter added, left out or changed from exactly one brand's
    word; a brand of two words where its first, a name, is written right and its
    second one letter off."""
    index, pairs = _brand_index(brands)
    if not index and not pairs:
        return text
    english = english_vocabulary()
    words = list(_LATIN.finditer(text))
    out, last = [], 0
    names = _brand_names(brands)
    for i, m in enumerate(words):
        written, word = m.group(0), m.group(0).casefold()
        right = None
        if _IN_CODE.match(text[m.start() - 1 : m.start()]) or _IN_CODE.match(text[m.end() :]):
            continue  # "1_APPLEBEES_apple": part of a code, not a name
        before = words[i - 1].group(0).casefold() if i else ""
        if (
            before in pairs
            and before not in english  # a name first ("Kaiju"), not "Big" of "Big Horn"
            and word not in pairs[before]
            and not any(n.startswith(f"{before} {word}") for n in names)  # "BJ's Restaurant &"
        ):
            near = {s for s in pairs[before] if _one_edit(word, s)}
            right = near.pop() if len(near) == 1 else None
        if (
            right is None
            and written[:1].isupper()  # written as a name: a slip of a common word stays
            and len(word) >= MIN_BRAND_SLIP
            and word not in index.get(word, ())  # a brand's own word ("Weld-on")
            and word not in english
            and word not in catalog_words
            and stem(word) not in english
        ):
            near = set().union(*(index.get(v, set()) for v in {word, *_deletes(word)}))
            near = {b for b in near if _one_edit(word, b)}
            right = near.pop() if len(near) == 1 else None
        if right is not None and right != word:
            out += [text[last : m.start()], right.capitalize() if written[0].isupper() else right]
            last = m.end()
    return "".join([*out, text[last:]]) if out else text


@functools.lru_cache(maxsize=8)
def _brand_index(brands: tuple[str, ...]) -> tuple[dict[str, set[str]], dict[str, set[str]]]:
    """A brand's words of six letters or more under themselves and each of their forms
    with one letter left out; and, for brands of two words, the first word -> the second."""
    index: dict[str, set[str]] = {}
    pairs: dict[str, set[str]] = {}
    for brand in brands:
        words = [w.casefold() for w in _LATIN.findall(brand)]
        for word in words:
            if len(word) >= MIN_BRAND_SLIP:
                for v in {word, *_deletes(word)}:
                    index.setdefault(v, set()).add(word)
        if len(words) == 2 and len(words[1]) >= 4:
            pairs.setdefault(words[0], set()).add(words[1])
    return index, pairs


_IN_CODE = re.compile(r"[_\d]")


@functools.lru_cache(maxsize=8)
def _brand_names(brands: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(" ".join(w.casefold() for w in _LATIN.findall(b)) for b in brands)


def _deletes(word: str) -> set[str]:
    return {word[:i] + word[i + 1 :] for i in range(len(word))}


def _one_edit(a: str, b: str) -> bool:
    """Whether b is a one letter added, left out or changed (or two neighbours swapped)."""
    if a == b or abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        diff = [i for i in range(len(a)) if a[i] != b[i]]
        return len(diff) == 1 or (
            len(diff) == 2
            and diff[1] == diff[0] + 1
            and a[diff[0]] == b[diff[1]]
            and a[diff[1]] == b[diff[0]]
        )
    short, long_ = (a, b) if len(a) < len(b) else (b, a)
    return any(long_[:i] + long_[i + 1 :] == short for i in range(len(long_)))
