"""Who is calling the HTTP API, and whether they may touch a shopper's data.

Three ways in, nothing else:
- a guest: no credentials. A session created without a shopper gets a server-issued
  guest id; its unguessable session id is the guest's only key to it.
- a signed shopper: `Authorization: Bearer <token>` (ui/tokens.py), signed by the host
  site with `server.shopper_secret`; it acts for that one shopper.
- the admin key: `X-API-Key: <server.api_key>`, server to server; acts for any shopper.

Credentials that are sent but not valid are refused (401), never treated as a guest.
Refusals carry a short `reason` for the log, which never holds a token or a shopper id.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Literal

from catalog.errors import ShopAssistError
from shopassist.settings import ServerSettings
from ui.tokens import TokenError, is_guest, verify


class AccessError(ShopAssistError):
    """A refused request: `status` 401 (who are you?) or 403 (not yours)."""

    status = 401

    def __init__(self, message: str, reason: str) -> None:
        super().__init__(message)
        self.reason = reason


class Unauthorized(AccessError):
    status = 401


class Forbidden(AccessError):
    status = 403


@dataclass(frozen=True)
class Caller:
    kind: Literal["admin", "shopper", "anonymous"]
    address: str = ""
    shopper_id: str | None = None

    @property
    def client(self) -> str | None:
        """The key of this caller's rate-limit buckets; None = not limited (admin)."""
        if self.kind == "admin":
            return None
        if self.kind == "shopper":
            return f"shopper:{self.shopper_id}"
        return f"address:{self.address}"


class Access:
    def __init__(self, server: ServerSettings) -> None:
        self._api_key = server.api_key
        secret = server.shopper_secret
        self._secret = secret.get_secret_value() if secret is not None else None

    @property
    def signed_shoppers(self) -> bool:
        return self._secret is not None

    def identify(self, authorization: str | None, api_key: str | None, address: str) -> Caller:
        """The caller behind a request's headers (raises Unauthorized for bad credentials)."""
        if api_key is not None:
            if not self._api_key or not secrets.compare_digest(
                api_key.encode(), self._api_key.encode()
            ):
                raise Unauthorized("wrong X-API-Key header", "api-key-wrong")
            return Caller("admin", address)
        if authorization is None:
            return Caller("anonymous", address)
        scheme, _, token = authorization.strip().partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise Unauthorized(
                "the Authorization header must be 'Bearer <shopper token>'", "auth-scheme"
            )
        if self._secret is None:
            raise Unauthorized(
                "this server does not accept shopper tokens: server.shopper_secret is not set",
                "tokens-off",
            )
        try:
            shopper_id = verify(self._secret, token.strip())
        except TokenError as exc:
            raise Unauthorized(str(exc), exc.reason) from None
        return Caller("shopper", address, shopper_id)

    def shopper(self, caller: Caller, shopper_id: str) -> None:
        """May `caller` read or change `shopper_id`'s data?"""
        if caller.kind == "admin":
            return
        if caller.kind == "shopper":
            if caller.shopper_id != shopper_id:
                raise Forbidden("the shopper token is for another shopper", "wrong-shopper")
            return
        if self._secret is None:
            raise Unauthorized(
                "a shopper's data needs the X-API-Key header: this server has no "
                "server.shopper_secret, so it serves guests only",
                "no-credentials",
            )
        raise Unauthorized(
            "a shopper's data needs that shopper's token (Authorization: Bearer <token>, "
            "signed by the shop with server.shopper_secret) or the X-API-Key header",
            "no-credentials",
        )

    def session(self, caller: Caller, owner: str | None) -> None:
        """May `caller` read or write a session bound to `owner` at its creation? A guest
        session is reached with its id alone, but not by a signed shopper (another
        identity); a shopper's session needs that shopper's token or the admin key."""
        if not is_guest(owner):
            self.shopper(caller, owner)  # type: ignore[arg-type]
        elif caller.kind == "shopper":
            raise Forbidden(
                "this is a guest's session; a signed shopper cannot use it: start a new one",
                "guest-session",
            )
