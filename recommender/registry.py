"""Where trained models live and which one is active.

Layout in the data dir: `models/<catalog>/<model>/` holds `model.npz` (no
pickles) and `manifest.json`; `models/<catalog>/active.json` names the model
the assistant uses for that catalog. Saving writes a new directory beside the
old one and renames it into place, so a reader never sees half a model.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
from pathlib import Path
from typing import Any

from catalog.errors import InputError, NotFoundError
from catalog.filters import ProductTable
from catalog.store import Store
from recommender.core import ScoringRecommender, read_manifest
from recommender.embedding import ALS, BPRMF
from recommender.graph_filters import BSPM, GFCF
from recommender.lightgcn import LightGCN
from recommender.neighbors import ItemKNN, Popularity

log = logging.getLogger(__name__)

MODELS: dict[str, type[ScoringRecommender]] = {
    m.name: m for m in (Popularity, ItemKNN, BPRMF, LightGCN, ALS, GFCF, BSPM)
}
ACTIVE_FILE = "active.json"


class UnknownModelError(InputError):
    """A model name that no recommender class has."""


def model_class(name: str) -> type[ScoringRecommender]:
    try:
        return MODELS[name]
    except KeyError:
        raise UnknownModelError(
            f"unknown model {name!r}; choose one of: {', '.join(sorted(MODELS))}"
        ) from None


def catalog_dir(home: Path, catalog: str) -> Path:
    return Path(home) / "models" / catalog


def model_dir(home: Path, catalog: str, name: str) -> Path:
    return catalog_dir(home, catalog) / name


def save_model(model: ScoringRecommender, home: Path, catalog: str) -> Path:
    """Save atomically under models/<catalog>/<model.name>/."""
    final = model_dir(home, catalog, model.name)
    staging = final.with_name(f".{model.name}.new-{os.getpid()}")
    old = final.with_name(f".{model.name}.old-{os.getpid()}")
    shutil.rmtree(staging, ignore_errors=True)
    model.save(staging)
    if final.exists():
        os.replace(final, old)
    os.replace(staging, final)
    shutil.rmtree(old, ignore_errors=True)
    return final


def load_model(directory: Path) -> ScoringRecommender:
    manifest = read_manifest(directory)
    return model_class(manifest["model"]).load(directory)


def load_saved(home: Path, catalog: str, name: str) -> ScoringRecommender:
    directory = model_dir(home, catalog, name)
    if not (directory / "manifest.json").is_file():
        raise NotFoundError(
            f"no trained {name} model for catalog {catalog!r}: run"
            f" `shopassist train --dataset {catalog} --model {name}` first"
        )
    return load_model(directory)


def activate(home: Path, catalog: str, name: str) -> None:
    directory = catalog_dir(home, catalog)
    if not (directory / name / "manifest.json").is_file():
        raise NotFoundError(f"cannot activate {name}: no trained model in {directory / name}")
    tmp = directory / f".{ACTIVE_FILE}.{os.getpid()}"
    tmp.write_text(json.dumps({"model": name}) + "\n", "utf-8")
    os.replace(tmp, directory / ACTIVE_FILE)


def active_name(home: Path, catalog: str) -> str | None:
    path = catalog_dir(home, catalog) / ACTIVE_FILE
    if not path.is_file():
        return None
    data: dict[str, Any] = json.loads(path.read_text("utf-8"))
    return str(data["model"])


def active_or_explain(home: Path, catalog: str) -> str:
    """The active model's name, or a NotFoundError that says how to train one."""
    name = active_name(home, catalog)
    if name is None:
        raise NotFoundError(
            f"no active model for catalog {catalog!r}: run"
            f" `shopassist train --dataset {catalog}` first"
        )
    return name


def load_active(home: Path, store: Store, catalog: str) -> ScoringRecommender | None:
    """The active model of `catalog` with its products attached (so `filters=` works).

    None when nothing has been trained and activated for the catalog.
    """
    name = active_name(home, catalog)
    if name is None:
        return None
    model = load_saved(home, catalog, name)
    model.set_product_table(ProductTable(store.products(catalog)))
    return model


def load_usable(
    home: Path, store: Store, catalog: str
) -> tuple[ScoringRecommender | None, str | None]:
    """The active model, or when it cannot be read (a missing or corrupted file) the
    most recently saved model that can, with a note saying what happened."""
    try:
        return load_active(home, store, catalog), None
    except Exception as exc:  # any unreadable file: fall back rather than fail
        problem = f"{type(exc).__name__}: {exc}"
    try:
        active = active_name(home, catalog)
    except (OSError, ValueError, KeyError):
        active = None
    others = sorted(
        (d for d in catalog_dir(home, catalog).glob("[!.]*") if d.is_dir() and d.name != active),
        key=lambda d: d.stat().st_mtime,
        reverse=True,
    )
    for directory in others:
        try:
            model = load_model(directory)
        except Exception:
            continue
        model.set_product_table(ProductTable(store.products(catalog)))
        return model, (
            f"the active model of {catalog!r} could not be loaded ({problem}); "
            f"using the saved {model.name} model instead"
        )
    return None, (
        f"the active model of {catalog!r} could not be loaded ({problem}); showing popular products"
    )
