"""The HTTP API against a real `shopassist serve` subprocess on 127.0.0.1: every
endpoint, streaming, restart persistence, session isolation, API keys, CORS,
and bad requests (clear 4xx, never 500). Shoppers act with signed tokens, as a host
site's backend would make them; tests/test_access.py is where they are refused."""

from __future__ import annotations

import json
import time
from pathlib import Path

import httpx
import pytest

from agent.verifier import CITATION_RE
from catalog.store import Store
from tests.server_support import SHIPPING_QUESTIONS, Server, build_demo
from ui.tokens import sign

pytestmark = pytest.mark.slow

KEY = "test-admin-key-0123456789"
ADMIN = {"X-API-Key": KEY}
SECRET = "test-shopper-secret-0123456789abcdef"
ALLOWED_ORIGIN = "http://shop.example"
CONFIG = f"""
[server]
api_key = "{KEY}"
shopper_secret = "{SECRET}"
cors_origins = ["{ALLOWED_ORIGIN}"]
max_body_bytes = 8192
"""


def as_shopper(shopper_id: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {sign(SECRET, shopper_id, 600)}"}


@pytest.fixture(scope="module")
def api_home(tmp_path_factory) -> Path:
    # Its own demo shop: these tests retrain the model and restart the server.
    home = tmp_path_factory.mktemp("api")
    build_demo(home)
    return home


@pytest.fixture(scope="module")
def server(api_home):
    srv = Server(api_home, CONFIG).start()
    yield srv
    srv.stop()


@pytest.fixture
def client(server):
    with httpx.Client(base_url=f"{server.url}/api/v1", timeout=120) as c:
        yield c


def new_session(client, shopper: str | None = None, language: str = "en") -> str:
    """A guest's session, or with `shopper` a session bound to that signed shopper."""
    r = client.post(
        "/sessions", json={"language": language}, headers=as_shopper(shopper) if shopper else {}
    )
    assert r.status_code == 201, r.text
    assert (r.json()["shopper_id"] == shopper) if shopper else r.json()["shopper_id"]
    return r.json()["session_id"]


def send(client, sid: str, text: str, shopper: str | None = None) -> dict:
    headers = as_shopper(shopper) if shopper else {}
    r = client.post(f"/sessions/{sid}/messages", json={"text": text}, headers=headers)
    assert r.status_code == 200, r.text
    return r.json()


def sse(client, sid: str, text: str, shopper: str | None = None) -> list[tuple[str, dict]]:
    events = []
    with client.stream(
        "POST",
        f"/sessions/{sid}/messages",
        json={"text": text, "stream": True},
        headers=as_shopper(shopper) if shopper else {},
    ) as r:
        assert r.status_code == 200
        assert r.headers["content-type"].startswith("text/event-stream")
        event = None
        for line in r.iter_lines():
            if line.startswith("event: "):
                event = line[7:]
            elif line.startswith("data: "):
                events.append((event, json.loads(line[6:])))
    return events


def test_health_and_openapi_list_every_endpoint(client, server):
    health = client.get("/health").json()
    assert health["status"] == "ok" and health["catalog"] == "demo"
    assert health["products"] == 2000 and health["recommender"] and health["search"]
    # `shopassist demo` lets --model auto choose: health names the model and how it was chosen
    assert health["recommender_chosen_by"].startswith("auto (best validation NDCG@20, 0.")
    paths = client.get("/openapi.json").json()["paths"]
    for path in (
        "/api/v1/sessions",
        "/api/v1/sessions/{session_id}/messages",
        "/api/v1/products/{product_id}",
        "/api/v1/shoppers/{shopper_id}/recommendations",
        "/api/v1/feedback",
        "/api/v1/health",
        "/api/v1/cors-check",
        "/api/v1/admin/reindex",
        "/api/v1/admin/retrain",
        "/api/v1/admin/export",
    ):
        assert path in paths, path
    assert httpx.get(f"{server.url}/api/v1/docs").status_code == 200


def test_message_returns_cited_products_and_the_evidence_they_cite(client, api_home):
    sid = new_session(client, "u0100")
    out = send(client, sid, "waterproof hiking boots under $120", "u0100")
    assert out["intent"] == "recommend" and len(out["products"]) == 3
    with Store.in_home(api_home) as store:
        for p in out["products"]:
            product = store.product("demo", p["id"])
            assert product.price <= 120 and product.category == "Hiking Boots"
            assert p["explanation"]
            for sentence in p["explanation"]:
                assert CITATION_RE.findall(sentence["text"]) == sentence["citations"]
                for cid in sentence["citations"]:
                    assert out["evidence"][cid]["text"]


def test_streaming_sends_text_before_the_full_reply(client):
    sid = new_session(client, "u0101")
    events = sse(client, sid, "a yoga mat under $60", "u0101")
    kinds = [e for e, _ in events]
    assert kinds[0] == "delta" and kinds[-2:] == ["reply", "done"]
    reply = events[-2][1]
    assert reply["products"]
    streamed = "".join(d["text"] for e, d in events if e == "delta")
    for p in reply["products"]:
        assert p["title"] in streamed
    # the streamed reply is part of the conversation like any other
    messages = client.get(f"/sessions/{sid}", headers=as_shopper("u0101")).json()["messages"]
    assert [m["role"] for m in messages] == ["shopper", "assistant"]
    assert messages[1]["reply"]["products"] == reply["products"]


def test_products_and_recommendations_with_filters(client, api_home):
    product = client.get("/products/1262").json()
    with Store.in_home(api_home) as store:
        assert product["title"] == store.product("demo", "1262").title
    missing = client.get("/products/no-such-product")
    assert missing.status_code == 404 and "no-such-product" in missing.json()["error"]
    me = as_shopper("u0001")
    out = client.get(
        "/shoppers/u0001/recommendations", params={"k": 4, "max_price": 40}, headers=me
    ).json()
    assert len(out["products"]) == 4
    assert all(p["price"] <= 40 for p in out["products"])
    assert all(p["explanation"] for p in out["products"])
    brand = out["products"][0]["brand"]
    only = client.get(
        "/shoppers/u0001/recommendations", params={"k": 3, "brand": brand}, headers=me
    ).json()
    assert only["products"] and all(p["brand"] == brand for p in only["products"])
    bad = client.get("/shoppers/u0001/recommendations", params={"k": 500}, headers=me)
    assert bad.status_code == 422 and "k" in bad.json()["error"]
    crossed = client.get(
        "/shoppers/u0001/recommendations", params={"min_price": 50, "max_price": 10}, headers=me
    )
    assert crossed.status_code == 400 and "min_price" in crossed.json()["error"]


def test_not_interested_changes_the_list_at_once_and_is_stored(client, api_home):
    sid = new_session(client, "u0102")
    me = as_shopper("u0102")
    first = send(client, sid, "a coffee maker", "u0102")
    dropped = first["products"][0]["id"]
    r = client.post(
        "/feedback",
        json={"session_id": sid, "product_id": dropped, "kind": "not_interested"},
        headers=me,
    )
    assert r.status_code == 200, r.text
    out = r.json()
    assert out["recorded"] and out["reply"]["products"]
    assert dropped not in [p["id"] for p in out["reply"]["products"]]
    later = client.get("/shoppers/u0102/recommendations", params={"k": 20}, headers=me).json()
    assert dropped not in [p["id"] for p in later["products"]]
    with Store.in_home(api_home) as store:
        assert (dropped, "not_interested") in [
            (pid, kind) for pid, kind, _ in store.feedback("demo", "u0102")
        ]
    like = client.post("/feedback", json={"product_id": "1262", "kind": "like"}, headers=me)
    assert like.status_code == 200 and like.json()["kind"] == "like"  # the token's shopper
    profile = client.get("/shoppers/u0102/profile", headers=me).json()
    assert profile["history"][0] == "1262"  # the like is the newest interest
    assert ("1262", "like") in [(f["product_id"], f["kind"]) for f in profile["feedback"]]
    wrong = client.post(
        "/feedback",
        json={"session_id": sid, "shopper_id": "u0999", "product_id": "1262", "kind": "like"},
        headers=me,
    )
    assert wrong.status_code == 400 and "session" in wrong.json()["error"]


@pytest.mark.parametrize(("first", "question", "days"), SHIPPING_QUESTIONS)
def test_a_plugin_tool_is_reached_through_the_api(client, first, question, days):
    sid = new_session(client, "u0009")
    shown = send(client, sid, first, "u0009")["products"]
    reply = send(client, sid, question, "u0009")
    assert reply["intent"] == "shipping_estimate" and days in reply["text"]
    assert reply["trace"][0]["tool"] == "shipping_estimate"
    assert reply["trace"][0]["arguments"]["product_id"] == shown[0]["id"]
    cited = reply["answer"][0]["citations"]
    assert cited[0].startswith("T") and f"P{shown[0]['id']}" in cited
    assert reply["evidence"][cited[0]]["kind"] == "tool"


def test_questions_get_answers_citing_the_passages(client):
    sid = new_session(client)  # a guest
    shown = send(client, sid, "waterproof hiking boots for my wife under 150 dollars")["products"]
    reply = send(client, sid, "is the second one good for snow?")
    assert reply["intent"] == "answer" and not reply["products"]
    assert reply["trace"][0]["tool"] == "answer_question" and reply["trace"][0]["ok"]
    for sentence in reply["answer"]:
        for cid in CITATION_RE.findall(sentence["text"]):
            record = reply["evidence"][cid]
            assert record["product_id"] == shown[1]["id"]
    reviews = send(client, sid, "what do reviewers complain about?")
    assert reviews["intent"] == "reviews" and reviews["answer"]
    # a comparison: cited sentences and the table, each cell with the record it cites
    compared = send(client, sid, "compare the first two")
    table = compared["comparison"]
    assert table["columns"] == [p["id"] for p in shown[:2]] and compared["answer"]
    price = next(r for r in table["rows"] if r["name"] == "price")
    assert price["values"] == [p["price"] for p in shown[:2]]
    for row in table["rows"]:
        for value, cid in zip(row["values"], row["citations"], strict=True):
            assert (cid is None) == (value in (None, "")), row
            assert cid is None or cid in compared["evidence"]


def test_sessions_are_isolated(client):
    a = new_session(client, "u0103")
    b = new_session(client, "u0104")
    assert a != b and len(a) >= 32
    send(client, a, "hiking boots for my husband", "u0103")
    session_b = client.get(f"/sessions/{b}", headers=as_shopper("u0104")).json()
    assert session_b["messages"] == [] and session_b["shown"] == []
    out = send(client, b, "compare the first two", "u0104")
    assert not out["products"]  # b has been shown nothing; a's list is not visible to it
    other = a[:-1] + ("y" if a.endswith("x") else "x")  # one character off, never `a` itself
    guessed = client.get(f"/sessions/{other}")
    assert guessed.status_code == 404
    assert client.post(f"/sessions/{other}/messages", json={"text": "hi"}).status_code == 404


def test_bad_requests_get_clear_4xx_never_500(client):
    sid = new_session(client)
    url = f"/sessions/{sid}/messages"
    cases = [
        ("POST", url, {"content": b"{not json", "headers": {"content-type": "application/json"}}),
        ("POST", url, {"json": {"text": ""}}),
        ("POST", url, {"json": {"text": "x" * 2001}}),
        ("POST", url, {"json": {"text": 42}}),
        ("POST", url, {"json": {"text": "hi", "admin": True}}),
        ("POST", url, {"json": ["text"]}),
        ("POST", url, {"content": b"x" * 20000, "headers": {"content-type": "application/json"}}),
        ("POST", "/sessions", {"json": {"shopper_id": "bad id with spaces"}}),
        ("POST", "/sessions", {"json": {"language": "fr"}}),
        ("POST", "/feedback", {"json": {"product_id": "1262", "kind": "love"}}),
        ("POST", "/feedback", {"json": {"product_id": "nope", "kind": "like", "shopper_id": "u1"}}),
        ("POST", "/feedback", {"json": {"product_id": "1262", "kind": "like"}}),
        ("GET", "/shoppers/u0001/recommendations?k=abc", {}),
        ("GET", "/shoppers/u0001/recommendations?max_price=-5", {}),
        ("GET", "/sessions/" + "z" * 40, {}),
    ]
    for method, path, kwargs in cases:
        r = client.request(method, path, **kwargs)
        assert 400 <= r.status_code < 500, (path, kwargs, r.status_code, r.text)
        assert r.json()["error"], (path, r.text)
    too_big = client.post(url, content=b"x" * 20000, headers={"content-type": "application/json"})
    assert too_big.status_code == 413 and "limit" in too_big.json()["error"]
    too_long = client.post(url, json={"text": "x" * 2001})
    assert too_long.status_code == 422 and "2000" in too_long.json()["error"]
    assert (
        "JSON"
        in client.post(
            url, content=b"{not json", headers={"content-type": "application/json"}
        ).json()["error"]
    )
    # nothing above was stored
    assert client.get(f"/sessions/{sid}").json()["messages"] == []


def test_cors_allows_only_the_configured_origins(client):
    ok = client.options(
        "/sessions",
        headers={"Origin": ALLOWED_ORIGIN, "Access-Control-Request-Method": "POST"},
    )
    assert ok.headers.get("access-control-allow-origin") == ALLOWED_ORIGIN
    assert "authorization" in ok.headers.get("access-control-allow-headers", "").lower()
    other = client.options(
        "/sessions",
        headers={"Origin": "http://evil.example", "Access-Control-Request-Method": "POST"},
    )
    assert other.headers.get("access-control-allow-origin") is None


def test_admin_endpoints_need_the_key(client):
    for method, path in (
        ("GET", "/admin/export"),
        ("POST", "/admin/reindex"),
        ("POST", "/admin/retrain"),
    ):
        assert client.request(method, path).status_code == 403
        wrong = client.request(method, path, headers={"X-API-Key": "nope"})
        assert wrong.status_code == 403 and "X-API-Key" in wrong.json()["error"]
    export = client.get("/admin/export", headers={"X-API-Key": KEY})
    assert export.status_code == 200
    body = export.json()
    assert body["catalog"] == "demo" and body["sessions"] and body["feedback"]


def test_admin_retrain_and_reindex_run_as_jobs(client):
    headers = {"X-API-Key": KEY}
    job = client.post("/admin/retrain", json={"model": "itemknn"}, headers=headers)
    assert job.status_code == 202
    done = wait_job(client, job.json()["id"], headers)
    assert done["status"] == "done", done
    health = client.get("/health").json()
    assert health["recommender"] == "itemknn" and health["recommender_chosen_by"] is None
    job = client.post("/admin/reindex", headers=headers)
    assert job.status_code == 202
    assert wait_job(client, job.json()["id"], headers)["status"] == "done"
    sid = new_session(client, "u0105")
    assert send(client, sid, "hiking boots", "u0105")["products"]


def wait_job(client, job_id: str, headers: dict, timeout: float = 300) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job = client.get(f"/admin/jobs/{job_id}", headers=headers).json()
        if job["status"] != "running":
            return job
        time.sleep(1)
    raise AssertionError(f"job {job_id} still running after {timeout} s")


def test_shopper_data_export_and_right_to_be_forgotten(client, api_home):
    headers, me = ADMIN, as_shopper("u0200")
    sid = new_session(client, "u0200")
    shown = send(client, sid, "a rain jacket", "u0200")["products"]
    client.post(
        "/feedback",
        json={"session_id": sid, "product_id": shown[0]["id"], "kind": "like"},
        headers=me,
    )
    assert client.get("/shoppers/u0200/data").status_code == 401
    data = client.get("/shoppers/u0200/data", headers=headers).json()
    assert data["history"] and data["feedback"][0]["kind"] == "like"
    assert [m["role"] for m in data["sessions"][0]["messages"]][:2] == ["shopper", "assistant"]
    assert client.get("/shoppers/u0200/data", headers=me).json() == data  # their own copy
    why_params = {"shopper_id": "u0200"}
    before = client.get(f"/why/{shown[1]['id']}", params=why_params, headers=me).json()
    assert before["contributions"]  # the model knows this shopper's history
    assert client.delete("/shoppers/u0200").status_code == 401
    gone = client.delete("/shoppers/u0200", headers=headers).json()["deleted"]
    assert gone["sessions"] == 1 and gone["feedback"] == 1 and gone["interactions"] > 0
    after = client.get("/shoppers/u0200/data", headers=headers).json()
    assert after["profile"] is None
    assert after["history"] == after["feedback"] == after["sessions"] == after["reviews"] == []
    assert client.get(f"/sessions/{sid}", headers=me).status_code == 404
    why = client.get(f"/why/{shown[1]['id']}", params=why_params, headers=me).json()
    assert why["contributions"] == []  # the live model forgot them too
    with Store.in_home(api_home) as store:
        assert store.query("PRAGMA integrity_check")[0][0] == "ok"


MARKER_TEXT = "a teapot shaped like Zanzibar-7731"
MARKER_SHOPPER = "privacy-probe-42"


def test_logs_hold_no_message_text_or_shopper_ids(client, server):
    sid = new_session(client, MARKER_SHOPPER)
    send(client, sid, MARKER_TEXT, MARKER_SHOPPER)
    sse(client, sid, MARKER_TEXT + " cheaper", MARKER_SHOPPER)
    client.get(f"/shoppers/{MARKER_SHOPPER}/recommendations", headers=as_shopper(MARKER_SHOPPER))
    client.get(f"/shoppers/{MARKER_SHOPPER}/profile")  # refused: the log says why, not who
    client.post(f"/sessions/{sid}/messages", json={"text": MARKER_TEXT * 100})  # a 422
    log = server.log.read_text(errors="replace")
    assert "Zanzibar-7731" not in log and MARKER_SHOPPER not in log
    assert "no-credentials" in log


def test_a_restart_keeps_conversations_and_feedback(server):
    base = f"{server.url}/api/v1"
    guest = httpx.post(f"{base}/sessions", json={}).json()
    liked = httpx.post(
        f"{base}/sessions/{guest['session_id']}/messages", json={"text": "a yoga mat"}, timeout=120
    ).json()["products"]
    httpx.post(
        f"{base}/feedback",
        json={"session_id": guest["session_id"], "product_id": liked[0]["id"], "kind": "like"},
    )

    def recs(shopper: str) -> list[str]:  # a guest's data: the admin key (back office)
        out = httpx.get(
            f"{base}/shoppers/{shopper}/recommendations",
            params={"k": 5},
            headers=ADMIN,
            timeout=60,
        )
        return [p["id"] for p in out.json()["products"]]

    personal = recs(guest["shopper_id"])
    assert personal != recs("never-seen-shopper")  # the like changed them at once
    me = as_shopper("u0106")
    sid = httpx.post(f"{base}/sessions", json={}, headers=me).json()["session_id"]
    first = httpx.post(
        f"{base}/sessions/{sid}/messages",
        json={"text": "hiking boots under $150"},
        headers=me,
        timeout=120,
    ).json()
    prices = [p["price"] for p in first["products"]]
    server.stop()
    server.start()
    session = httpx.get(f"{base}/sessions/{sid}", headers=me).json()
    assert [m["role"] for m in session["messages"]] == ["shopper", "assistant"]
    assert session["shown"] == [p["id"] for p in first["products"]]
    cheaper = httpx.post(
        f"{base}/sessions/{sid}/messages", json={"text": "cheaper"}, headers=me, timeout=120
    ).json()
    assert cheaper["products"]
    assert all(p["price"] < min(prices) for p in cheaper["products"])
    # a new shopper's like was replayed into the reloaded model
    assert recs(guest["shopper_id"]) == personal
    why = httpx.get(
        f"{base}/why/{personal[0]}", params={"session_id": guest["session_id"]}
    )  # a guest reaches its own evidence through its session
    assert liked[0]["id"] in [c["product_id"] for c in why.json()["contributions"]]
