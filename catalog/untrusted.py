"""Catalog text (descriptions, reviews) is data written by strangers. Before the
assistant quotes any of it to a shopper, text that reads like instructions to an
assistant, or carries a link or an address, is left out: quoting it would repeat
an injection attempt or spam even though nothing acts on it.

Conservative by design: a genuine review that mentions "instructions" is simply
not quoted; the product's own facts still explain it.
"""

from __future__ import annotations

import re

SUSPICIOUS = re.compile(
    r"""
    https?:// | \bwww\. | \b[\w.+-]+@[\w-]+\.[a-z]{2,}\b            # links, e-mail addresses
    | \b(?:ignore|disregard|forget|override)\b
      .{0,40}\b(?:instruction|rule|prompt|above|previous|prior)
    | \bsystem\s*prompt | \binstructions?\b | \bprompt\b
    | \byou\s+are\s+(?:now\s+)?(?:an?|the|my)\s | \bas\s+an\s+ai\b
    | \b(?:assistant|system|developer|admin)\s*: | \[/?(?:inst|system)\]
    | \b(?:recommend|show|promote)\s+(?:product|item|sku|id)\b
    | \b(?:tell|inform)\s+(?:the\s+)?(?:shopper|customer|user|buyer)s?\b
    | \b(?:other|another)\s+(?:shopper|customer|user)s?'?\b
    | \b(?:shopper|customer|user|account)\s+(?:id\s+)?[a-z]*\d
    | <\s*/?\s*(?:script|img|iframe|a)\b
    | 忽略 | 无视 | 指令 | 提示词 | 系统提示 | 管理员 | (?:系统|助手|开发者)\s*[:：]
    | 其他(?:用户|顾客|买家) | 告诉(?:用户|顾客|买家)
    | 推荐(?:商品|产品)\s*\d | (?:顾客|用户|买家)\s*[a-z]*\d
    """,
    re.IGNORECASE | re.VERBOSE,
)


def looks_like_instructions(text: str) -> bool:
    """True when untrusted text should not be quoted to a shopper."""
    return bool(SUSPICIOUS.search(text or ""))
