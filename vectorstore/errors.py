"""Errors of the search index, all `ShopAssistError`s with a message that says what to run."""

from __future__ import annotations

from catalog.errors import ShopAssistError


class SearchIndexError(ShopAssistError):
    """The search index cannot be used as it is."""


class IndexMissingError(SearchIndexError):
    """No index was built for the catalog (or for this embedder)."""


class IndexCorruptError(SearchIndexError):
    """Index files or the Chroma collection are damaged or inconsistent."""


class IndexStaleError(SearchIndexError):
    """The catalog changed since the index was built."""


class VectorStoreUnavailableError(SearchIndexError):
    """The configured Chroma server cannot be reached."""


def rebuild_hint(catalog: str) -> str:
    return f"run `shopassist index --dataset {catalog}` to build it"
