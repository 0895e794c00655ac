"""A shopper's data only for that shopper, against a real `shopassist serve` subprocess:
every shopper-scoped endpoint without credentials, with another shopper's token, with an
expired token and with a forged signature is refused with nothing stored (row counts
before and after); with the right token it works. Guests, the admin key, a server
without a shopper secret, `shopassist token`, rate limits and refused origins too."""

from __future__ import annotations

import base64
import json
import os
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest

from catalog.store import Store
from tests.server_support import Server
from ui.process import SCRIPT
from ui.tokens import sign

pytestmark = pytest.mark.slow

KEY = "access-test-admin-key-0123"
ADMIN = {"X-API-Key": KEY}
SECRET = "access-test-shopper-secret-0123456789"
ALLOWED = "http://shop.example"
VICTIM, OTHER, LEAVER = "u0002", "u0003", "u0009"  # demo shoppers with a history
CONFIG = f"""
[server]
api_key = "{KEY}"
shopper_secret = "{SECRET}"
cors_origins = ["{ALLOWED}"]
[limits]
sessions = {{per_minute = 60, burst = 3}}
messages = {{per_minute = 60, burst = 2}}
feedback = {{per_minute = 60, burst = 3}}
"""
TABLES = ("sessions", "session_messages", "feedback", "interactions", "reviews")
PRODUCT = "1262"


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def token(shopper: str) -> dict[str, str]:
    return bearer(sign(SECRET, shopper, 600))


BAD = {  # credential kind -> (headers for shopper s, the status it must get)
    "none": (lambda s: {}, 401),
    "another shopper's token": (lambda s: token(OTHER if s != OTHER else VICTIM), 403),
    "expired token": (lambda s: bearer(sign(SECRET, s, 60, now=time.time() - 3600)), 401),
    "forged signature": (lambda s: bearer(sign("not-the-server-secret-" * 2, s, 600)), 401),
}


@pytest.fixture(scope="module")
def home(demo_home, tmp_path_factory) -> Path:
    import shutil

    path = tmp_path_factory.mktemp("access") / "shop"
    shutil.copytree(demo_home, path)
    return path


@pytest.fixture(scope="module")
def server(home):
    with Server(home, CONFIG) as srv:
        yield srv


@pytest.fixture(scope="module")
def api(server):
    with httpx.Client(base_url=f"{server.url}/api/v1", timeout=120) as c:
        yield c


@pytest.fixture(scope="module")
def victim_session(api) -> str:
    """A session bound to VICTIM, started by a back-office tool with the admin key."""
    r = api.post("/sessions", json={"shopper_id": VICTIM}, headers=ADMIN)
    assert r.status_code == 201 and r.json()["shopper_id"] == VICTIM
    sid = r.json()["session_id"]
    assert api.post(f"/sessions/{sid}/messages", json={"text": "a yoga mat"}, headers=ADMIN)
    return sid


def rows(home: Path) -> dict[str, int]:
    with Store.in_home(home) as store:
        return {t: store.query(f"SELECT COUNT(*) FROM {t}")[0][0] for t in TABLES}


def feedback(c: httpx.Client, headers: dict[str, str], **where: str) -> httpx.Response:
    return c.post(
        "/feedback", json={"product_id": PRODUCT, "kind": "cart", **where}, headers=headers
    )


