"""Forward-only schema migrations; `PRAGMA user_version` is the applied count.

Append a new script to add tables or columns; never edit a published one.
Statements are separated by ";" at the end of a line.
"""

from __future__ import annotations

MIGRATIONS: list[str] = [
    # 1: catalogs and their content
    """
    CREATE TABLE catalogs (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL UNIQUE,
        format TEXT NOT NULL,
        sources TEXT NOT NULL DEFAULT '[]',
        fingerprint TEXT NOT NULL DEFAULT '',
        report TEXT,
        created_at REAL NOT NULL,
        updated_at REAL NOT NULL
    );
    CREATE TABLE products (
        pk INTEGER PRIMARY KEY,
        catalog_id INTEGER NOT NULL REFERENCES catalogs(id) ON DELETE CASCADE,
        ext_id TEXT NOT NULL,
        title TEXT NOT NULL DEFAULT '',
        description TEXT NOT NULL DEFAULT '',
        brand TEXT NOT NULL DEFAULT '',
        categories TEXT NOT NULL DEFAULT '[]',
        price REAL CHECK (price IS NULL OR price >= 0),
        currency TEXT NOT NULL DEFAULT 'USD',
        attributes TEXT NOT NULL DEFAULT '{}',
        rating_avg REAL,
        rating_count INTEGER NOT NULL DEFAULT 0,
        image_url TEXT,
        in_stock INTEGER NOT NULL DEFAULT 1,
        title_i18n TEXT NOT NULL DEFAULT '{}',
        UNIQUE (catalog_id, ext_id)
    );
    CREATE TABLE shoppers (
        pk INTEGER PRIMARY KEY,
        catalog_id INTEGER NOT NULL REFERENCES catalogs(id) ON DELETE CASCADE,
        ext_id TEXT NOT NULL,
        name TEXT NOT NULL DEFAULT '',
        attributes TEXT NOT NULL DEFAULT '{}',
        UNIQUE (catalog_id, ext_id)
    );
    CREATE TABLE interactions (
        pk INTEGER PRIMARY KEY,
        catalog_id INTEGER NOT NULL REFERENCES catalogs(id) ON DELETE CASCADE,
        shopper_pk INTEGER NOT NULL REFERENCES shoppers(pk) ON DELETE CASCADE,
        product_pk INTEGER NOT NULL REFERENCES products(pk) ON DELETE CASCADE,
        kind TEXT NOT NULL CHECK (kind IN ('view', 'cart', 'purchase', 'rating')),
        value REAL NOT NULL DEFAULT 1.0,
        ts INTEGER,
        split TEXT NOT NULL DEFAULT 'train' CHECK (split IN ('train', 'valid', 'test')),
        seq INTEGER NOT NULL DEFAULT 0
    );
    CREATE INDEX ix_interactions_catalog ON interactions(catalog_id);
    CREATE INDEX ix_interactions_shopper ON interactions(shopper_pk);
    CREATE INDEX ix_interactions_product ON interactions(product_pk);
    CREATE TABLE reviews (
        pk INTEGER PRIMARY KEY,
        catalog_id INTEGER NOT NULL REFERENCES catalogs(id) ON DELETE CASCADE,
        ext_id TEXT NOT NULL,
        shopper_pk INTEGER NOT NULL REFERENCES shoppers(pk) ON DELETE CASCADE,
        product_pk INTEGER NOT NULL REFERENCES products(pk) ON DELETE CASCADE,
        rating REAL,
        title TEXT NOT NULL DEFAULT '',
        text TEXT NOT NULL DEFAULT '',
        ts INTEGER,
        UNIQUE (catalog_id, ext_id)
    );
    CREATE INDEX ix_reviews_product ON reviews(product_pk);
    CREATE INDEX ix_reviews_shopper ON reviews(shopper_pk)
    """,
    # 2: shopper feedback from the assistant (likes, "not interested", carts)
    """
    CREATE TABLE feedback (
        pk INTEGER PRIMARY KEY,
        catalog_id INTEGER NOT NULL REFERENCES catalogs(id) ON DELETE CASCADE,
        shopper_id TEXT NOT NULL,
        product_id TEXT NOT NULL,
        kind TEXT NOT NULL CHECK (kind IN ('like', 'not_interested', 'cart', 'purchase', 'view')),
        session_id TEXT,
        created_at REAL NOT NULL
    );
    CREATE INDEX ix_feedback_shopper ON feedback(catalog_id, shopper_id)
    """,
    # 3: conversations of the web UI and the HTTP API (a restart keeps them)
    """
    CREATE TABLE sessions (
        id TEXT PRIMARY KEY,
        catalog TEXT NOT NULL,
        shopper_id TEXT,
        state TEXT NOT NULL,
        created_at REAL NOT NULL,
        updated_at REAL NOT NULL
    );
    CREATE TABLE session_messages (
        pk INTEGER PRIMARY KEY,
        session_id TEXT NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
        role TEXT NOT NULL CHECK (role IN ('shopper', 'assistant')),
        text TEXT NOT NULL,
        reply TEXT,
        created_at REAL NOT NULL
    );
    CREATE INDEX ix_session_messages ON session_messages(session_id, pk)
    """,
]
