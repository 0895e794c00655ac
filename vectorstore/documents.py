"""Products as search documents: the chunks that are embedded, the fields BM25
reads, and the snippet a hit cites.

One product gives:
- a head chunk (field `title`, offset 0): title, brand, category path, key
  attributes and the start of the description, up to `CHUNK_CHARS`;
- further `description` chunks for the rest of a long description, each with
  its character offset into the description;
- a `title_zh` chunk when the product has a Chinese title, so Chinese queries
  meet Chinese text in a catalog with Chinese titles.
Chunk ids are `<product id>#<field>@<offset>`, so a chunk always names its
product. Metadata carries what Chroma-side filtering would need (price,
currency, category, brand, rating, in-stock), although the search applies the
shared `ProductTable` rules itself so that they are identical everywhere.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass

from catalog.models import Product

CHUNK_CHARS = 600
SNIPPET_CHARS = 240
FIELDS = ("title", "title_zh", "brand", "category", "attributes", "description")


@dataclass(frozen=True, slots=True)
class Chunk:
    id: str
    product_id: str
    field: str  # "title" (head chunk), "description" or "title_zh"
    offset: int  # character offset into the field's text
    text: str

    @property
    def text_hash(self) -> str:
        return hashlib.sha1(self.text.encode("utf-8")).hexdigest()


def attributes_text(product: Product) -> str:
    return "; ".join(f"{k}: {v}" for k, v in product.attributes.items() if v)


def field_texts(product: Product) -> dict[str, str]:
    """The product's searchable fields as plain text (empty fields left out)."""
    fields = {
        "title": product.title,
        "title_zh": product.title_i18n.get("zh", ""),
        "brand": product.brand,
        "category": " > ".join(product.categories),
        "attributes": attributes_text(product),
        "description": product.description,
    }
    return {k: v.strip() for k, v in fields.items() if v and v.strip()}


def bm25_text(product: Product) -> str:
    """Everything BM25 indexes for a product; the title counts twice (it is the best field)."""
    fields = field_texts(product)
    return "\n".join([fields.get("title", ""), *fields.values()])


def chunks(product: Product, chunk_chars: int = CHUNK_CHARS) -> list[Chunk]:
    fields = field_texts(product)
    head = "\n".join(fields[k] for k in ("title", "brand", "category", "attributes") if k in fields)
    description = fields.get("description", "")
    room = max(0, chunk_chars - len(head) - 1)
    first, rest_at = _cut(description, 0, room)
    out = [_chunk(product.id, "title", 0, f"{head}\n{first}".strip())]
    offset = rest_at
    while offset < len(description):
        piece, end = _cut(description, offset, chunk_chars)
        if piece:
            out.append(_chunk(product.id, "description", offset, piece))
        offset = max(end, offset + 1)
    if "title_zh" in fields:
        out.append(_chunk(product.id, "title_zh", 0, fields["title_zh"]))
    return out


def metadata(product: Product, chunk: Chunk) -> dict[str, str | int | float | bool]:
    """The chunk's Chroma metadata: its product and offset, and the fields a filter needs.

    Kept to these keys on purpose: each key costs Chroma about 0.7 s per 20,000
    chunks to write (the field is in the chunk id; the rest is in the catalog)."""
    meta: dict[str, str | int | float | bool] = {
        "product_id": product.id,
        "offset": chunk.offset,
        "currency": product.currency,
        "category": product.category,
        "brand": product.brand,
        "in_stock": product.in_stock,
    }
    if product.price is not None:
        meta["price"] = float(product.price)
    if product.rating_avg is not None:
        meta["rating"] = float(product.rating_avg)
    return meta


def snippet_for(
    product: Product,
    query_tokens: set[str],
    tokenize: Callable[[str], list[str]],
    dense_chunk: Chunk | None,
) -> tuple[str, str, list[str]]:
    """(snippet, its field, matched fields) for a hit.

    The snippet is the sentence or field that shares most query tokens; when none
    does (a purely semantic match) it is the start of the best dense chunk.
    """
    fields = field_texts(product)
    matched: list[str] = []
    best: tuple[int, str, str] = (0, "", "")
    for name, text in fields.items():
        pieces = _sentences(text) if name == "description" else [text]
        for piece in pieces:
            overlap = len(query_tokens & set(tokenize(piece)))
            if overlap and name not in matched:
                matched.append(name)
            if overlap > best[0]:
                best = (overlap, piece, name)
    if dense_chunk is not None and dense_chunk.field not in matched:
        matched.append(dense_chunk.field)
    if best[0]:
        return best[1][:SNIPPET_CHARS], best[2], matched
    if dense_chunk is not None:
        text = fields.get("title", "") if dense_chunk.field == "title" else dense_chunk.text
        return text[:SNIPPET_CHARS], dense_chunk.field, matched
    return fields.get("title", "")[:SNIPPET_CHARS], "title", matched


def _chunk(pid: str, field: str, offset: int, text: str) -> Chunk:
    return Chunk(f"{pid}#{field}@{offset}", pid, field, offset, text)


def _cut(text: str, start: int, size: int) -> tuple[str, int]:
    """text[start:end] with end at a word boundary near start + size; returns (piece, end)."""
    if size <= 0 or start >= len(text):
        return "", start
    end = min(len(text), start + size)
    if end < len(text):
        space = text.rfind(" ", start + size // 2, end)
        end = space if space > start else end
    return text[start:end].strip(), end


def _sentences(text: str) -> list[str]:
    out, start = [], 0
    for i, ch in enumerate(text):
        if ch in ".!?。！？\n" and (i + 1 == len(text) or text[i + 1] in " \n" or ch in "。！？"):
            out.append(text[start : i + 1].strip())
            start = i + 1
    if text[start:].strip():
        out.append(text[start:].strip())
    return [s for s in out if s]