Call = Callable[[httpx.Client, str, dict[str, str]], httpx.Response]
ENDPOINTS: dict[str, tuple[str, Call, int]] = {  # name -> (target shopper, call, success)
    "create a session": (
        VICTIM,
        lambda c, sid, h: c.post("/sessions", json={"shopper_id": VICTIM}, headers=h),
        201,
    ),
    "read a session": (VICTIM, lambda c, sid, h: c.get(f"/sessions/{sid}", headers=h), 200),
    "send a message": (
        VICTIM,
        lambda c, sid, h: c.post(f"/sessions/{sid}/messages", json={"text": "cheaper"}, headers=h),
        200,
    ),
    "profile": (VICTIM, lambda c, sid, h: c.get(f"/shoppers/{VICTIM}/profile", headers=h), 200),
    "recommendations": (
        VICTIM,
        lambda c, sid, h: c.get(f"/shoppers/{VICTIM}/recommendations", headers=h),
        200,
    ),
    "why, for a shopper": (
        VICTIM,
        lambda c, sid, h: c.get(f"/why/{PRODUCT}", params={"shopper_id": VICTIM}, headers=h),
        200,
    ),
    "why, in a session": (
        VICTIM,
        lambda c, sid, h: c.get(f"/why/{PRODUCT}", params={"session_id": sid}, headers=h),
        200,
    ),
    "feedback for a shopper": (VICTIM, lambda c, sid, h: feedback(c, h, shopper_id=VICTIM), 200),
    "feedback in a session": (VICTIM, lambda c, sid, h: feedback(c, h, session_id=sid), 200),
    "export": (VICTIM, lambda c, sid, h: c.get(f"/shoppers/{VICTIM}/data", headers=h), 200),
    "delete": (LEAVER, lambda c, sid, h: c.delete(f"/shoppers/{LEAVER}", headers=h), 200),
}


@pytest.mark.parametrize("endpoint", list(ENDPOINTS))
def test_each_shopper_endpoint_refuses_wrong_credentials_and_takes_the_right_token(
    api, home, victim_session, endpoint
):
    shopper, call, success = ENDPOINTS[endpoint]
    for kind, (headers, status) in BAD.items():
        before = rows(home)
        r = call(api, victim_session, headers(shopper))
        assert r.status_code == status, (kind, r.status_code, r.text)
        assert r.json()["error"], kind
        if status == 401:
            assert r.headers["www-authenticate"].startswith("Bearer")
        assert rows(home) == before, f"{endpoint} with {kind} stored something"
    before = rows(home)
    r = call(api, victim_session, token(shopper))
    assert r.status_code == success, r.text
    after = rows(home)
    if endpoint == "create a session":
        assert r.json()["shopper_id"] == VICTIM and after["sessions"] == before["sessions"] + 1
    elif endpoint == "send a message":
        assert after["session_messages"] == before["session_messages"] + 2
    elif endpoint.startswith("feedback"):
        assert r.json()["recorded"] and after["feedback"] == before["feedback"] + 1
    elif endpoint == "delete":
        assert r.json()["deleted"]["interactions"] > 0
        assert after["interactions"] < before["interactions"]
    else:
        assert after == before
    if endpoint == "profile":
        assert r.json()["shopper_id"] == VICTIM and r.json()["n_interactions"] > 0


def test_the_admin_key_acts_for_any_shopper_and_a_wrong_key_is_refused(api, home):
    assert api.get(f"/shoppers/{OTHER}/profile", headers=ADMIN).json()["shopper_id"] == OTHER
    before = rows(home)
    wrong = api.post(
        "/feedback",
        json={"product_id": PRODUCT, "kind": "cart", "shopper_id": OTHER},
        headers={"X-API-Key": "nope"},
    )
    assert wrong.status_code == 401 and "X-API-Key" in wrong.json()["error"]
    assert rows(home) == before
    # a valid shopper token does not rescue a wrong key
    both = {"X-API-Key": "nope", **token(OTHER)}
    assert api.get(f"/shoppers/{OTHER}/profile", headers=both).status_code == 401


