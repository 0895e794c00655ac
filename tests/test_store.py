"""The SQLite store: migrations, idempotent re-ingest, all-or-nothing replacement."""

from __future__ import annotations

import sqlite3

import pytest

from catalog.errors import InputError, NotFoundError, StoreError
from catalog.ingest import build_demo, ingest
from catalog.migrations import MIGRATIONS
from catalog.store import Store
from conftest import FIXTURES

CSV = FIXTURES / "csv"
CSV_PATHS = {
    "products": CSV / "products.csv",
    "interactions": CSV / "interactions.csv",
    "reviews": CSV / "reviews.csv",
}


def _snapshot(store: Store) -> dict[str, list]:
    return {
        table: [tuple(r) for r in store.query(f"SELECT * FROM {table} ORDER BY 1")]
        for table in ("catalogs", "products", "shoppers", "interactions", "reviews")
    }


def test_pragmas_and_schema_version(store):
    assert store.query("PRAGMA journal_mode")[0][0] == "wal"
    assert store.query("PRAGMA foreign_keys")[0][0] == 1
    assert store.schema_version == len(MIGRATIONS)


def test_foreign_keys_are_enforced(store):
    ingest(store, "shop", "csv", CSV_PATHS, progress=False)
    with pytest.raises(sqlite3.IntegrityError), store.transaction() as cur:
        cur.execute(
            "INSERT INTO interactions(catalog_id, shopper_pk, product_pk, kind)"
            " VALUES (1, 999999, 999999, 'view')"
        )


def test_reopening_keeps_data_and_does_not_migrate_again(home):
    with Store.in_home(home) as store:
        ingest(store, "shop", "csv", CSV_PATHS, progress=False)
    with Store.in_home(home) as store:
        assert store.stats("shop")["products"] == 5
        assert store.schema_version == len(MIGRATIONS)


def test_newer_schema_is_refused(home):
    Store.in_home(home).close()
    conn = sqlite3.connect(home / "shopassist.db")
    conn.execute(f"PRAGMA user_version={len(MIGRATIONS) + 5}")
    conn.close()
    with pytest.raises(StoreError, match="newer than this program"):
        Store.in_home(home)


def test_reingest_same_source_is_idempotent(store):
    first = ingest(store, "shop", "csv", CSV_PATHS, progress=False)
    before = _snapshot(store)
    again = ingest(store, "shop", "csv", CSV_PATHS, progress=False)
    assert again.unchanged and not first.unchanged
    assert _snapshot(store) == before
    forced = ingest(store, "shop", "csv", CSV_PATHS, force=True, progress=False)
    assert not forced.unchanged
    after = _snapshot(store)
    # same content; only the catalog row's timestamps and report timing may differ
    for table in ("products", "shoppers", "interactions", "reviews"):
        # primary keys are renumbered; everything else is the same
        assert [r[1:] for r in after[table]] == [r[1:] for r in before[table]], table


def test_changed_source_replaces_catalog(store, tmp_path):
    ingest(store, "shop", "csv", CSV_PATHS, progress=False)
    (tmp_path / "p.csv").write_text("id,title,price\nN1,New thing,3.50\n")
    (tmp_path / "i.csv").write_text("shopper_id,product_id\nz9,N1\n")
    ingest(
        store,
        "shop",
        "csv",
        {"products": tmp_path / "p.csv", "interactions": tmp_path / "i.csv"},
        progress=False,
    )
    assert [p.id for p in store.products("shop")] == ["N1"]
    assert store.stats("shop")["reviews"] == 0


def test_failed_ingest_leaves_previous_state_intact(store, monkeypatch):
    ingest(store, "shop", "csv", CSV_PATHS, progress=False)
    build_demo(store)
    before = _snapshot(store)
    original = store._insert_reviews

    def explode(*args, **kwargs):
        original(*args, **kwargs)
        raise RuntimeError("disk full (simulated) after writing reviews")

    monkeypatch.setattr(store, "_insert_reviews", explode)
    with pytest.raises(RuntimeError, match="disk full"):
        ingest(store, "shop", "csv", CSV_PATHS, force=True, progress=False)
    assert _snapshot(store) == before
    assert store.query("PRAGMA integrity_check")[0][0] == "ok"


def test_importer_error_midway_stores_nothing(store, tmp_path):
    ingest(store, "shop", "csv", CSV_PATHS, progress=False)
    before = _snapshot(store)
    bad = tmp_path / "products.csv"
    bad.write_text("title\nno id column\n")
    with pytest.raises(InputError, match="required field 'id'"):
        ingest(
            store,
            "shop",
            "csv",
            {"products": bad, "interactions": CSV / "interactions.csv"},
            progress=False,
        )
    assert _snapshot(store) == before


def test_catalogs_are_separate(store):
    ingest(store, "a", "csv", CSV_PATHS, progress=False)
    ingest(store, "b", "csv", CSV_PATHS, progress=False)
    store.delete_catalog("a")
    assert [c.name for c in store.list_catalogs()] == ["b"]
    assert store.stats("b")["products"] == 5
    with pytest.raises(NotFoundError, match="known: b"):
        store.stats("a")


def test_interaction_arrays_align_with_ids(store):
    ingest(store, "shop", "csv", CSV_PATHS, progress=False)
    arrays = store.interaction_arrays("shop")
    assert len(arrays.product_ids) == 5
    got = sorted(
        zip(
            [arrays.shopper_ids[u] for u in arrays.users],
            [arrays.product_ids[i] for i in arrays.items],
            arrays.kinds,
            strict=True,
        )
    )
    assert ("c1", "A100", "purchase") in got and ("c2", "A102", "rating") in got
