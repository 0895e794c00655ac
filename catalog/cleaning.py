"""Cleaning and validation between an importer and the store.

Every repair is counted in the report; nothing is silently changed. What this
module simplifies on purpose: currencies are recognised from a fixed table of
symbols and ISO codes, and a price range is stored as its lower bound (the
upper bound goes into the product's attributes as `price_max`).
"""

from __future__ import annotations

import html
import math
import re
from datetime import UTC, datetime

from catalog.brands import canonical_brands
from catalog.models import Interaction, Product, RawDataset, Review, Shopper
from catalog.report import ValidationReport

# A price above this is treated as a data error, not a real offer.
ABSURD_PRICE = 1_000_000.0

_CURRENCY_SYMBOLS = {
    "$": "USD",
    "US$": "USD",
    "¥": "CNY",
    "￥": "CNY",
    "元": "CNY",
    "RMB": "CNY",
    "€": "EUR",
    "£": "GBP",
}
_ISO_CODES = {"USD", "CNY", "EUR", "GBP", "JPY", "CAD", "AUD", "INR"}
_NUMBER = r"\d{1,3}(?:[,\s]\d{3})+(?:\.\d+)?|\d+(?:[.,]\d+)?"
_PRICE_RE = re.compile(
    rf"(?P<cur1>US\$|RMB|[$¥￥€£]|[A-Z]{{3}})?\s*(?P<num>{_NUMBER})\s*(?P<cur2>元|RMB|[A-Z]{{3}})?"
)
_SCRIPT_RE = re.compile(r"<\s*(script|style)\b[^>]*>.*?(<\s*/\s*\1\s*>|$)", re.I | re.S)
_TAG_RE = re.compile(r"<[^>]{0,2000}>")
_JUNK_RE = re.compile(
    r"(getTime\(\)|var\s+\w+\s*=|function\s*\(|\{[^}]*:[^}]*\}|</?(div|span|script|style|a|br|p)\b"
    r"|\"?\s*/>)",
    re.IGNORECASE,
)
_ATTRIBUTE_TAIL_RE = re.compile(r'"\s*/?>\s*$')
_SPACE_RE = re.compile(r"\s+")
_BY_PREFIX = re.compile(r"^by\s+", re.IGNORECASE)
_TRAILING_PUNCT_RE = re.compile(r"^[\s\-–—|,;:]+|[\s\-–—|,;:]+$")


def parse_price(
    raw: object, default_currency: str = "USD"
) -> tuple[float | None, str, float | None]:
    """Parse a price like "$25.00", "¥199", "199元", "$10.00 - $20.00" or 12.5.

    Returns (price, currency, upper bound of a range or None). `price` is None
    when the text holds no price. Negative numbers are returned as they are so
    the caller can report them.
    """
    if raw is None or raw == "":
        return None, default_currency, None
    if isinstance(raw, bool):
        return None, default_currency, None
    if isinstance(raw, int | float):
        value = float(raw)
        return (value if math.isfinite(value) else None), default_currency, None
    text = str(raw).strip()
    if not text or len(text) > 64:  # page markup pasted into the price field
        return None, default_currency, None
    negative = text.startswith("-")
    matches = [m for m in _PRICE_RE.finditer(text) if m.group("num")]
    if not matches:
        return None, default_currency, None
    values: list[float] = []
    currency = default_currency
    for m in matches[:2]:
        values.append(_to_number(m.group("num")))
        for cur in (m.group("cur1"), m.group("cur2")):
            if cur:
                currency = _CURRENCY_SYMBOLS.get(cur, cur if cur in _ISO_CODES else currency)
    low = -values[0] if negative else values[0]
    high = values[1] if len(values) > 1 and values[1] > low else None
    return low, currency, high


def _to_number(text: str) -> float:
    text = text.replace(" ", "")
    if "," in text and "." not in text and re.fullmatch(r"\d+,\d{1,2}", text):
        text = text.replace(",", ".")  # decimal comma: "12,50"
    return float(text.replace(",", ""))


def apply_price(product: Product, raw: object, report: ValidationReport) -> None:
    """Set a product's price and currency from raw source text, counting repairs."""
    price, currency, high = parse_price(raw, product.currency)
    if price is None:
        if raw not in (None, ""):
            report.flagged["price_unparseable"] += 1
        return
    if isinstance(raw, str):
        report.repaired["price_parsed_from_text"] += 1
    if high is not None:
        product.attributes["price_max"] = f"{high:.2f}"
        report.repaired["price_range_to_lower_bound"] += 1
    product.price, product.currency = price, currency


