"""Ingest: import -> clean -> store, all or nothing, with a validation report.

Re-ingesting the same source (same format, same file bytes) is a no-op unless
forced; a changed source replaces the catalog in one transaction.
"""

from __future__ import annotations

import hashlib
import time
from pathlib import Path
from typing import Any

from catalog.cleaning import clean_dataset
from catalog.demo import GENERATOR_VERSION, DemoConfig, generate
from catalog.errors import InputError, UnknownFormatError
from catalog.importers import FORMATS
from catalog.models import RawDataset
from catalog.report import ValidationReport
from catalog.store import Store

# Bump when an importer's output for the same files changes, so that
# re-ingesting after an upgrade is not skipped as "unchanged".
IMPORTER_VERSION = "2"
# Bump when cleaning changes what is stored (3: brand spellings merged, look-alike
# titles told apart); part of every fingerprint, the demo's too.
CLEANING_VERSION = "3"
DEMO_CATALOG = "demo"
CATALOG_NAME_CHARS = set("abcdefghijklmnopqrstuvwxyz0123456789_-.")


def check_catalog_name(name: str) -> str:
    if not name or len(name) > 64 or not set(name.lower()) <= CATALOG_NAME_CHARS:
        raise InputError(f"bad catalog name {name!r}: use 1-64 letters, digits, '-', '_' or '.'")
    return name


def fingerprint(fmt: str, files: list[Path], options: dict[str, Any]) -> str:
    versions = f"{IMPORTER_VERSION}|{CLEANING_VERSION}"
    digest = hashlib.sha256(f"{fmt}|{versions}|{sorted(options.items())}".encode())
    for path in files:
        digest.update(path.name.encode())
        with path.open("rb") as fh:
            for block in iter(lambda: fh.read(1 << 20), b""):
                digest.update(block)
    return digest.hexdigest()


def ingest(
    store: Store,
    name: str,
    fmt: str,
    paths: dict[str, Any],
    *,
    force: bool = False,
    progress: bool = True,
    reports_dir: Path | None = None,
) -> ValidationReport:
    """Import `paths` in format `fmt` into catalog `name`; return the report."""
    check_catalog_name(name)
    spec = FORMATS.get(fmt)
    if spec is None:
        raise UnknownFormatError(
            f"unknown format {fmt!r}; expected one of: {', '.join(sorted(FORMATS))}"
        )
    kwargs = {k: v for k, v in paths.items() if v not in (None, [], "")}
    missing = [k for k in spec.required if k not in kwargs]
    if missing:
        flags = " ".join(f"--{k} PATH" for k in spec.required)
        raise InputError(f"format {fmt} needs {flags} (missing: --{', --'.join(missing)})")
    unknown = set(kwargs) - set(spec.required) - set(spec.optional)
    if unknown:
        raise InputError(f"format {fmt} does not take --{', --'.join(sorted(unknown))}")
    files = _files(kwargs)
    for f in files:
        if not f.is_file():
            raise InputError(f"file not found: {f}")
    options = {k: v for k, v in kwargs.items() if k == "mapping"}
    report = ValidationReport(catalog=name, format=fmt, sources=[str(f) for f in files])
    report.fingerprint = fingerprint(fmt, files, options)
    if not force and store.fingerprint(name) == report.fingerprint:
        report.unchanged = True
        return report
    started = time.perf_counter()
    raw = spec.function(**kwargs, report=report, progress=progress)
    return store_dataset(store, raw, report, started, reports_dir)


def store_dataset(
    store: Store,
    raw: RawDataset,
    report: ValidationReport,
    started: float,
    reports_dir: Path | None = None,
) -> ValidationReport:
    """Clean `raw` and replace catalog `report.catalog` with it, in one transaction."""
    cleaned = clean_dataset(raw, report)
    if not cleaned.products:
        raise InputError(f"no products could be read from {', '.join(report.sources)}")
    report.seconds = round(time.perf_counter() - started, 3)
    store.replace_catalog(report.catalog, cleaned, report)
    report.seconds = round(time.perf_counter() - started, 3)
    if reports_dir is not None:
        reports_dir.mkdir(parents=True, exist_ok=True)
        path = reports_dir / f"{report.catalog}.validation.json"
        path.write_text(report.to_json(), encoding="utf-8")
    return report


def build_demo(
    store: Store,
    config: DemoConfig | None = None,
    *,
    force: bool = False,
    name: str = DEMO_CATALOG,
    reports_dir: Path | None = None,
) -> ValidationReport:
    """Generate the demo shop into catalog `name` unless it is already there."""
    config = config or DemoConfig()
    report = ValidationReport(
        catalog=name,
        format="demo",
        sources=[f"generated demo shop (seed {config.seed})"],
        fingerprint=f"demo-v{GENERATOR_VERSION}.{CLEANING_VERSION}-{config}",
    )
    if not force and store.fingerprint(name) == report.fingerprint:
        report.unchanged = True
        return report
    started = time.perf_counter()
    return store_dataset(store, generate(config), report, started, reports_dir)


def _files(kwargs: dict[str, Any]) -> list[Path]:
    files: list[Path] = []
    for key, value in kwargs.items():
        if key == "mapping":
            continue
        values = value if isinstance(value, list | tuple) else [value]
        files.extend(Path(v) for v in values)
    return files
