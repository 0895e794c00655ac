"""A product's own records split into passages a question can be answered from:
its title (and translated title), each attribute, each sentence of its
description and feature list, and each sentence of its reviews. Every passage
has the citation id it is cited by ([P<id>.a2] an attribute, [R<review>.1] a
review's first sentence), so an answer points at the very sentence.

Text that reads like instructions to an assistant, or carries a link, is left
out (catalog.untrusted): reviews are third-party data and are never quoted
when they try to steer.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from catalog.models import Product, Review
from catalog.untrusted import looks_like_instructions
from tools.context import ToolContext
from tools.results import Evidence

MAX_REVIEWS = 200  # reviews read per product: a bound for products with thousands
MAX_PASSAGE_CHARS = 300
# a sentence ends after . ! ? (not after an initial or a title: "by K.A. Tucker", "J. R.
# R. Tolkien", "Dr. Seuss", "in the U.S. and Canada"; a unit after a number ends one:
# "a maximum temperature of +176 F. One of ..."), 。！？；, a bar or a new line
_SENTENCE = re.compile(
    r"(?<=[.!?])(?<![A-Za-z]\s[A-Z]\.)(?<!\.\s[A-Z]\.)(?<!\.[A-Z]\.)(?<!^[A-Z]\.)(?<!\bMr\.)(?<!\bMs\.)"
    r"(?<!\bDr\.)(?<!\bSt\.)(?<!\bMrs\.)(?<!\bvs\.)(?<!\bNo\.)\s+"
    r"|(?<=[。！？；;])\s*|\s*\|\s*|\n+"
)
_SKIP_ATTRIBUTES = ("features", "price_max", "main_category")


@dataclass(frozen=True, slots=True)
class Passage:
    key: str  # ledger key: "<product id>.a2" (kind product) or "<review id>.1" (kind review)
    kind: str  # "product" | "review"
    field: str  # title | title_zh | attribute | description | feature | review
    name: str  # the attribute's name or the review id
    text: str
    product_id: str
    rating: float | None = None  # a review's stars

    @property
    def cid(self) -> str:
        return ("P" if self.kind == "product" else "R") + self.key

    def cite(self, ctx: ToolContext) -> Evidence:
        """Record the passage in the turn's evidence; its id is what answers cite."""
        return ctx.evidence.add(
            self.kind,  # type: ignore[arg-type]
            self.key,
            self.text,
            self.product_id,
            field=self.field,
            name=self.name,
            passage=self.text,
        )


_SAYS_SOMETHING = re.compile(r"[^\W_]")  # a letter, a digit or a Chinese character


def product_passages(product: Product) -> list[Passage]:
    pid = product.id
    out = [Passage(f"{pid}.t", "product", "title", "title", product.title, pid)]
    if product.title_i18n.get("zh"):
        out.append(
            Passage(f"{pid}.z", "product", "title_zh", "title", product.title_i18n["zh"], pid)
        )
    n = 0
    for key, value in product.attributes.items():
        if key in _SKIP_ATTRIBUTES or not isinstance(value, str) or not value.strip():
            continue
        n += 1
        if not _SAYS_SOMETHING.search(value):
            continue  # "Item model number: ^": a value with no word or number says nothing
        text = f"{key.replace('_', ' ')}: {value}"
        out.append(Passage(f"{pid}.a{n}", "product", "attribute", key, _clip(text), pid))
    for prefix, field, text in (
        ("d", "description", product.description),
        ("f", "feature", product.attributes.get("features", "")),
    ):
        for i, sentence in enumerate(split(text), start=1):
            out.append(Passage(f"{pid}.{prefix}{i}", "product", field, field, sentence, pid))
    return [p for p in out if not looks_like_instructions(p.text)]


def review_passages(reviews: Iterable[Review]) -> list[Passage]:
    out = []
    for review in reviews:
        if not review.text or looks_like_instructions(review.text):
            continue  # a review that tries to steer the assistant is not quoted at all
        for i, sentence in enumerate(split(review.text), start=1):
            out.append(
                Passage(f"{review.id}.{i}", "review", "review", review.id, sentence,
                        review.product_id, review.rating)
            )  # fmt: skip
    return out


def passages(ctx: ToolContext, product: Product) -> list[Passage]:
    reviews = ctx.store.reviews(ctx.catalog, product.id, limit=MAX_REVIEWS)
    return product_passages(product) + review_passages(reviews)


def split(text: str) -> list[str]:
    """Sentence-sized pieces of a text (English and Chinese); a run-on sentence
    (a missing space after a full stop, a list without stops) is cut into pieces of
    at most MAX_PASSAGE_CHARS at word boundaries, so nothing in it is lost."""
    parts = [p.strip(" -•*") for p in _SENTENCE.split(text or "")]
    return [piece for p in parts if len(p) >= 3 for piece in _pieces(p)]


def _pieces(text: str) -> list[str]:
    words = text.split()
    out, current = [], ""
    for word in words:
        if current and len(current) + 1 + len(word) > MAX_PASSAGE_CHARS:
            out.append(current)
            current = ""
        current = f"{current} {word}" if current else word
    if current:
        out.append(current)
    return [_clip(p) for p in out]  # a single word longer than the limit is clipped


def _clip(text: str) -> str:
    text = " ".join(text.split())
    if len(text) <= MAX_PASSAGE_CHARS:
        return text
    return text[: MAX_PASSAGE_CHARS - 1].rsplit(" ", 1)[0] + "…"
