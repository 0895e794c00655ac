"""Identity without a server: the shopper token format, the access rules and the
per-client rate limiter (a clock of our own, so no test waits)."""

from __future__ import annotations

import base64
import json

import pytest

from shopassist.settings import LimitSettings, ServerSettings, load_settings
from ui.access import Access, Caller, Forbidden, Unauthorized
from ui.limits import RateLimited, RateLimiter
from ui.tokens import LEEWAY_S, TokenError, sign, verify

SECRET = "a-test-secret-of-at-least-32-characters"
NOW = 1_700_000_000
# The example token published on jwt.io (HS256, secret "your-256-bit-secret"), made by
# another implementation: its signature checks out here, and it is refused only for
# having no expiry.
JWT_IO_EXAMPLE = (
    "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9l"
    "IiwiaWF0IjoxNTE2MjM5MDIyfQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c"
)


def b64(obj: object) -> str:
    return base64.urlsafe_b64encode(json.dumps(obj).encode()).rstrip(b"=").decode()


def reason(token: str, secret: str = SECRET, now: float = NOW) -> str:
    with pytest.raises(TokenError) as caught:
        verify(secret, token, now=now)
    return caught.value.reason


def test_a_signed_token_carries_its_shopper_until_it_expires():
    token = sign(SECRET, "u0002", 3600, now=NOW)
    header, claims, _ = token.split(".")
    assert json.loads(base64.urlsafe_b64decode(header + "==")) == {"alg": "HS256", "typ": "JWT"}
    assert json.loads(base64.urlsafe_b64decode(claims + "=="))["exp"] == NOW + 3600
    assert verify(SECRET, token, now=NOW + 3599) == "u0002"
    assert verify(SECRET, token, now=NOW + 3600 + LEEWAY_S) == "u0002"  # clock skew
    assert reason(token, now=NOW + 3601 + LEEWAY_S) == "token-expired"


def test_forged_tampered_and_malformed_tokens_are_refused():
    token = sign(SECRET, "u0002", 3600, now=NOW)
    head, claims, signature = token.split(".")
    assert reason(sign("another-secret-of-at-least-32-chars!", "u0002", 60, now=NOW)) == (
        "token-signature"
    )
    other = b64({"sub": "u0003", "exp": NOW + 3600})  # the payload swapped, signature kept
    assert reason(f"{head}.{other}.{signature}") == "token-signature"
    flipped = signature[:-2] + ("A" if signature[-2] != "A" else "B") + signature[-1]
    assert reason(f"{head}.{claims}.{flipped}") == "token-signature"
    # the last character's two unused bits re-spelled: the same bytes to a lenient decoder
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    respelled = signature[:-1] + alphabet[alphabet.index(signature[-1]) ^ 1]
    assert base64.urlsafe_b64decode(respelled + "=") == base64.urlsafe_b64decode(signature + "=")
    assert reason(f"{head}.{claims}.{respelled}") == "token-signature"
    none_alg = f"{b64({'alg': 'none', 'typ': 'JWT'})}.{claims}."
    assert reason(none_alg) == "token-signature"
    for junk in ("", "abc", "a.b", "a.b.c.d", token + "." + token, "x" * 5000, "é.é.é"):
        assert reason(junk) in ("token-malformed", "token-signature")


def test_claims_are_read_only_under_a_valid_signature_and_must_be_complete():
    def signed(header: dict, claims: dict) -> str:
        import hashlib
        import hmac

        h, c = b64(header), b64(claims)
        mac = hmac.new(SECRET.encode(), f"{h}.{c}".encode(), hashlib.sha256).digest()
        return f"{h}.{c}.{base64.urlsafe_b64encode(mac).rstrip(b'=').decode()}"

    good = {"alg": "HS256", "typ": "JWT"}
    assert verify(SECRET, signed(good, {"sub": "u1", "exp": NOW + 5}), now=NOW) == "u1"
    assert reason(signed({"alg": "HS512"}, {"sub": "u1", "exp": NOW + 5})) == "token-algorithm"
    assert reason(signed(good, {"sub": "u1"})) == "token-no-expiry"
    assert reason(signed(good, {"sub": "u1", "exp": True})) == "token-no-expiry"
    assert reason(signed(good, {"exp": NOW + 5})) == "token-subject"
    assert reason(signed(good, {"sub": "bad id", "exp": NOW + 5})) == "token-subject"
    # guest ids are the server's to issue: a token can never claim one
    assert reason(signed(good, {"sub": "guest-1a2b", "exp": NOW + 5})) == "token-subject"
    with pytest.raises(TokenError):
        sign(SECRET, "guest-1a2b", 60)
    with pytest.raises(TokenError):
        sign(SECRET, "u1", 0)


def test_a_token_made_by_another_jwt_implementation_checks_out():
    assert reason(JWT_IO_EXAMPLE, secret="your-256-bit-secret") == "token-no-expiry"
    assert reason(JWT_IO_EXAMPLE, secret="not-the-secret-it-was-signed-with") == ("token-signature")


def server(**kw) -> ServerSettings:
    return ServerSettings(api_key="k" * 24, shopper_secret=SECRET, **kw)