def test_a_guest_session_is_its_id_alone_and_no_signed_shopper_may_use_it(api, home):
    guest = api.post("/sessions", json={}).json()
    sid, guest_id = guest["session_id"], guest["shopper_id"]
    assert guest_id.startswith("guest-")
    reply = api.post(f"/sessions/{sid}/messages", json={"text": "hiking boots"})
    assert reply.status_code == 200 and reply.json()["products"]
    liked = reply.json()["products"][0]["id"]
    ok = api.post("/feedback", json={"session_id": sid, "product_id": liked, "kind": "like"})
    assert ok.status_code == 200
    assert api.get(f"/why/{liked}", params={"session_id": sid}).status_code == 200
    before = rows(home)
    for call in (
        lambda h: api.post(f"/sessions/{sid}/messages", json={"text": "cheaper"}, headers=h),
        lambda h: api.get(f"/sessions/{sid}", headers=h),
        lambda h: api.post(
            "/feedback", json={"session_id": sid, "product_id": liked, "kind": "cart"}, headers=h
        ),
    ):
        r = call(token(VICTIM))  # another identity, even a valid one
        assert r.status_code == 403 and "guest" in r.json()["error"]
    # the guest id is not a key: a guest's data by id is for the back office only
    assert api.get(f"/shoppers/{guest_id}/profile").status_code == 401
    forged = api.post(
        "/feedback", json={"product_id": PRODUCT, "kind": "cart", "shopper_id": guest_id}
    )
    assert forged.status_code == 401
    assert rows(home) == before
    assert api.get(f"/shoppers/{guest_id}/profile", headers=ADMIN).json()["feedback"]


def test_refusals_are_logged_by_check_without_the_token_or_the_shopper(api, server):
    expired = sign(SECRET, VICTIM, 60, now=time.time() - 3600)
    forged = sign("not-the-server-secret-" * 2, VICTIM, 600)
    api.get(f"/shoppers/{VICTIM}/profile")
    api.get(f"/shoppers/{VICTIM}/profile", headers=bearer(expired))
    api.get(f"/shoppers/{VICTIM}/profile", headers=bearer(forged))
    api.get(f"/shoppers/{VICTIM}/profile", headers=token(OTHER))
    log = server.log.read_text(errors="replace")
    for check in ("no-credentials", "token-expired", "token-signature", "wrong-shopper"):
        assert f"/shoppers/{{shopper_id}}/profile: {check}" in log, check
    for secret in (expired, forged, expired.split(".")[2], VICTIM, OTHER, SECRET):
        assert secret not in log


def test_rate_limits_answer_429_with_retry_after_then_recover(api, home):
    me = token("u0300")
    sids = [api.post("/sessions", json={}, headers=me) for _ in range(4)]
    assert [r.status_code for r in sids] == [201, 201, 201, 429]
    sid = sids[0].json()["session_id"]
    said = [api.post(f"/sessions/{sid}/messages", json={"text": "tea"}, headers=me) for _ in "abc"]
    assert [r.status_code for r in said] == [200, 200, 429]
    body = {"product_id": PRODUCT, "kind": "like"}
    liked = [api.post("/feedback", json=body, headers=me) for _ in range(4)]
    assert [r.status_code for r in liked] == [200, 200, 200, 429]
    for refused in (sids[-1], said[-1], liked[-1]):
        assert "try again" in refused.json()["error"]
        assert int(refused.headers["retry-after"]) == 1  # one a second at 60 a minute
    with Store.in_home(home) as store:  # the refused message and like were not stored
        assert len(store.session_messages(sid)) == 4
        assert len(store.feedback("demo", "u0300")) == 3
    assert api.post("/feedback", json=body, headers=token("u0301")).status_code == 200
    time.sleep(1.1)
    assert api.post("/sessions", json={}, headers=me).status_code == 201
    assert api.post(f"/sessions/{sid}/messages", json={"text": "tea"}, headers=me).is_success
    assert api.post("/feedback", json=body, headers=me).status_code == 200


