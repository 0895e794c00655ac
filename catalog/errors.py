"""The project's exception hierarchy.

It lives in the lowest layer so every other package can raise and catch the
same types. Messages are written for the person running the command: they say
what was expected and what to do.
"""

from __future__ import annotations


class ShopAssistError(Exception):
    """Base of every error the project raises on purpose."""


class InputError(ShopAssistError):
    """The user gave input that cannot be used (bad file, bad flag, bad value)."""


class UnknownFormatError(InputError):
    """An import format name that no importer handles."""


class MissingFileError(InputError):
    """A file the command needs does not exist."""


class NotFoundError(ShopAssistError):
    """A named catalog, product or shopper does not exist."""


class StoreError(ShopAssistError):
    """The database is unusable (newer schema, corrupted file)."""


class BusyError(ShopAssistError):
    """Too many requests are waiting; try again after `retry_after` seconds."""

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after
