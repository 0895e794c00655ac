"""One brand, one name: spelling variants of a brand merged at ingest, and the same
rule used wherever a shopper's words are matched against brands.

Two spellings are one brand when they differ only in case, accents, punctuation
("Oral-B" / "Oral B", "Bloomin' Brands"), "&" against "and", a leading "The" or a
trailing legal form ("Inc", "Inc.", "Co., Ltd.", "Corporation"). The canonical
spelling of a group is the one most products use.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterable
from functools import lru_cache
from itertools import pairwise

# Legal forms that name no brand of their own; dropped from the end of a brand's key.
LEGAL_FORMS = frozenset(
    {
        *("inc", "incorporated", "llc", "llp", "ltd", "limited", "co", "corp"),
        *("corporation", "company", "gmbh", "ag", "sa", "srl", "plc", "pty", "bv", "oy", "ab"),
        "kg",
    }
)
_APOSTROPHES = re.compile(r"['’`´]")
_TOKEN = re.compile(r"&|[^\W_]+")


def _tokens(brand: str, plain: bool = True) -> list[str]:
    """The brand's casefolded words ("&" read as "and"); `plain` also drops accents."""
    text = brand.casefold()
    if plain:
        text = unicodedata.normalize("NFKD", text)
        text = "".join(c for c in text if not unicodedata.combining(c))
    return ["and" if t == "&" else t for t in _TOKEN.findall(_APOSTROPHES.sub("", text))]


def _core(tokens: list[str]) -> list[str]:
    """Tokens without a leading "the" and trailing legal forms (never all of them)."""
    core = tokens[1:] if len(tokens) > 1 and tokens[0] == "the" else list(tokens)
    while len(core) > 1 and core[-1] in LEGAL_FORMS:
        core.pop()
    return core


def brand_key(brand: str) -> str:
    """The comparison key of a brand: "Trusted Media Brands, Inc." and "trusted media
    brands inc" have the same key."""
    return " ".join(_core(_tokens(brand)))


def canonical_brands(brands: Iterable[str]) -> tuple[dict[str, str], list[dict]]:
    """(spelling -> canonical spelling for every spelling that changes, merged groups).

    `brands` holds one entry per product, so counts are product counts. The canonical
    spelling is the most frequent one; ties go to a spelling in mixed case, then to
    the one with fewer words (no "The", no legal form), then to the longer one (it
    keeps the punctuation), then alphabetically."""
    counts = Counter(b for b in brands if b)
    groups: dict[str, Counter] = defaultdict(Counter)
    for spelling, n in counts.items():
        key = brand_key(spelling)
        if key:
            groups[key][spelling] += n
    mapping: dict[str, str] = {}
    merged: list[dict] = []
    for spellings in groups.values():
        if len(spellings) < 2:
            continue
        canonical = max(
            spellings,
            key=lambda s: (
                spellings[s],
                not s.isupper() and not s.islower(),
                -len(_tokens(s)),
                len(s),
                [-ord(c) for c in s],
            ),
        )
        for spelling in spellings:
            if spelling != canonical:
                mapping[spelling] = canonical
        merged.append(
            {
                "canonical": canonical,
                "variants": dict(spellings.most_common()),
                "products": sum(spellings.values()),
            }
        )
    merged.sort(key=lambda g: (-g["products"], g["canonical"]))
    return mapping, merged


def brand_anchor(brand: str) -> str:
    """A casefolded word every spelling of the brand contains (its longest core word):
    a cheap test before the pattern is tried."""
    words = [t for t in _spelled(brand) if t != "and"]
    return max(words, key=len) if words else ""


def _spelled(brand: str) -> list[str]:
    """The core words as the brand writes them (accents kept), an apostrophe splitting."""
    return _core(_tokens(_APOSTROPHES.sub(" ", brand), plain=False))


@lru_cache(maxsize=8192)
def brand_pattern(brand: str) -> re.Pattern | None:
    """A pattern (case-insensitive) that finds the brand in any of its spellings:
    separators between its words may differ ("Oral-B", "oral b"), and be missing next
    to a single letter or "&" ("oralb", "levis", "b&c") but not between two words
    ("redlobster" is not "Red Lobster"); "&" and "and" are the same; a leading "the"
    and trailing legal forms are optional. Only Latin letters and digits bound it, so a
    brand written next to Chinese ("要Hearst的") is found."""
    core = _spelled(brand)
    if not core:
        return None
    body = "(?:&|and)" if core[0] == "and" else re.escape(core[0])
    for before, word in pairwise(core):
        tight = min(len(before), len(word)) == 1 or "and" in (before, word)
        body += r"[\W_]{0,3}" if tight else r"[\W_]{1,3}"
        body += "(?:&|and)" if word == "and" else re.escape(word)
    legal = "|".join(sorted(LEGAL_FORMS, key=len, reverse=True))
    return re.compile(
        rf"(?<![A-Za-z0-9])(?:the\s+)?{body}(?:[\s,]{{1,3}}(?:{legal})\b\.?)*(?![A-Za-z0-9])",
        re.IGNORECASE,
    )
