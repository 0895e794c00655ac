"""Importers for real data formats, one function per format.

Each takes file paths plus a ValidationReport and returns a RawDataset; it
reports malformed lines and skips them, and raises InputError for what makes
the whole input unusable (missing file, missing columns, damaged gzip).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from catalog.importers.amazon import import_amazon2018, import_amazon2023
from catalog.importers.csvfile import import_csv
from catalog.importers.lightgcn import import_lightgcn
from catalog.importers.minionerec import import_minionerec
from catalog.importers.recbole import import_recbole
from catalog.importers.sequential import import_sequential


@dataclass(frozen=True, slots=True)
class Format:
    name: str
    function: Callable
    required: tuple[str, ...]  # keyword arguments that must be given
    optional: tuple[str, ...] = ()
    multiple: tuple[str, ...] = ()  # arguments that take a list of paths
    description: str = ""


FORMATS: dict[str, Format] = {
    f.name: f
    for f in (
        Format(
            "amazon2018",
            import_amazon2018,
            ("reviews", "meta"),
            description="Amazon Review Data 2018: *_5.json.gz + meta_*.json.gz",
        ),
        Format(
            "amazon2023",
            import_amazon2023,
            ("reviews", "meta"),
            description="Amazon Reviews 2023: <category>.jsonl + meta_<category>.jsonl",
        ),
        Format(
            "recbole",
            import_recbole,
            ("inter",),
            ("item",),
            ("inter",),
            description="RecBole / UniSRec atomic files: .inter (+ .item or .text)",
        ),
        Format(
            "lightgcn",
            import_lightgcn,
            ("train", "test"),
            description="LightGCN train.txt / test.txt (user item item ...)",
        ),
        Format(
            "minionerec",
            import_minionerec,
            ("items", "samples"),
            (),
            ("samples",),
            description="MiniOneRec *.item.json + sample CSVs",
        ),
        Format(
            "sequential",
            import_sequential,
            ("sequences",),
            ("datamaps",),
            description="per-user sequences `user item item ...` (P5/S3Rec); leave-one-out split",
        ),
        Format(
            "csv",
            import_csv,
            ("products", "interactions"),
            ("reviews", "mapping"),
            description="generic products.csv + interactions.csv (+ reviews.csv)",
        ),
    )
}
