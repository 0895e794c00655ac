"""Query cleaning and the BM25 tokenizers (English words plus Chinese).

Two tokenizers share the English side (lower-cased NFKC words, a light plural
strip, a short stop-word list) and differ on runs of Chinese characters:
- `bigram`: overlapping character bigrams (a run of one character stays a
  unigram). No dictionary, robust to brand names and new words;
- `jieba`: jieba's search-mode segmentation (words plus their sub-words).
Which one is the default is decided by `benchmarks/bench_search_zh.py`.
"""

from __future__ import annotations

import functools
import logging
import re
import unicodedata
from collections.abc import Callable

MAX_QUERY_CHARS = 512
TOKENIZERS = ("bigram", "jieba")

_CJK = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_RUNS = re.compile(rf"[{_CJK}]+|[a-z0-9]+(?:['.][a-z0-9]+)*")
_IS_CJK = re.compile(rf"[{_CJK}]")
# Words that carry no product meaning in a shopping query.
_EN_STOP = frozenset(
    (  # noqa: SIM905 - a word list reads better as one string
        "a an and are as at be by for from in is it of on or the to with this that these those"
        " i me my we our you your he she his her they them its want need looking find show"
        " some any please"
    ).split()
)
_ZH_STOP = frozenset(
    (  # noqa: SIM905
        "的 了 和 与 或 在 是 我 你 他 她 它 们 要 想 给 买 一个 一款 一双 一件 一台 有 吗 呢 吧"
        " 推荐 帮 找 请 适合 用 的话 个 款 双 件 台 以内 以下 左右 元 块"
    ).split()
)


def clean_query(text: str, max_chars: int = MAX_QUERY_CHARS) -> str:
    """Control characters removed, whitespace collapsed, cut to `max_chars` characters."""
    text = unicodedata.normalize("NFKC", text or "")
    text = "".join(
        " " if unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Co", "Zl", "Zp") else ch
        for ch in text[: max_chars * 4]
    )
    return " ".join(text.split())[:max_chars].strip()


def query_words(text: str) -> float:
    """About how many words `text` has: Latin words and numbers, plus Chinese
    characters at two per word (the average length of a Chinese word)."""
    runs = _RUNS.findall(text.lower())
    return sum(len(run) / 2 if _IS_CJK.match(run) else 1 for run in runs)


# A list of separate things in one query: "cordless drill; safety goggles".
# Only semicolons: a sentence end often starts a constraint ("Budget 50."),
# not another thing, and would pull the dense side towards it.
_SEGMENT = re.compile(r"\s*[;；]\s*")


def query_segments(text: str) -> list[str]:
    """The parts of a query that name separate things ("blue kettle; tea cups"),
    each of at least two words (two Chinese characters); `[text]` unless there
    are two or more."""
    parts = [p.strip() for p in _SEGMENT.split(text)]
    parts = [p for p in parts if query_words(p) >= (1 if has_cjk(p) else 2)]
    return parts if len(parts) >= 2 else [text]


def has_cjk(text: str) -> bool:
    return bool(_IS_CJK.search(text))


def tokenizer(name: str) -> Callable[[str], list[str]]:
    """The tokenizer called `name` ("bigram" or "jieba")."""
    if name == "bigram":
        return tokenize_bigram
    if name == "jieba":
        return tokenize_jieba
    from catalog.errors import InputError

    raise InputError(f"unknown tokenizer {name!r}; expected one of: {', '.join(TOKENIZERS)}")


def tokenize_bigram(text: str) -> list[str]:
    return _tokenize(text, _bigrams)


def tokenize_jieba(text: str) -> list[str]:
    return _tokenize(text, _jieba_words)


def _tokenize(text: str, split_cjk: Callable[[str], list[str]]) -> list[str]:
    text = unicodedata.normalize("NFKC", text).lower()
    out: list[str] = []
    for run in _RUNS.findall(text):
        if _IS_CJK.match(run):
            out.extend(t for t in split_cjk(run) if t not in _ZH_STOP)
        elif run not in _EN_STOP:
            out.append(_stem(run))
    return out


@functools.lru_cache(maxsize=1 << 16)  # catalog text repeats its words: index 10k products faster
def _stem(word: str) -> str:
    """A light plural strip: boots -> boot, headphones -> headphone, glasses -> glass."""
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def _bigrams(run: str) -> list[str]:
    if len(run) == 1:
        return [run]
    return [run[i : i + 2] for i in range(len(run) - 1)]


_jieba_ready = False


def quiet_jieba():
    """The jieba module, quiet (it logs its dictionary load at INFO), its part-of-speech
    tagger loaded."""
    global _jieba_ready
    import jieba
    import jieba.posseg

    if not _jieba_ready:
        jieba.setLogLevel(logging.WARNING)
        _jieba_ready = True
    return jieba


def jieba_words(run: str, search: bool = True) -> list[str]:
    """jieba's words of a Chinese run: search mode (words plus their sub-words) for
    indexing, plain segmentation otherwise."""
    module = quiet_jieba()
    words = module.lcut_for_search(run) if search else module.lcut(run)
    return [w for w in words if w.strip()]


def _jieba_words(run: str) -> list[str]:
    return jieba_words(run)
