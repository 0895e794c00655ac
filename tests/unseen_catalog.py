"""A small hand-made magazine shop that reproduces what went wrong on a catalog nobody
tuned for: one publisher spelled two ways ("Trusted Media Brands, Inc" and "..., Inc."),
listings whose title was page markup (rebuilt titles that look alike), a brand asked
for after "not that brand", and a brand ending in an abbreviation."""

from __future__ import annotations

from catalog.models import Interaction, InteractionKind, Product, RawDataset, Review

LITERARY = ["Magazine Subscriptions", "Literary Magazines & Journals"]
HOME = ["Magazine Subscriptions", "Home & Garden"]
TRAVEL = ["Magazine Subscriptions", "Travel"]
TMB = "Trusted Media Brands, Inc"
MARKUP = '<div class="a-row a-spacing-none"><span id="title">" /> var t = getTime(); </div>'


def _product(pid: str, title: str, brand: str, categories: list[str], price: float, **extra):
    return Product(
        id=pid,
        title=title,
        brand=brand,
        categories=list(categories),
        price=price,
        description=extra.pop("description", ""),
        attributes=extra.pop("attributes", {}),
    )


def products() -> list[Product]:
    out = [
        # The publisher: four spellings of one brand across two categories.
        _product("m01", "Reader's Digest Large Print", TMB, LITERARY, 24.0),
        _product("m02", "Reader's Digest Select Editions", TMB, LITERARY, 31.0),
        _product("m03", "The Family Handyman", TMB + ".", HOME, 18.0),
        _product("m04", "Taste of Home", TMB + ".", HOME, 15.0),
        _product("m05", "Birds & Blooms", "trusted media brands inc", HOME, 12.0),
        _product("m06", "Reader's Digest Version Francaise", TMB + ".", LITERARY, 28.0),
        # Other literary publishers.
        _product("m07", "Harper's Magazine", "Harper's Magazine Foundation", LITERARY, 22.0),
        _product("m08", "The Paris Review", "The Paris Review Foundation", LITERARY, 45.0),
        _product("m09", "Poetry", "Poetry Foundation", LITERARY, 35.0),
        _product("m10", "Granta", "Granta Publications", LITERARY, 48.0),
        # A publisher whose listings' titles were page markup.
        _product(
            "m11",
            MARKUP,
            "Conde Nast",
            LITERARY,
            59.0,
            description="The New Yorker - the weekly magazine of reporting, fiction and cartoons.",
        ),
        _product(
            "m12", MARKUP, "Conde Nast", TRAVEL, 19.0, attributes={"format": "Print Magazine"}
        ),
        _product("m13", MARKUP, "Conde Nast", TRAVEL, 9.0, attributes={"format": "Kindle Edition"}),
        _product(
            "m14", MARKUP, "Conde Nast", TRAVEL, 14.0, attributes={"format": "Kindle Edition"}
        ),
        _product("m15", "Travel + Leisure", "Meredith Corporation", TRAVEL, 11.0),
        _product("m16", "AFAR", "AFAR Media", TRAVEL, 16.0),
        _product("m17", "Country Living", "Hearst Magazines", HOME, 13.0),
        _product("m18", "House Beautiful", "Hearst Magazines", HOME, 17.0),
    ]
    return out


def dataset() -> RawDataset:
    items = products()
    interactions = []
    reviews = []
    for s in range(12):
        for j, p in enumerate(items):
            if (s + j) % 3 == 0:
                interactions.append(
                    Interaction(f"s{s:02d}", p.id, InteractionKind.PURCHASE, timestamp=1000 + j)
                )
    reviews.append(Review("r1", "s00", "m01", 5.0, "", "Big print, easy on my eyes."))
    return RawDataset(items, [], interactions, reviews)


def assistant_on(home, name: str, dataset: RawDataset):
    """A catalog ingested into a fresh home and the assistant built on it (the packaged
    multilingual embedder, a real search index, no trained model): (store, report,
    agent)."""
    import time

    from catalog.ingest import store_dataset
    from catalog.report import ValidationReport
    from catalog.store import Store
    from shopassist.assistant import build_assistant
    from shopassist.settings import load_settings

    store = Store.in_home(home)
    report = ValidationReport(catalog=name, format="test")
    store_dataset(store, dataset, report, time.perf_counter())
    settings = load_settings(env={"SHOPASSIST_HOME": str(home)})
    return store, report, build_assistant(settings, store, name, "none").agent