def clean_text(text: object) -> str:
    """Unescape entities, strip tags, collapse whitespace."""
    if text is None:
        return ""
    if isinstance(text, list):
        text = "\n".join(str(t) for t in text if t)
    out = html.unescape(str(text))
    out = _SCRIPT_RE.sub(" ", out)  # a script's or style's body is code, not text
    out = _TAG_RE.sub(" ", out)
    return _SPACE_RE.sub(" ", out).strip()


def looks_like_junk(title: str) -> bool:
    """True for titles that carry page markup or script instead of a name."""
    return bool(_JUNK_RE.search(title)) or "<" in title or "&lt;" in title


def repair_title(product: Product, report: ValidationReport) -> None:
    """Clean a title; rebuild it from other fields when it is markup."""
    raw = (product.title or "").strip()
    if not raw:
        product.title = ""
        return  # nothing to repair; counted as missing
    title = clean_text(raw)
    if looks_like_junk(html.unescape(raw)):
        # Keep the readable part before the first script fragment, if any.
        title = _TRAILING_PUNCT_RE.sub("", _JUNK_RE.split(title)[0]).strip()
        if title and not looks_like_junk(title) and not _page_label(title, raw, product):
            report.repaired["title_markup_removed"] += 1
        else:
            title = _title_from_other_fields(product)
            if title:
                report.repaired["title_rebuilt_from_other_fields"] += 1
            else:
                report.flagged["title_unrecoverable"] += 1
    elif html.unescape(raw) != raw:
        report.repaired["title_html_entities"] += 1
    product.title = title[:500]
    for language, text in list(product.title_i18n.items()):  # translated titles alike
        cleaned = clean_text(text)[:500]
        if cleaned != text:
            report.repaired["title_markup_removed"] += 1
        if cleaned:
            product.title_i18n[language] = cleaned
        else:
            del product.title_i18n[language]


def _page_label(kept: str, raw: str, product: Product) -> bool:
    """True when the text left before the markup is a page's label, not the product's
    name: the tail of an attribute value ('Industrial & Scientific" />') or the name of
    one of its categories."""
    lowered = kept.casefold()
    return bool(_ATTRIBUTE_TAIL_RE.search(raw)) or any(
        c.casefold().startswith(lowered) for c in product.categories
    )


def _title_from_other_fields(product: Product) -> str:
    """A name for a product whose title was markup: the name its description begins
    with (listings often open with the product's own name), else brand + category,
    which reads like "Publisher Software" and names nothing a shopper would ask for."""
    lead = re.split(r"(?<=[.!?])\s|\s[-–—|:]\s|\n", clean_text(product.description or ""))[0]
    lead = lead.strip().rstrip(".")
    if 2 <= len(lead.split()) <= 15 and not looks_like_junk(lead):
        return lead[:120]
    parts = [product.brand, product.category]
    return " ".join(p for p in parts if p).strip() or lead[:120]


