"""Two letters swapped in a word ("Not that brnad", "None of tehse", "desk lmaps")
put back before the message is read, so the rules, the router and search see the
word the shopper meant.

A word of five letters or more that is neither an English word (the dictionary's
word list) nor a word of the catalog's titles is corrected when exactly one swap
of two neighbouring letters makes it one; any other word is left as written (a
brand, a model number, a word no list has).

What it simplifies on purpose: only swapped neighbours, the commonest typing
slip; a missing, doubled or wrong letter is left to the embedding, which is
tolerant of it.
"""

from __future__ import annotations

import re

from tools.dictionary import english_vocabulary
from tools.text import stem

_WORD = re.compile(r"[A-Za-z]{5,}")
_ENDINGS = ("er", "est", "ly", "s", "es", "ed", "ing")


def corrected(text: str, catalog_words: frozenset[str] = frozenset()) -> str:
    """The message with each misspelt word put right (see the module's docstring)."""
    english = english_vocabulary()
    if not english:
        return text

    def known(word: str) -> bool:
        if word in english or word in catalog_words or stem(word) in english:
            return True
        for ending in _ENDINGS:  # an inflection of a word of four letters or more
            base = word[: -len(ending)]
            if (
                word.endswith(ending)
                and len(base) >= 4
                and (base in english or base + "e" in english)
            ):
                return True
        return False

    def fix(m: re.Match) -> str:
        written = m.group(0)
        word = written.casefold()
        if known(word):
            return written
        swaps = {word[:i] + word[i + 1] + word[i] + word[i + 2 :] for i in range(len(word) - 1)}
        found = [w for w in swaps - {word} if known(w)]
        if len(found) != 1:
            return written
        right = found[0]
        return right.capitalize() if written[0].isupper() else right

    return _WORD.sub(fix, text)
