"""Which products a message refers to: "the second one", "第二个", "it", "these",
"the most expensive one", "the Fleetfoot", a catalog id. Products shown or
discussed in the conversation come first; a product outside them is only
found when the message names it (agent.lookup).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from agent.parse import PICK_CHEAPER, PICK_PRICIER, ordinals
from agent.state import DialogueState
from agent.vocabulary import without_names
from catalog.models import Product
from tools.text import model_name

_ALL = re.compile(
    r"\b(?:these|them|those|all(?: of them| three| four)?|both|each|either|any of them)\b"
    r"|这些|这几|这两|这三|它们|他们|哪(?:个|款|一个|一款|种)|都",
    re.I,
)
_WHICH = re.compile(r"\bwhich\b|哪(?:个|款|一个|一款|种|些)", re.I)
# "this" or "这个" before "brand" points at a brand, not at a product ("not that brand").
_PRONOUN = re.compile(
    r"\b(?:it|its|this|that|this one|that one|they)\b(?!\s+brand)"
    r"|它|(?:这个|那个)(?!牌子|品牌)|这款|该|那款|这件|这双|此",
    re.I,
)
_SUPERLATIVE = [
    ("price", max, re.compile(r"most expensive|priciest|dearest|最贵|价格最高", re.I)),
    ("price", min, re.compile(r"cheapest|least expensive|最便宜|价格最低", re.I)),
    ("price", min, PICK_CHEAPER),  # "the cheaper one": the cheapest of those in view
    ("price", max, PICK_PRICIER),
    ("rating", max, re.compile(r"(?:best|highest)[- ]rated|top[- ]rated|评分最高|好评最多", re.I)),
]
# "that" after what is asked for is relative, no product in view: "anything that isn't a
# cinema one?", "a gift card that never expires" (not "is that one waterproof?")
_RELATIVE_THAT = re.compile(
    r"(\b(?:anything|something|everything|nothing|stuff|ones?|any|some"
    r"|(?:a|an|any|some)\s+[\w-]+(?:\s+[\w-]+)?)\s+)that\b(?!\s+one\b)",
    re.I,
)
# A bare pronoun after a product named by position refers back to it ("does #3 have a
# dimmer or is it just on/off?"), not to another product beside it.
_BARE_PRONOUN = re.compile(r"\b(?:it|its|they|them)\b|它", re.I)
# Sayings whose "it" is no product ("appreciate it", "got it", "that's it").
_IDIOM = re.compile(r"\b(?:appreciate it|got it|that'?s it|this is it)\b", re.I)
_POSITION = re.compile(
    r"\b(?:first|second|third|fourth|fifth|last|1st|2nd|3rd|4th|5th)\b"
    r"|(?:#|\bnumber |\bno\. ?|\boption )\d\b|第\s*[一二两三四五1-5]|最后(?:一|那|这)|打头"
    r"|\b(?:middle|top|bottom) (?:one|item|pick|option|result)\b|\bin the middle\b"
    r"|中间(?:那|这|的|一)|最(?:上|下|左|右)(?:面|边)|最底下",
    re.I,
)
# "the other one", "the remaining one", "另外那个", "剩下那个", "其余两个": the products shown
# besides those named, where the message rules those out ("not the first, not the third")
_THE_OTHER = re.compile(
    r"\bthe (?:other|remaining) (?:one|two|ones|pair|item|option)s?\b|\bthe other\b(?! brand)"
    r"|\bthe rest\b|另外(?:那|这|的|两|一)|剩下(?:那|的|这|两)|其余|其他两|以外的那",
    re.I,
)
_RULED_OUT = re.compile(
    r"\bnot\b|\bout\b|\bruled? out\b|\bseen enough\b|\bbut\b|\bexcept\b|\bbesides\b"
    r"|\bapart from\b|\bother than\b|\bdon'?t like\b|\bno to\b|\bneither\b"
    r"|除了|不要|不喜欢|不考虑|不行|排除|都不|太贵|算了",
    re.I,
)
_CATALOG_ID = re.compile(r"\b(?:product|item|id|sku)\s*#?\s*([A-Za-z0-9][\w-]{0,40})\b", re.I)


@dataclass
class References:
    ordinal: list[str] = field(default_factory=list)  # "the second one"
    named: list[str] = field(default_factory=list)  # a brand or series of a product in view
    superlative: list[str] = field(default_factory=list)  # "the most expensive one"
    explicit: list[str] = field(default_factory=list)  # "product 1001"
    unresolved: list[str] = field(default_factory=list)  # "product 1": no such product
    all_shown: bool = False  # "these", "all three", "which of them"
    which: bool = False  # asks to choose among products
    pronoun: bool = False  # "it", "this one"
    refers_back: bool = False  # the only pronouns are bare ones after a position ("#3 ... it")
    looked_up: bool = False  # `named` is a product the message names (known-item lookup)

    @property
    def products(self) -> list[str]:
        return list(dict.fromkeys(self.ordinal + self.superlative + self.named + self.explicit))

    @property
    def any(self) -> bool:
        return bool(self.products or self.all_shown or self.pronoun)


def resolve(
    text: str,
    state: DialogueState,
    seen: list[Product],
    known_ids: set[str] | None = None,
    names: list[str] | None = None,
) -> References:
    """The references of a message; `seen` are the products of the conversation, `names`
    the catalog names the message holds (a brand such as "1st Choice" is no ordinal)."""
    refs = References()
    plain = without_names(names or [], text)
    refs.ordinal = [
        state.shown[i] for i in ordinals(plain) if -len(state.shown) <= i < len(state.shown)
    ]
    if refs.ordinal and _THE_OTHER.search(plain) and _RULED_OUT.search(plain):
        # "The first one's out. Compare the other two", "第一个和第三个都不喜欢，另外那个":
        # the products shown that the message does not rule out
        rest = [pid for pid in state.shown if pid not in refs.ordinal]
        refs.ordinal = rest or refs.ordinal
    elif refs.ordinal and _THE_OTHER.search(plain):
        # "compare the first one with the other two": it and the rest
        refs.ordinal = [*refs.ordinal, *(p for p in state.shown if p not in refs.ordinal)]
    refs.all_shown = bool(_ALL.search(text)) and bool(state.shown)
    refs.which = bool(_WHICH.search(text))
    text = _IDIOM.sub(" ", text)  # "appreciate it. put #2 and #3 side by side": no product
    text = _RELATIVE_THAT.sub(r"\1", text)
    refs.pronoun = bool(_PRONOUN.search(text))
    position, pronoun = _POSITION.search(text), _PRONOUN.search(text)
    refs.refers_back = bool(
        position
        and pronoun
        and pronoun.start() > position.start()
        and all(_BARE_PRONOUN.fullmatch(m.group(0)) for m in _PRONOUN.finditer(text))
    )
    pool = [p for p in seen if p.id in state.shown] or seen
    for field_name, pick, rx in _SUPERLATIVE:
        if rx.search(text):
            rated = [p for p in pool if _value(p, field_name) is not None]
            if rated:
                refs.superlative.append(pick(rated, key=lambda p: _value(p, field_name)).id)
    refs.named = _named(text, seen)
    for token in _CATALOG_ID.findall(text):
        if re.fullmatch(r"[1-5]", token) and refs.ordinal:
            continue  # "item 2": the second product shown, not a catalog id
        if known_ids is not None and token in known_ids:
            refs.explicit.append(token)
        elif any(ch.isdigit() for ch in token):
            refs.unresolved.append(token)
    return refs


def _value(product: Product, field_name: str) -> float | None:
    return product.price if field_name == "price" else product.rating_avg


def _named(text: str, seen: list[Product]) -> list[str]:
    """Products of the conversation named by brand or series ("the Fleetfoot ones",
    "the Aero 300"); a name several of them share names them all, newest first."""
    lowered = f" {text.casefold()} "
    found: list[str] = []
    for product in reversed(seen):
        model = (model_name(product) or "").casefold()
        if model and re.search(rf"(?<![\w]){re.escape(model)}(?![\w])", lowered):
            found.append(product.id)
            continue
        brand = (product.brand or "").casefold()
        said = brand and re.search(rf"(?<![\w]){re.escape(brand)}(?![\w])", lowered)
        if said and not _other_model(lowered[said.end() :], model):
            found.append(product.id)
    return found


def _other_model(after: str, model: str) -> bool:
    """Whether the words after a brand name a model the product is not ("the Pulsewear
    Peak 800" of a Pulsewear Aero 800): a word and a code with a digit, not its own."""
    words = [w.strip(",.?!") for w in after.split()[:2]]
    return (
        len(words) == 2
        and bool(re.fullmatch(r"[\w-]*\d[\w-]*", words[1]))
        and f"{words[0]} {words[1]}" != model
    )