def test_a_refused_origin_is_logged_once_and_told_how_to_be_admitted(api, server):
    for _ in range(3):
        api.options(
            "/sessions",
            headers={"Origin": "http://refused.example", "Access-Control-Request-Method": "POST"},
        )
        api.post("/sessions", json={}, headers={"Origin": "http://refused.example"})
    check = api.get("/cors-check", headers={"Origin": "http://refused.example"})
    assert check.headers["access-control-allow-origin"] == "*"  # readable by that page
    out = check.json()
    assert out["origin"] == "http://refused.example" and out["allowed"] is False
    assert "server.cors_origins" in out["fix"]
    assert "--allow-origin http://refused.example" in out["fix"]
    assert api.get("/cors-check", headers={"Origin": ALLOWED}).json()["allowed"] is True
    log = server.log.read_text(errors="replace")
    assert log.count("refused the page origin 'http://refused.example'") == 1
    assert "refused the page origin 'http://shop.example'" not in log


def test_shopassist_token_prints_a_token_the_server_takes(api, server, home):
    env = dict(os.environ, SHOPASSIST_HOME=str(home))

    def cli(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [str(SCRIPT), "--config", str(server.config), "token", *args],
            capture_output=True, text=True, env=env, timeout=120,
        )  # fmt: skip

    made = cli("--shopper", VICTIM)
    assert made.returncode == 0, made.stderr
    headers = bearer(made.stdout.strip())
    assert api.get(f"/shoppers/{VICTIM}/profile", headers=headers).status_code == 200
    body = {"product_id": "1001", "kind": "cart", "shopper_id": VICTIM}
    assert api.post("/feedback", json=body, headers=headers).json()["recorded"] is True
    short = cli("--shopper", VICTIM, "--ttl", "90").stdout.strip().split(".")[1]
    claims = json.loads(base64.urlsafe_b64decode(short + "=" * (-len(short) % 4)))
    assert claims["sub"] == VICTIM and claims["exp"] - claims["iat"] == 90
    for bad in (
        ("--shopper", "guest-1"),
        ("--shopper", "bad id"),
        ("--shopper", "x", "--ttl", "0"),
    ):
        refused = cli(*bad)
        assert refused.returncode == 2 and "shopassist: error:" in refused.stderr
    empty = home / "no-secret.toml"
    empty.write_text("", encoding="utf-8")
    no_secret = subprocess.run(
        [str(SCRIPT), "--config", str(empty), "token", "--shopper", VICTIM],
        capture_output=True, text=True, env=env, timeout=120,
    )  # fmt: skip
    assert no_secret.returncode == 2 and "server.shopper_secret" in no_secret.stderr


def test_without_a_secret_shoppers_are_off_and_guests_are_served(home):
    origin = "http://widget.example"
    srv = Server(home, "", args=("--allow-origin", origin + "/")).start()
    try:
        base = f"{srv.url}/api/v1"
        before = rows(home)
        profile = httpx.get(f"{base}/shoppers/{VICTIM}/profile")
        assert profile.status_code == 401 and "shopper_secret" in profile.json()["error"]
        cart = {"product_id": "1001", "kind": "cart", "shopper_id": VICTIM}
        assert httpx.post(f"{base}/feedback", json=cart).status_code == 401
        assert httpx.post(f"{base}/sessions", json={"shopper_id": VICTIM}).status_code == 401
        signed = httpx.get(f"{base}/shoppers/{VICTIM}/profile", headers=token(VICTIM))
        assert signed.status_code == 401 and "shopper_secret" in signed.json()["error"]
        assert rows(home) == before
        guest = httpx.post(f"{base}/sessions", json={}).json()
        reply = httpx.post(
            f"{base}/sessions/{guest['session_id']}/messages",
            json={"text": "hiking boots"},
            timeout=120,
        )
        assert reply.status_code == 200 and reply.json()["products"]
        # --allow-origin admitted the widget's page (its trailing slash dropped)
        pre = httpx.options(
            f"{base}/sessions",
            headers={"Origin": origin, "Access-Control-Request-Method": "POST"},
        )
        assert pre.headers.get("access-control-allow-origin") == origin
    finally:
        srv.stop()