def normalise_timestamp(value: object) -> int | None:
    """Unix seconds from seconds, milliseconds, ISO strings or "MM D, YYYY"."""
    if value is None or value == "":
        return None
    if isinstance(value, int | float) and not isinstance(value, bool):
        if not math.isfinite(value):
            return None
        ts = float(value)
        if ts > 1e14:  # microseconds
            ts /= 1e6
        elif ts > 1e11:  # milliseconds
            ts /= 1e3
        return int(ts) if ts >= 0 else None
    text = str(value).strip()
    if re.fullmatch(r"-?\d+(\.\d+)?", text):
        return normalise_timestamp(float(text))
    for fmt in ("%m %d, %Y", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d", "%B %d, %Y"):
        try:
            return int(datetime.strptime(text, fmt).replace(tzinfo=UTC).timestamp())
        except ValueError:
            continue
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return int(parsed.timestamp())


def clean_dataset(raw: RawDataset, report: ValidationReport) -> RawDataset:
    """Deduplicate, repair and drop what cannot be stored; count everything."""
    products = _clean_products(raw.products, report)
    known = {p.id for p in products}
    interactions = _clean_interactions(raw.interactions, known, report)
    reviews = _clean_reviews(raw.reviews, known, report)
    shoppers = _collect_shoppers(raw.shoppers, interactions, reviews, report)
    _fill_rating_stats(products, reviews)
    report.kept.update(
        products=len(products),
        shoppers=len(shoppers),
        interactions=len(interactions),
        reviews=len(reviews),
    )
    return RawDataset(products, shoppers, interactions, reviews)


def _clean_products(items: list[Product], report: ValidationReport) -> list[Product]:
    report.read["products"] += len(items)
    seen: dict[str, Product] = {}
    for product in items:
        product.id = str(product.id).strip()
        if not product.id:
            report.dropped["product_without_id"] += 1
            continue
        if product.id in seen:
            report.duplicates_removed["products"] += 1
            continue
        product.brand = clean_text(product.brand)[:200]
        if _BY_PREFIX.match(product.brand):  # Amazon metadata writes "by Apple" for Apple
            product.brand = _BY_PREFIX.sub("", product.brand)
            report.repaired["brand_by_prefix"] += 1
        product.description = clean_text(product.description)
        product.categories = [c for c in (clean_text(c) for c in product.categories) if c]
        repair_title(product, report)
        _check_price(product, report)
        _count_product_missing(product, report)
        seen[product.id] = product
    products = list(seen.values())
    _merge_brand_variants(products, report)
    _tell_apart_titles(products, report)
    return products


def _merge_brand_variants(products: list[Product], report: ValidationReport) -> None:
    """One spelling per brand ("Trusted Media Brands, Inc" / "..., Inc."), so a brand
    filter admits all of its products; each merged group is listed in the report."""
    mapping, groups = canonical_brands(p.brand for p in products)
    for product in products:
        canonical = mapping.get(product.brand)
        if canonical is not None:
            product.brand = canonical
            report.repaired["brand_variant_merged"] += 1
    report.merged_brands = groups


# Attribute keys whose values tell look-alike products apart, most useful first; other
# short attribute values follow, then the description's opening words, then the id.
_TELLING_KEYS = ("format", "edition", "size", "color", "colour", "style", "model", "version")
_UNTELLING_KEY = re.compile(r"ship|categor|feature|rank|date|price", re.I)
_MAX_FACT = 40


def display_key(title: str) -> str:
    """Two titles a shopper cannot tell apart have the same key."""
    return _SPACE_RE.sub(" ", title).strip().casefold()


def _tell_apart_titles(products: list[Product], report: ValidationReport) -> None:
    """Products that would display the same title get the facts that tell them apart
    appended, "Conde Nast (Literary Magazines)": the category leaf, then the attribute
    values that differ within the group (format, edition, size, colour first), then the
    description's opening words, the id only when nothing else differs. A product of
    the group that the others' facts already tell apart keeps its title."""
    groups: dict[str, list[Product]] = {}
    for product in products:
        if product.title:
            groups.setdefault(display_key(product.title), []).append(product)
    for group in (g for g in groups.values() if len(g) > 1):
        parts: dict[str, list[str]] = {p.id: [] for p in group}
        for fact in _telling_facts(group):
            clashing = _clashing(group, parts)
            if not clashing:
                break
            values = {p.id: fact(p) for p in clashing}
            if len({v.casefold() for v in values.values()}) > 1:
                for pid, value in values.items():
                    if value:
                        parts[pid].append(value)
        for product in _clashing(group, parts):
            parts[product.id].append(f"item {product.id}")
        title = group[0].title
        shown = []
        for product in (p for p in group if parts[p.id]):
            product.title = f"{product.title} ({', '.join(parts[product.id])})"[:500]
            shown.append(product.title)
        report.disambiguated_titles.append(
            {"title": title, "products": len(group), "shown_as": shown[:5]}
        )
        report.repaired["title_told_apart"] += len(group)
    report.disambiguated_titles.sort(key=lambda g: (-g["products"], g["title"]))


def _clashing(group: list[Product], parts: dict[str, list[str]]) -> list[Product]:
    """The products of the group whose appended facts do not yet tell them apart."""
    seen: dict[str, list[Product]] = {}
    for p in group:
        seen.setdefault(" | ".join(parts[p.id]).casefold(), []).append(p)
    return [p for same in seen.values() if len(same) > 1 for p in same]


def _telling_facts(group: list[Product]):
    yield lambda p: p.category if len(p.category) <= _MAX_FACT else ""
    order = {k: i for i, k in enumerate(dict.fromkeys(k for p in group for k in p.attributes))}
    ranked = sorted(
        (k for k in order if not _UNTELLING_KEY.search(k)),
        key=lambda k: (k.casefold() not in _TELLING_KEYS, order[k]),
    )
    for key in ranked:
        yield lambda p, key=key: _short(key, p.attributes.get(key))
    yield lambda p: _opening_words(p.description)


def _short(key: str, value: object) -> str:
    """An attribute value short enough for a title; a bare number says its key."""
    text = value.strip() if isinstance(value, str) else ""
    if not 0 < len(text) <= _MAX_FACT:
        return ""
    return text if re.search(r"[^\W\d_]", text) else f"{key} {text}"


def _opening_words(description: str, n: int = 8) -> str:
    words = description.split()
    return " ".join(words[:n]) + ("…" if len(words) > n else "") if words else ""


def _check_price(product: Product, report: ValidationReport) -> None:
    if product.price is None:
        return
    if not math.isfinite(product.price) or product.price < 0:
        report.flagged["price_negative_or_invalid"] += 1
        product.price = None
    elif product.price > ABSURD_PRICE:
        report.flagged["price_absurd"] += 1
        product.price = None


def _count_product_missing(product: Product, report: ValidationReport) -> None:
    for name, empty in (
        ("title", not product.title),
        ("description", not product.description),
        ("brand", not product.brand),
        ("categories", not product.categories),
        ("price", product.price is None),
        ("image_url", not product.image_url),
    ):
        report.count_missing("products", name, int(empty))


def _clean_interactions(
    items: list[Interaction], known: set[str], report: ValidationReport
) -> list[Interaction]:
    report.read["interactions"] += len(items)
    out: list[Interaction] = []
    seen: set[tuple] = set()
    unknown = 0
    for it in items:
        if it.product_id not in known:
            unknown += 1
            continue
        # Without a timestamp, repeats are distinct events told apart by seq.
        key = (
            it.shopper_id,
            it.product_id,
            it.kind,
            it.timestamp,
            it.split,
            it.seq if it.timestamp is None else 0,
        )
        if key in seen:
            report.duplicates_removed["interactions"] += 1
            continue
        seen.add(key)
        out.append(it)
    if unknown:
        report.dropped["interaction_unknown_product"] += unknown
    report.count_missing("interactions", "timestamp", sum(1 for it in out if it.timestamp is None))
    return out


def _clean_reviews(items: list[Review], known: set[str], report: ValidationReport) -> list[Review]:
    report.read["reviews"] += len(items)
    out: list[Review] = []
    seen: set[tuple] = set()
    for review in items:
        if review.product_id not in known:
            report.dropped["review_unknown_product"] += 1
            continue
        review.text = clean_text(review.text)
        review.title = clean_text(review.title)
        key = (review.shopper_id, review.product_id, review.timestamp, review.title, review.text)
        if key in seen:
            report.duplicates_removed["reviews"] += 1
            continue
        seen.add(key)
        if review.rating is not None and not 0 <= review.rating <= 5:
            report.flagged["review_rating_out_of_range"] += 1
            review.rating = None
        report.count_missing("reviews", "text", int(not review.text))
        out.append(review)
    return out


def _collect_shoppers(
    given: list[Shopper],
    interactions: list[Interaction],
    reviews: list[Review],
    report: ValidationReport,
) -> list[Shopper]:
    report.read["shoppers"] += len(given)
    shoppers: dict[str, Shopper] = {}
    for s in given:
        if s.id in shoppers:
            report.duplicates_removed["shoppers"] += 1
        else:
            shoppers[s.id] = s
    implied = 0
    for sid in [it.shopper_id for it in interactions] + [r.shopper_id for r in reviews]:
        if sid not in shoppers:
            shoppers[sid] = Shopper(id=sid)
            implied += 1
    if implied and given:
        report.notes.append(f"{implied:,} shoppers created from interactions/reviews")
    return list(shoppers.values())


def _fill_rating_stats(products: list[Product], reviews: list[Review]) -> None:
    """Rating stats from the reviews, for products whose source gave none."""
    sums: dict[str, list[float]] = {}
    for r in reviews:
        if r.rating is not None:
            sums.setdefault(r.product_id, []).append(r.rating)
    for p in products:
        ratings = sums.get(p.id)
        if ratings and p.rating_avg is None:
            p.rating_avg = round(sum(ratings) / len(ratings), 2)
            p.rating_count = len(ratings)
