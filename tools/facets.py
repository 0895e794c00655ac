"""What a product's title states that shoppers compare products on: its measures
("3ml", "16x100mm", "1000V"), how many come in it ("Pack of 100", "25 Pcs") and what it
is made of ("Plastic", "Borosilicate Glass").

Many catalogs list few attributes (an Amazon category's are shipping notes and model
numbers) and say these in the title alone: "compare the first two" of two pipettes had
nothing to set side by side but their brands. A facet is the title's own words, so a
comparison cites the title for it and the verifier finds every number there.
"""

from __future__ import annotations

import re

from tools.text import pack_count

_NUMBER = r"\d+(?:[.,]\d+)?(?:\s*/\s*\d+(?:[.,]\d+)?)*"  # "3/4", "50/100/250 mL"
_MULTIPLIED = r"\d+(?:\.\d+)?[kKmM]"  # "10K Ohm"
# "16x100mm", "4 x 3\"": sizes by two or three numbers share the unit after the last
_SIZES = rf"{_NUMBER}(?:\s*[x×]\s*{_NUMBER}){{0,2}}"
# name -> (Chinese label, the units that measure it)
_UNITS: dict[str, tuple[str, str]] = {
    "volume": ("容量", r"ml|mL|milliliters?|l|liters?|litres?|gal|gallons?|fl\.?\s*oz|qt|quarts?"),
    "length": ("尺寸", r"mm|cm|m|meters?|metres?|in|inch|inches|ft|feet|foot|yd|\""),
    "weight": ("重量", r"mg|g|grams?|kg|lbs?|pounds?|oz|ounces?"),
    "voltage": ("电压", r"v|volts?|kv"),
    "current": ("电流", r"a|amps?|ma"),
    "power": ("功率", r"w|watts?|kw"),
    "battery": ("电池", r"mah"),
    "frequency": ("频率", r"hz|khz|mhz|ghz"),
    "resistance": ("阻值", r"k?\s*ohms?|k?Ω"),
}
_MEASURES = {
    name: re.compile(
        rf"(?<![\w.])({_SIZES}{f'|{_MULTIPLIED}' if name == 'resistance' else ''})"
        rf"\s*-?\s*(?:{units})(?![\w])",
        re.I,
    )
    for name, (_, units) in _UNITS.items()
}
# What products are made of, longest first ("borosilicate glass" before "glass")
_MATERIALS = re.compile(
    r"\b(?:stainless steel|carbon steel|alloy steel|borosilicate glass|carbon fiber|carbon fibre"
    r"|polypropylene|polyethylene|polycarbonate|polyester|polyolefin|polyurethane|nitrile"
    r"|latex|vinyl|pvc|silicone|rubber|nylon|acrylic|plastic|glass|ceramic|porcelain"
    r"|brass|bronze|copper|aluminum|aluminium|titanium|tungsten|zinc|steel|iron|wood"
    r"|wooden|bamboo|leather|cotton|wool|fleece|paper|cardboard|foam|felt|resin|epoxy)\b"
    r"(?![-\s]?(?:plated|coated|finish))",  # "Zinc-Plated" washers are steel
    re.I,
)
# A number that starts with a nought ("01409A", "0805") or a long one glued to a letter
# ("10081700A") names a model, not a measure
_MODEL = re.compile(r"0\d|\d{5,}[a-z]$", re.I)
_WITH = re.compile(r"\s(?:with|w/|includes?|including|plus|and\s+case|for|fits)\s", re.I)
LABELS_ZH = {name: label for name, (label, _) in _UNITS.items()} | {
    "count": "数量",
    "material": "材质",
}
FACETS = ("count", "material", *_UNITS)
MAX_MEASURES = 3  # values of one measure a title states that a comparison sets out


def title_facets(title: str) -> dict[str, str]:
    """The facets a title states, each as the title writes it: "Plastic Transfer
    Pipettes 3ml, Graduated, Pack of 100" -> count "Pack of 100", material "Plastic",
    volume "3ml". A measure said more than once is each of its values, in the title's
    order (at most MAX_MEASURES): a set of beakers "50ml 100ml and 250ml" is all three,
    not its smallest. A model number ("PC817", "a12080300ux0453") is no measure: a unit
    must stand apart from the letters after it."""
    out: dict[str, str] = {}
    count = pack_count(title)
    if count:
        out["count"] = count
    materials: list[str] = []
    # what it is made of is said before what comes with it ("... Kit with Plastic Box")
    made = _WITH.split(title, maxsplit=1)[0]
    for m in _MATERIALS.finditer(made):
        said = m.group(0)
        if not any(said.casefold() in other.casefold() for other in materials):
            materials.append(said)  # "Borosilicate Glass ... Glass": the first says it
    if materials:
        out["material"] = ", ".join(materials[:2])
    at = title.find(count) if count else -1
    taken = [(at, at + len(count))] if count else []
    for name, pattern in _MEASURES.items():
        said: list[str] = []
        for m in pattern.finditer(title):
            if any(m.start() < end and start < m.end() for start, end in taken):
                continue  # "25 Pcs" is a count, not 25 of anything measured
            if _MODEL.match(m.group(0)):
                continue  # "Digital Caliper 01409A": a model number, no 1409 amps
            if m.group(0).strip() not in said:
                said.append(m.group(0).strip())
            taken.append(m.span())
        if said:  # a set's sizes, each ("Beakers 50ml 100ml and 250ml")
            out[name] = " / ".join(said[:MAX_MEASURES])
    return out
