"""The `sequential` importer (P5 / S3Rec per-user sequences, leave-one-out split)."""

from __future__ import annotations

import json

from catalog.ingest import ingest


def test_sequences_with_datamaps_and_a_bad_line(store, tmp_path):
    seq = tmp_path / "sequential_data.txt"
    seq.write_text("1 1 2 3 4\n2 3 5\nbroken\n3 2 5 1\n", encoding="utf-8")
    maps = tmp_path / "datamaps.json"
    maps.write_text(json.dumps({"id2user": {"1": "A1"}, "id2item": {"1": "B001", "5": "B005"}}))
    report = ingest(
        store, "seq", "sequential", {"sequences": seq, "datamaps": maps}, progress=False
    )
    assert report.malformed_count == 1
    assert [(h.product_id, h.split.value) for h in store.history("seq", "A1")] == [
        ("B001", "train"),
        ("2", "train"),
        ("3", "valid"),
        ("4", "test"),
    ]
    assert {h.split.value for h in store.history("seq", "2")} == {"train"}  # too short to split
    assert store.stats("seq")["interactions_by_split"] == {"train": 5, "valid": 2, "test": 2}


def test_amazon_beauty_sequences(store, shared_data):
    d = shared_data / "amazon2014_beauty_p5_sequential"
    ingest(
        store,
        "beauty",
        "sequential",
        {"sequences": d / "sequential_data.txt", "datamaps": d / "datamaps.json"},
        progress=False,
    )
    stats = store.stats("beauty")
    assert stats["shoppers"] == 22363 and stats["products"] == 12101
    assert stats["interactions_by_split"]["test"] == 22363
    assert stats["interactions_by_split"]["valid"] == 22363
    assert stats["interactions"] == 198502
