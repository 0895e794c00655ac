"""The SQLite store: named catalogs with their products, shoppers, interactions, reviews.

One file in the data dir, WAL mode, foreign keys on, schema versioned with
`PRAGMA user_version` and forward-only migrations (`catalog.migrations`).
A catalog is replaced as a whole inside one transaction, so a failed ingest
leaves the previous state exactly as it was. External ids (an ASIN, a
reviewer id) are kept as text; integer primary keys are internal.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from catalog.errors import NotFoundError, StoreError
from catalog.migrations import MIGRATIONS
from catalog.models import (
    Interaction,
    InteractionKind,
    Product,
    RawDataset,
    Review,
    Shopper,
    Split,
)
from catalog.report import ValidationReport

DB_FILENAME = "shopassist.db"
_PRODUCT_COLUMNS = (
    "ext_id, title, description, brand, categories, price, currency, attributes,"
    " rating_avg, rating_count, image_url, in_stock, title_i18n"
)


@dataclass(frozen=True, slots=True)
class SessionRecord:
    id: str
    catalog: str
    shopper_id: str | None
    state: dict[str, Any]
    created_at: float


@dataclass(slots=True, frozen=True)
class CatalogInfo:
    name: str
    format: str
    sources: list[str]
    fingerprint: str
    updated_at: float
    products: int
    shoppers: int
    interactions: int
    reviews: int


@dataclass(slots=True, frozen=True)
class InteractionArrays:
    """A catalog's interactions as parallel arrays, for recommenders.

    `shopper_ids` and `product_ids` map the dense indices used in `users` and
    `items` back to external ids; every product appears in `product_ids`, even
    those nobody interacted with.
    """

    shopper_ids: list[str]
    product_ids: list[str]
    users: np.ndarray  # (n,) int64 index into shopper_ids
    items: np.ndarray  # (n,) int64 index into product_ids
    kinds: np.ndarray  # (n,) str
    values: np.ndarray  # (n,) float32
    timestamps: np.ndarray  # (n,) int64, -1 when unknown
    splits: np.ndarray  # (n,) str
    seq: np.ndarray  # (n,) int64 order within the source


class Store:
    """Access to one SQLite database. Safe to share between threads."""

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.RLock()
        self._depth = 0  # nested transactions (savepoints) open now
        try:
            self._conn = sqlite3.connect(
                self.path, isolation_level=None, check_same_thread=False, timeout=30
            )
            self._conn.execute("PRAGMA journal_mode=WAL")
            self._conn.execute("PRAGMA foreign_keys=ON")
            self._conn.execute("PRAGMA synchronous=NORMAL")
            self._migrate()
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"cannot open the database {self.path}: {exc}") from exc

    @classmethod
    def in_home(cls, home: Path | str) -> Store:
        return cls(Path(home) / DB_FILENAME)

    # -- lifecycle ---------------------------------------------------------

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def schema_version(self) -> int:
        return self._conn.execute("PRAGMA user_version").fetchone()[0]

    def _migrate(self) -> None:
        current = self.schema_version
        if current > len(MIGRATIONS):
            raise StoreError(
                f"{self.path} has schema version {current}, newer than this program "
                f"understands ({len(MIGRATIONS)}); upgrade shopassist"
            )
        for version, script in enumerate(MIGRATIONS[current:], start=current + 1):
            with self.transaction() as cur:
                for statement in script.split(";\n"):
                    if statement.strip():
                        cur.execute(statement)
                cur.execute(f"PRAGMA user_version={version}")

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Cursor]:
        """BEGIN IMMEDIATE ... COMMIT, rolled back on any exception. Nested in another
        transaction of the same thread it is a savepoint: the outer one decides."""
        with self._lock:
            cur = self._conn.cursor()
            if self._conn.in_transaction:
                self._depth += 1
                name = f"nested_{self._depth}"
                cur.execute(f"SAVEPOINT {name}")
                try:
                    yield cur
                except BaseException:
                    cur.execute(f"ROLLBACK TO {name}")
                    cur.execute(f"RELEASE {name}")
                    raise
                finally:
                    self._depth -= 1
                cur.execute(f"RELEASE {name}")
                return
            cur.execute("BEGIN IMMEDIATE")
            try:
                yield cur
            except BaseException:
                cur.execute("ROLLBACK")
                raise
            cur.execute("COMMIT")

    def query(self, sql: str, params: Iterable[Any] = ()) -> list[sqlite3.Row]:
        with self._lock:
            cur = self._conn.cursor()
            cur.row_factory = sqlite3.Row
            return cur.execute(sql, tuple(params)).fetchall()

    # -- catalogs ------------------------------------------------------------

    def _catalog_id(self, name: str) -> int:
        rows = self.query("SELECT id FROM catalogs WHERE name = ?", (name,))
        if not rows:
            known = ", ".join(c.name for c in self.list_catalogs()) or "none yet"
            raise NotFoundError(f"no catalog named {name!r} (known: {known})")
        return rows[0]["id"]

    def has_catalog(self, name: str) -> bool:
        return bool(self.query("SELECT 1 FROM catalogs WHERE name = ?", (name,)))

    def fingerprint(self, name: str) -> str | None:
        rows = self.query("SELECT fingerprint FROM catalogs WHERE name = ?", (name,))
        return rows[0]["fingerprint"] if rows else None

    def list_catalogs(self) -> list[CatalogInfo]:
        rows = self.query(
            """SELECT c.name, c.format, c.sources, c.fingerprint, c.updated_at,
                 (SELECT COUNT(*) FROM products p WHERE p.catalog_id = c.id) AS n_products,
                 (SELECT COUNT(*) FROM shoppers s WHERE s.catalog_id = c.id) AS n_shoppers,
                 (SELECT COUNT(*) FROM interactions i WHERE i.catalog_id = c.id) AS n_inter,
                 (SELECT COUNT(*) FROM reviews r WHERE r.catalog_id = c.id) AS n_reviews
               FROM catalogs c ORDER BY c.name"""
        )
        return [
            CatalogInfo(
                r["name"],
                r["format"],
                json.loads(r["sources"]),
                r["fingerprint"],
                r["updated_at"],
                r["n_products"],
                r["n_shoppers"],
                r["n_inter"],
                r["n_reviews"],
            )
            for r in rows
        ]

    def catalog_report(self, name: str) -> dict[str, Any]:
        rows = self.query("SELECT report FROM catalogs WHERE name = ?", (name,))
        if not rows:
            self._catalog_id(name)  # raises with the list of known catalogs
        return json.loads(rows[0]["report"] or "{}")

    def replace_catalog(self, name: str, dataset: RawDataset, report: ValidationReport) -> None:
        """Store a cleaned dataset as catalog `name`, replacing any previous content.

        All or nothing: any error rolls the whole replacement back.
        """
        now = time.time()
        with self.transaction() as cur:
            row = cur.execute("SELECT id FROM catalogs WHERE name = ?", (name,)).fetchone()
            if row:
                cid = row[0]
                self._delete_content(cur, cid)
                cur.execute(
                    "UPDATE catalogs SET format=?, sources=?, fingerprint=?, report=?,"
                    " updated_at=? WHERE id=?",
                    (
                        report.format,
                        json.dumps(report.sources),
                        report.fingerprint,
                        report.to_json(),
                        now,
                        cid,
                    ),
                )
            else:
                cur.execute(
                    "INSERT INTO catalogs(name, format, sources, fingerprint, report,"
                    " created_at, updated_at) VALUES (?,?,?,?,?,?,?)",
                    (
                        name,
                        report.format,
                        json.dumps(report.sources),
                        report.fingerprint,
                        report.to_json(),
                        now,
                        now,
                    ),
                )
                cid = cur.lastrowid
            product_pk = self._insert_products(cur, cid, dataset.products)
            shopper_pk = self._insert_shoppers(cur, cid, dataset.shoppers)
            self._insert_interactions(cur, cid, dataset.interactions, shopper_pk, product_pk)
            self._insert_reviews(cur, cid, dataset.reviews, shopper_pk, product_pk)

    def delete_catalog(self, name: str) -> None:
        cid = self._catalog_id(name)
        with self.transaction() as cur:
            self._delete_content(cur, cid)
            cur.execute("DELETE FROM feedback WHERE catalog_id = ?", (cid,))
            cur.execute("DELETE FROM catalogs WHERE id = ?", (cid,))

    @staticmethod
    def _delete_content(cur: sqlite3.Cursor, cid: int) -> None:
        # Feedback is the shoppers' own data: it survives re-ingesting the catalog.
        for table in ("reviews", "interactions", "products", "shoppers"):
            cur.execute(f"DELETE FROM {table} WHERE catalog_id = ?", (cid,))

    @staticmethod
    def _insert_products(cur: sqlite3.Cursor, cid: int, products: list[Product]) -> dict[str, int]:
        cur.executemany(
            f"INSERT INTO products(catalog_id, {_PRODUCT_COLUMNS})"
            " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            (
                (
                    cid,
                    p.id,
                    p.title,
                    p.description,
                    p.brand,
                    _dumps(p.categories),
                    p.price,
                    p.currency,
                    _dumps(p.attributes),
                    p.rating_avg,
                    p.rating_count,
                    p.image_url,
                    int(p.in_stock),
                    _dumps(p.title_i18n),
                )
                for p in products
            ),
        )
        rows = cur.execute("SELECT ext_id, pk FROM products WHERE catalog_id = ?", (cid,))
        return dict(rows.fetchall())

    @staticmethod
    def _insert_shoppers(cur: sqlite3.Cursor, cid: int, shoppers: list[Shopper]) -> dict[str, int]:
        cur.executemany(
            "INSERT INTO shoppers(catalog_id, ext_id, name, attributes) VALUES (?,?,?,?)",
            ((cid, s.id, s.name, _dumps(s.attributes)) for s in shoppers),
        )
        rows = cur.execute("SELECT ext_id, pk FROM shoppers WHERE catalog_id = ?", (cid,))
        return dict(rows.fetchall())

    @staticmethod
    def _insert_interactions(
        cur: sqlite3.Cursor,
        cid: int,
        interactions: list[Interaction],
        shopper_pk: dict[str, int],
        product_pk: dict[str, int],
    ) -> None:
        cur.executemany(
            "INSERT INTO interactions(catalog_id, shopper_pk, product_pk, kind, value, ts,"
            " split, seq) VALUES (?,?,?,?,?,?,?,?)",
            (
                (
                    cid,
                    shopper_pk[i.shopper_id],
                    product_pk[i.product_id],
                    i.kind.value,
                    i.value,
                    i.timestamp,
                    i.split.value,
                    i.seq,
                )
                for i in interactions
            ),
        )

    @staticmethod
    def _insert_reviews(
        cur: sqlite3.Cursor,
        cid: int,
        reviews: list[Review],
        shopper_pk: dict[str, int],
        product_pk: dict[str, int],
    ) -> None:
        cur.executemany(
            "INSERT INTO reviews(catalog_id, ext_id, shopper_pk, product_pk, rating, title,"
            " text, ts) VALUES (?,?,?,?,?,?,?,?)",
            (
                (
                    cid,
                    r.id,
                    shopper_pk[r.shopper_id],
                    product_pk[r.product_id],
                    r.rating,
                    r.title,
                    r.text,
                    r.timestamp,
                )
                for r in reviews
            ),
        )

    # -- reading -------------------------------------------------------------

    def stats(self, name: str) -> dict[str, Any]:
        """Counts and field coverage (share of products with each field set)."""
        cid = self._catalog_id(name)
        info = next(c for c in self.list_catalogs() if c.name == name)
        coverage_sql = """SELECT COUNT(*) AS n,
            SUM(title <> '') AS title, SUM(description <> '') AS description,
            SUM(brand <> '') AS brand, SUM(categories <> '[]') AS categories,
            SUM(price IS NOT NULL) AS price, SUM(image_url IS NOT NULL AND image_url <> '')
              AS image_url,
            SUM(rating_avg IS NOT NULL) AS rating, SUM(attributes <> '{}') AS attributes
            FROM products WHERE catalog_id = ?"""
        row = self.query(coverage_sql, (cid,))[0]
        n = row["n"] or 0
        coverage = {
            key: round((row[key] or 0) / n, 4) if n else 0.0
            for key in (
                "title",
                "description",
                "brand",
                "categories",
                "price",
                "image_url",
                "rating",
                "attributes",
            )
        }
        splits = {
            r["split"]: r["n"]
            for r in self.query(
                "SELECT split, COUNT(*) AS n FROM interactions WHERE catalog_id = ? GROUP BY split",
                (cid,),
            )
        }
        kinds = {
            r["kind"]: r["n"]
            for r in self.query(
                "SELECT kind, COUNT(*) AS n FROM interactions WHERE catalog_id = ? GROUP BY kind",
                (cid,),
            )
        }
        return {
            "name": name,
            "format": info.format,
            "sources": info.sources,
            "products": info.products,
            "shoppers": info.shoppers,
            "interactions": info.interactions,
            "reviews": info.reviews,
            "interactions_by_split": splits,
            "interactions_by_kind": kinds,
            "coverage": coverage,
        }

    def products(self, name: str, ids: Iterable[str] | None = None) -> list[Product]:
        """Products of a catalog, in the order of `ids` when given (unknown ids skipped)."""
        cid = self._catalog_id(name)
        if ids is None:
            rows = self.query(
                f"SELECT {_PRODUCT_COLUMNS} FROM products WHERE catalog_id = ? ORDER BY pk", (cid,)
            )
            return [_product(r) for r in rows]
        wanted = list(dict.fromkeys(str(i) for i in ids))
        found: dict[str, Product] = {}
        for start in range(0, len(wanted), 500):
            chunk = wanted[start : start + 500]
            marks = ",".join("?" * len(chunk))
            rows = self.query(
                f"SELECT {_PRODUCT_COLUMNS} FROM products WHERE catalog_id = ?"
                f" AND ext_id IN ({marks})",
                (cid, *chunk),
            )
            found.update((r["ext_id"], _product(r)) for r in rows)
        return [found[i] for i in wanted if i in found]

    def product(self, name: str, product_id: str) -> Product:
        found = self.products(name, [product_id])
        if not found:
            raise NotFoundError(f"catalog {name!r} has no product {product_id!r}")
        return found[0]

    def shopper(self, name: str, shopper_id: str) -> Shopper:
        cid = self._catalog_id(name)
        rows = self.query(
            "SELECT ext_id, name, attributes FROM shoppers WHERE catalog_id = ? AND ext_id = ?",
            (cid, shopper_id),
        )
        if not rows:
            raise NotFoundError(f"catalog {name!r} has no shopper {shopper_id!r}")
        r = rows[0]
        return Shopper(r["ext_id"], r["name"], json.loads(r["attributes"]))

    def shopper_ids(self, name: str) -> list[str]:
        cid = self._catalog_id(name)
        rows = self.query("SELECT ext_id FROM shoppers WHERE catalog_id = ? ORDER BY pk", (cid,))
        return [r["ext_id"] for r in rows]

    def history(self, name: str, shopper_id: str) -> list[Interaction]:
        """A shopper's interactions, oldest first."""
        cid = self._catalog_id(name)
        rows = self.query(
            """SELECT p.ext_id AS product, i.kind, i.value, i.ts, i.split, i.seq
               FROM interactions i JOIN products p ON p.pk = i.product_pk
               WHERE i.shopper_pk = (SELECT pk FROM shoppers WHERE catalog_id = ? AND ext_id = ?)
               ORDER BY COALESCE(i.ts, 0), i.seq, i.pk""",
            (cid, shopper_id),
        )
        return [
            Interaction(
                shopper_id,
                r["product"],
                InteractionKind(r["kind"]),
                r["value"],
                r["ts"],
                Split(r["split"]),
                r["seq"],
            )
            for r in rows
        ]

    def reviews(self, name: str, product_id: str | None = None, limit: int = 1000) -> list[Review]:
        cid = self._catalog_id(name)
        sql = """SELECT r.ext_id, s.ext_id AS shopper, p.ext_id AS product, r.rating, r.title,
                   r.text, r.ts FROM reviews r JOIN shoppers s ON s.pk = r.shopper_pk
                   JOIN products p ON p.pk = r.product_pk WHERE r.catalog_id = ?"""
        params: list[Any] = [cid]
        if product_id is not None:
            # through the product's own index, not a scan of the catalog's reviews
            sql += (
                " AND r.product_pk = (SELECT pk FROM products WHERE catalog_id = ? AND ext_id = ?)"
            )
            params += [cid, product_id]
        sql += " ORDER BY r.pk LIMIT ?"
        params.append(limit)
        return [
            Review(
                r["ext_id"], r["shopper"], r["product"], r["rating"], r["title"], r["text"], r["ts"]
            )
            for r in self.query(sql, params)
        ]

    def add_feedback(
        self, name: str, shopper_id: str, product_id: str, kind: str, session_id: str | None = None
    ) -> None:
        """Store one piece of feedback; the product must exist in the catalog."""
        self.product(name, product_id)  # raises NotFoundError for unknown products
        cid = self._catalog_id(name)
        with self.transaction() as cur:
            cur.execute(
                "INSERT INTO feedback(catalog_id, shopper_id, product_id, kind, session_id,"
                " created_at) VALUES (?,?,?,?,?,?)",
                (cid, shopper_id, product_id, kind, session_id, time.time()),
            )

    def feedback(self, name: str, shopper_id: str) -> list[tuple[str, str, float]]:
        """(product id, kind, time) of a shopper's feedback, oldest first."""
        cid = self._catalog_id(name)
        rows = self.query(
            "SELECT product_id, kind, created_at FROM feedback WHERE catalog_id = ?"
            " AND shopper_id = ? ORDER BY pk",
            (cid, shopper_id),
        )
        return [(r["product_id"], r["kind"], r["created_at"]) for r in rows]

    # -- conversations (web UI and HTTP API) -----------------------------------------

    def create_session(
        self, session_id: str, catalog: str, shopper_id: str | None, state: dict[str, Any]
    ) -> None:
        now = time.time()
        with self.transaction() as cur:
            cur.execute(
                "INSERT INTO sessions(id, catalog, shopper_id, state, created_at, updated_at)"
                " VALUES (?,?,?,?,?,?)",
                (session_id, catalog, shopper_id, _dumps(state), now, now),
            )

    def session(self, session_id: str) -> SessionRecord:
        rows = self.query("SELECT * FROM sessions WHERE id = ?", (session_id,))
        if not rows:
            raise NotFoundError("no such session (it may have been deleted)")
        r = rows[0]
        return SessionRecord(
            r["id"], r["catalog"], r["shopper_id"], json.loads(r["state"]), r["created_at"]
        )

    def session_owner(self, session_id: str) -> tuple[str, str | None]:
        """(catalog, shopper id) of a session, without reading its state."""
        rows = self.query("SELECT catalog, shopper_id FROM sessions WHERE id = ?", (session_id,))
        if not rows:
            raise NotFoundError("no such session (it may have been deleted)")
        return rows[0][0], rows[0][1]

    def save_session(
        self,
        session_id: str,
        state: dict[str, Any],
        messages: Iterable[tuple[str, str, dict[str, Any] | None]] = (),
    ) -> None:
        """Store the new dialogue state and append (role, text, reply) messages, atomically."""
        now = time.time()
        with self.transaction() as cur:
            cur.execute(
                "UPDATE sessions SET state = ?, updated_at = ? WHERE id = ?",
                (_dumps(state), now, session_id),
            )
            if cur.rowcount == 0:
                raise NotFoundError("no such session (it may have been deleted)")
            for role, text, reply in messages:
                cur.execute(
                    "INSERT INTO session_messages(session_id, role, text, reply, created_at)"
                    " VALUES (?,?,?,?,?)",
                    (session_id, role, text, None if reply is None else _dumps(reply), now),
                )

    def session_messages(self, session_id: str) -> list[dict[str, Any]]:
        rows = self.query(
            "SELECT role, text, reply, created_at FROM session_messages WHERE session_id = ?"
            " ORDER BY pk",
            (session_id,),
        )
        return [
            {
                "role": r["role"],
                "text": r["text"],
                "reply": None if r["reply"] is None else json.loads(r["reply"]),
                "created_at": r["created_at"],
            }
            for r in rows
        ]

    def export_activity(self, name: str) -> dict[str, Any]:
        """Sessions (with messages) and feedback of one catalog, for an admin export."""
        sessions = self.query(
            "SELECT id, shopper_id, created_at, updated_at FROM sessions WHERE catalog = ?"
            " ORDER BY created_at",
            (name,),
        )
        cid = self._catalog_id(name)
        feedback = self.query(
            "SELECT shopper_id, product_id, kind, session_id, created_at FROM feedback"
            " WHERE catalog_id = ? ORDER BY pk",
            (cid,),
        )
        return {
            "catalog": name,
            "sessions": [{**dict(r), "messages": self.session_messages(r["id"])} for r in sessions],
            "feedback": [dict(r) for r in feedback],
        }

    # -- a shopper's own data (export, right to be forgotten) ---------------------------

    def shopper_data(self, name: str, shopper_id: str) -> dict[str, Any]:
        """Everything stored about one shopper of a catalog."""
        cid = self._catalog_id(name)
        rows = self.query(
            "SELECT name, attributes FROM shoppers WHERE catalog_id = ? AND ext_id = ?",
            (cid, shopper_id),
        )
        sessions = self.query(
            "SELECT id, created_at, updated_at FROM sessions WHERE catalog = ? AND shopper_id = ?"
            " ORDER BY created_at",
            (name, shopper_id),
        )
        reviews = self.query(
            """SELECT r.ext_id, p.ext_id AS product, r.rating, r.title, r.text, r.ts
               FROM reviews r JOIN products p ON p.pk = r.product_pk
               WHERE r.shopper_pk = (SELECT pk FROM shoppers WHERE catalog_id = ? AND ext_id = ?)
               ORDER BY r.pk""",
            (cid, shopper_id),
        )
        return {
            "catalog": name,
            "shopper_id": shopper_id,
            "profile": (
                {"name": rows[0]["name"], "attributes": json.loads(rows[0]["attributes"])}
                if rows
                else None
            ),
            "history": [
                {
                    "product_id": h.product_id,
                    "kind": str(h.kind),
                    "value": h.value,
                    "ts": h.timestamp,
                }
                for h in self.history(name, shopper_id)
            ],
            "reviews": [dict(r) for r in reviews],
            "feedback": [
                {"product_id": pid, "kind": kind, "at": at}
                for pid, kind, at in self.feedback(name, shopper_id)
            ],
            "sessions": [{**dict(r), "messages": self.session_messages(r["id"])} for r in sessions],
        }

    def delete_shopper_data(self, name: str, shopper_id: str) -> dict[str, int]:
        """Delete everything stored about one shopper of a catalog, in one transaction:
        conversations, feedback, history, reviews and the shopper record."""
        cid = self._catalog_id(name)
        counts: dict[str, int] = {}
        with self.transaction() as cur:
            row = cur.execute(
                "SELECT pk FROM shoppers WHERE catalog_id = ? AND ext_id = ?", (cid, shopper_id)
            ).fetchone()
            cur.execute(
                "DELETE FROM sessions WHERE catalog = ? AND shopper_id = ?", (name, shopper_id)
            )
            counts["sessions"] = cur.rowcount
            cur.execute(
                "DELETE FROM feedback WHERE catalog_id = ? AND shopper_id = ?", (cid, shopper_id)
            )
            counts["feedback"] = cur.rowcount
            counts["interactions"] = counts["reviews"] = counts["shopper"] = 0
            if row is not None:
                cur.execute("DELETE FROM interactions WHERE shopper_pk = ?", (row[0],))
                counts["interactions"] = cur.rowcount
                cur.execute("DELETE FROM reviews WHERE shopper_pk = ?", (row[0],))
                counts["reviews"] = cur.rowcount
                cur.execute("DELETE FROM shoppers WHERE pk = ?", (row[0],))
                counts["shopper"] = cur.rowcount
        return counts

    def hold_out(self, name: str, pairs: Iterable[tuple[str, str]]) -> int:
        """Delete every interaction of the given (shopper id, product id) pairs, in one
        transaction, so that an offline evaluation can hide them from the models; returns
        how many interactions were removed. Unknown pairs are ignored."""
        cid = self._catalog_id(name)
        removed = 0
        with self.transaction() as cur:
            for shopper_id, product_id in pairs:
                cur.execute(
                    """DELETE FROM interactions
                       WHERE shopper_pk = (SELECT pk FROM shoppers
                                           WHERE catalog_id = ? AND ext_id = ?)
                         AND product_pk = (SELECT pk FROM products
                                           WHERE catalog_id = ? AND ext_id = ?)""",
                    (cid, shopper_id, cid, product_id),
                )
                removed += cur.rowcount
        return removed

    def all_feedback(self, name: str) -> list[tuple[str, str, str]]:
        """(shopper id, product id, kind) of every piece of feedback, oldest first."""
        cid = self._catalog_id(name)
        rows = self.query(
            "SELECT shopper_id, product_id, kind FROM feedback WHERE catalog_id = ? ORDER BY pk",
            (cid,),
        )
        return [(r["shopper_id"], r["product_id"], r["kind"]) for r in rows]

    def interaction_arrays(self, name: str) -> InteractionArrays:
        """All interactions of a catalog as arrays with dense user/item indices."""
        cid = self._catalog_id(name)
        with self._lock:
            products = self._conn.execute(
                "SELECT pk, ext_id FROM products WHERE catalog_id = ? ORDER BY pk", (cid,)
            ).fetchall()
            shoppers = self._conn.execute(
                "SELECT pk, ext_id FROM shoppers WHERE catalog_id = ? ORDER BY pk", (cid,)
            ).fetchall()
            rows = self._conn.execute(
                "SELECT shopper_pk, product_pk, kind, value, COALESCE(ts, -1), split, seq"
                " FROM interactions WHERE catalog_id = ? ORDER BY pk",
                (cid,),
            ).fetchall()
        p_index = {pk: i for i, (pk, _) in enumerate(products)}
        s_index = {pk: i for i, (pk, _) in enumerate(shoppers)}
        cols = list(zip(*rows, strict=True)) if rows else [()] * 7
        return InteractionArrays(
            shopper_ids=[ext for _, ext in shoppers],
            product_ids=[ext for _, ext in products],
            users=np.fromiter((s_index[pk] for pk in cols[0]), np.int64, len(rows)),
            items=np.fromiter((p_index[pk] for pk in cols[1]), np.int64, len(rows)),
            kinds=np.array(cols[2], dtype=str),
            values=np.array(cols[3], dtype=np.float32),
            timestamps=np.array(cols[4], dtype=np.int64),
            splits=np.array(cols[5], dtype=str),
            seq=np.array(cols[6], dtype=np.int64),
        )


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _product(row: sqlite3.Row) -> Product:
    return Product(
        id=row["ext_id"],
        title=row["title"],
        description=row["description"],
        brand=row["brand"],
        categories=json.loads(row["categories"]),
        price=row["price"],
        currency=row["currency"],
        attributes=json.loads(row["attributes"]),
        rating_avg=row["rating_avg"],
        rating_count=row["rating_count"],
        image_url=row["image_url"],
        in_stock=bool(row["in_stock"]),
        title_i18n=json.loads(row["title_i18n"]),
    )
