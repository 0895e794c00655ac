"""Signed shopper tokens: a JSON Web Token (RFC 7519) reduced to the one form we accept.

    base64url('{"alg":"HS256","typ":"JWT"}') + "." +
    base64url('{"sub":"<shopper id>","exp":<unix seconds>,"iat":<unix seconds>}') + "." +
    base64url(HMAC-SHA256(server.shopper_secret, <first part> + "." + <second part>))

base64url without padding. Simplified on purpose: one algorithm, pinned (a header that
names any other, "none" included, is refused, so there is no algorithm confusion), no key
ids, no audiences; `sub` and `exp` are required, other claims are ignored. Any JWT
library makes a token this accepts, e.g. PyJWT's
`jwt.encode({"sub": shopper_id, "exp": expiry}, secret, algorithm="HS256")`, so a host
site signs with whatever its backend already uses. The stdlib does the work: no
dependency for forty lines.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import re
import time

from catalog.errors import ShopAssistError

GUEST_PREFIX = "guest-"  # ids the server issues to guests; never a signed shopper's
SHOPPER_ID_RE = re.compile(r"^[A-Za-z0-9_.:@-]{1,64}$")
MAX_TOKEN_CHARS = 2048
LEEWAY_S = 30  # clock skew between the host site and this server
_HEADER = {"alg": "HS256", "typ": "JWT"}
_TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$")


class TokenError(ShopAssistError):
    """A shopper token that cannot be accepted. `reason` is a short code for the log
    (it never holds the token or the shopper id)."""

    def __init__(self, message: str, reason: str) -> None:
        super().__init__(message)
        self.reason = reason


def is_guest(shopper_id: str | None) -> bool:
    """A session without a shopper, or with a server-issued guest id."""
    return shopper_id is None or shopper_id.startswith(GUEST_PREFIX)


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:  # text already checked to be base64url characters
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _mac(secret: str, signing_input: str) -> bytes:
    return hmac.new(secret.encode(), signing_input.encode("ascii"), hashlib.sha256).digest()


def check_subject(shopper_id: str) -> str:
    if not isinstance(shopper_id, str) or not SHOPPER_ID_RE.match(shopper_id):
        raise TokenError(
            "a shopper id is 1-64 characters of letters, digits and _ . : @ -", "token-subject"
        )
    if is_guest(shopper_id):
        raise TokenError(
            f"shopper ids starting with {GUEST_PREFIX!r} are reserved for guests", "token-subject"
        )
    return shopper_id


def sign(secret: str, shopper_id: str, ttl_s: int, now: float | None = None) -> str:
    """A token for `shopper_id` valid for `ttl_s` seconds."""
    if ttl_s < 1:
        raise TokenError("the token's lifetime must be at least 1 second", "token-ttl")
    check_subject(shopper_id)
    issued = int(time.time() if now is None else now)
    claims = {"sub": shopper_id, "exp": issued + int(ttl_s), "iat": issued}
    head = _b64(json.dumps(_HEADER, separators=(",", ":")).encode())
    body = _b64(json.dumps(claims, separators=(",", ":")).encode())
    return f"{head}.{body}.{_b64(_mac(secret, f'{head}.{body}'))}"


def verify(secret: str, token: str, now: float | None = None) -> str:
    """The shopper id a valid token carries; TokenError says what is wrong with it."""
    if len(token) > MAX_TOKEN_CHARS or not _TOKEN_RE.match(token):
        raise TokenError(
            "the shopper token is malformed: expected a JWT (header.payload.signature, "
            "each part base64url)",
            "token-malformed",
        )
    head, body, signature = token.split(".")
    # compared as text: base64url has one unpadded form, so a signature re-spelled with
    # other unused low bits is refused, not decoded to the same bytes
    if not hmac.compare_digest(signature, _b64(_mac(secret, f"{head}.{body}"))):
        raise TokenError(
            "the shopper token's signature does not match: sign it with HMAC-SHA256 (HS256) "
            "and the server's server.shopper_secret",
            "token-signature",
        )
    try:  # signed by the holder of the secret: now the content may be read
        header, claims = json.loads(_unb64(head)), json.loads(_unb64(body))
    except (ValueError, binascii.Error):
        raise TokenError("the shopper token's parts are not JSON", "token-malformed") from None
    if not isinstance(header, dict) or header.get("alg") != "HS256" or not isinstance(claims, dict):
        raise TokenError("only HS256 shopper tokens are accepted", "token-algorithm")
    expiry = claims.get("exp")
    if not isinstance(expiry, int | float) or isinstance(expiry, bool):
        raise TokenError("the shopper token has no expiry (exp)", "token-no-expiry")
    if (time.time() if now is None else now) > expiry + LEEWAY_S:
        raise TokenError(
            "the shopper token has expired: the shop's site has to issue a new one",
            "token-expired",
        )
    return check_subject(claims.get("sub"))  # type: ignore[arg-type]