def test_credentials_identify_the_caller_and_bad_ones_are_never_a_guest():
    access = Access(server())
    token = sign(SECRET, "u0002", 60)
    assert access.identify(None, None, "10.0.0.1") == Caller("anonymous", "10.0.0.1")
    assert access.identify(f"Bearer {token}", None, "x").shopper_id == "u0002"
    assert access.identify(f"bearer  {token} ", None, "x").kind == "shopper"
    assert access.identify(None, "k" * 24, "x").kind == "admin"
    for authorization, key, why in (
        (f"Basic {token}", None, "auth-scheme"),
        ("Bearer", None, "auth-scheme"),
        (f"Bearer {token}x", None, "token-signature"),
        (None, "wrong", "api-key-wrong"),
        (f"Bearer {token}", "wrong", "api-key-wrong"),
    ):
        with pytest.raises(Unauthorized) as caught:
            access.identify(authorization, key, "x")
        assert caught.value.reason == why
    without_secret = Access(ServerSettings())
    with pytest.raises(Unauthorized) as caught:
        without_secret.identify(f"Bearer {token}", None, "x")
    assert caught.value.reason == "tokens-off" and "shopper_secret" in str(caught.value)
    with pytest.raises(Unauthorized):
        without_secret.identify(None, "k" * 24, "x")  # no key configured: no admin


def test_who_may_touch_a_shopper_and_a_session():
    access = Access(server())
    admin, anonymous = Caller("admin"), Caller("anonymous", "1.2.3.4")
    me, other = Caller("shopper", "", "u0002"), Caller("shopper", "", "u0003")
    access.shopper(admin, "u0002")
    access.shopper(me, "u0002")
    with pytest.raises(Forbidden):
        access.shopper(other, "u0002")
    with pytest.raises(Unauthorized):
        access.shopper(anonymous, "u0002")
    for caller in (admin, me):
        access.session(caller, "u0002")
    for caller, error in ((other, Forbidden), (anonymous, Unauthorized)):
        with pytest.raises(error):
            access.session(caller, "u0002")
    for caller in (admin, anonymous):
        access.session(caller, "guest-0a1b2c")  # a guest's session id is its key
        access.session(caller, None)
    with pytest.raises(Forbidden) as caught:
        access.session(me, "guest-0a1b2c")  # another identity
    assert caught.value.reason == "guest-session"
    assert (admin.client, me.client, anonymous.client) == (
        None,
        "shopper:u0002",
        "address:1.2.3.4",
    )


class Clock:
    def __init__(self) -> None:
        self.t = 100.0

    def __call__(self) -> float:
        return self.t


def test_a_bucket_allows_its_burst_then_refuses_with_the_wait_then_refills():
    clock = Clock()
    limits = LimitSettings(messages={"per_minute": 30, "burst": 3})
    limiter = RateLimiter(limits, clock=clock)
    for _ in range(3):
        limiter.take("messages", "address:a")
    with pytest.raises(RateLimited) as caught:
        limiter.take("messages", "address:a")
    assert caught.value.retry_after == 2  # one token every 2 s at 30 a minute
    assert "30 a minute" in str(caught.value)
    limiter.take("messages", "address:b")  # another client has its own bucket
    limiter.take("feedback", "address:a")  # and each kind its own
    clock.t += 1.0
    with pytest.raises(RateLimited) as caught:
        limiter.take("messages", "address:a")
    assert caught.value.retry_after == 1
    clock.t += 1.0
    limiter.take("messages", "address:a")
    clock.t += 3600
    for _ in range(3):  # refilled to the burst, no more
        limiter.take("messages", "address:a")
    with pytest.raises(RateLimited):
        limiter.take("messages", "address:a")
    for _ in range(100):
        limiter.take("messages", None)  # the admin key is not limited


def test_a_zero_rate_turns_a_limit_off():
    limiter = RateLimiter(LimitSettings(sessions={"per_minute": 0}))
    for _ in range(1000):
        limiter.take("sessions", "address:a")


def test_identity_and_limit_settings_validate_with_clear_messages():
    s = load_settings(env={"SHOPASSIST_LIMITS__MESSAGES__BURST": "5"})
    assert (s.limits.messages.burst, s.limits.messages.per_minute) == (5, 30)  # default kept
    assert s.limits.sessions.per_minute == 10 and not s.ui.demo_shoppers
    assert s.server.shopper_secret is None
    assert SECRET not in repr(load_settings(env={}, overrides={"server.shopper_secret": SECRET}))
    for key, value, words in (
        ("server.shopper_secret", "short", "at least 32"),
        ("server.cors_origins", ["https://shop.example/page"], "not an origin"),
        ("server.cors_origins", ["shop.example"], "scheme://host"),
        ("limits.messages.burst", 0, "limits.messages.burst"),
    ):
        with pytest.raises(Exception) as caught:
            load_settings(env={}, overrides={key: value})
        assert words in str(caught.value), (key, str(caught.value))
    origins = load_settings(env={}, overrides={"server.cors_origins": ["https://a.example/"]})
    assert origins.server.cors_origins == ["https://a.example"]
