"""Catalog data layer: data model, importers, cleaning, SQLite store, demo shop."""
