"""README claims about the HTTP API on a copy of the demo shop: streaming chosen by
`Accept`, `/why?session_id=`, a product's reviews, the recommendation filters and cart
feedback, each through a served `shopassist serve` process and on the app in process
(FastAPI's test client); admin endpoints without a key, the template queue's 503 and
failed requests logged by route and exception type only, on the app in process (they
replace a turn by a slow or failing one, or read the log records)."""

from __future__ import annotations

import json
import logging
import shutil
import time

import pytest
from fastapi.testclient import TestClient

from catalog.store import Store
from shopassist.settings import load_settings
from ui.app import create_app

KEY = "claims-test-admin-key-0123"
ADMIN = {"X-API-Key": KEY}
MARKER = "Zanzibar-7731 teapot"
NO_LIMITS = {f"limits.{k}.per_minute": 0 for k in ("sessions", "messages", "feedback")}


def _app(home, **overrides):
    settings = load_settings(env={}, overrides={"home": str(home), **NO_LIMITS, **overrides})
    store = Store.in_home(home)
    app, service = create_app(settings, store, "demo", ui=False)
    return store, TestClient(app, raise_server_exceptions=False), service


@pytest.fixture(scope="module")
def app_shop(demo_home, tmp_path_factory):
    home = tmp_path_factory.mktemp("claims") / "shop"
    shutil.copytree(demo_home, home)
    store, client, service = _app(home, **{"server.api_key": KEY})
    with client:
        client.store, client.service = store, service  # type: ignore[attr-defined]
        client.headers.update(ADMIN)  # the shop's own system: may act for any shopper
        yield client
    store.close()


@pytest.fixture(scope="module")
def served_shop(demo_home, tmp_path_factory):
    """`shopassist serve` in its own process on a copy of the demo shop, over HTTP."""
    import httpx

    from ui.process import Server

    home = tmp_path_factory.mktemp("served") / "shop"
    shutil.copytree(demo_home, home)
    limits = "".join(f"{k} = {{per_minute = 0}}\n" for k in ("sessions", "messages", "feedback"))
    config = f'[server]\napi_key = "{KEY}"\n[limits]\n' + limits
    with (
        Server(home, config) as server,
        Store.in_home(home) as store,
        httpx.Client(base_url=server.url, headers=ADMIN, timeout=120) as client,
    ):
        client.store = store  # type: ignore[attr-defined]
        yield client


@pytest.fixture(params=["served", "app"])
def shop(request):
    return request.getfixturevalue(f"{request.param}_shop")


def session(client, shopper: str | None = None) -> str:
    body = {"shopper_id": shopper} if shopper else {}
    r = client.post("/api/v1/sessions", json=body)
    assert r.status_code == 201, r.text
    return r.json()["session_id"]


def events(response) -> list[tuple[str, dict]]:
    out, event = [], None
    for line in response.text.splitlines():
        if line.startswith("event: "):
            event = line[7:]
        elif line.startswith("data: "):
            out.append((event, json.loads(line[6:])))
    return out


def test_accept_event_stream_chooses_streaming(shop):
    sid = session(shop)
    path = f"/api/v1/sessions/{sid}/messages"
    plain = shop.post(path, json={"text": "a yoga mat"})
    assert plain.headers["content-type"].startswith("application/json")
    streamed = shop.post(path, json={"text": "cheaper"}, headers={"Accept": "text/event-stream"})
    assert streamed.headers["content-type"].startswith("text/event-stream")
    kinds = [e for e, _ in events(streamed)]
    assert kinds[0] == "delta" and kinds[-2:] == ["reply", "done"]


def test_why_with_a_session_is_the_sessions_shoppers_evidence(shop):
    sid = session(shop, "u0001")
    shown = shop.post(f"/api/v1/sessions/{sid}/messages", json={"text": "running shoes"})
    product = shown.json()["products"][0]["id"]
    by_session = shop.get(f"/api/v1/why/{product}", params={"session_id": sid}).json()
    by_shopper = shop.get(f"/api/v1/why/{product}", params={"shopper_id": "u0001"}, headers=ADMIN)
    assert by_session["product_id"] == product and by_session["contributions"]
    assert by_session["contributions"] == by_shopper.json()["contributions"]
    # ... and what the session asked for: the product matches the request's category
    assert {"what": "category", "value": "Running Shoes"} in by_session["matches"]
    guest = shop.get(f"/api/v1/why/{product}", params={"session_id": session(shop)}).json()
    assert guest["contributions"] == []  # a guest has no history to contribute
    assert shop.get(f"/api/v1/why/{product}", params={"session_id": "nope"}).status_code == 404


def test_a_product_comes_with_up_to_five_of_its_reviews(shop):
    counts = shop.store.query(
        "SELECT p.ext_id, COUNT(*) FROM reviews r JOIN products p ON p.pk = r.product_pk"
        " GROUP BY p.ext_id ORDER BY COUNT(*) DESC"
    )
    many, few = counts[0], counts[-1]
    assert many[1] > 5
    for pid, n in (many, few):
        reviews = shop.get(f"/api/v1/products/{pid}").json()["reviews"]
        assert len(reviews) == min(n, 5)
        assert all(r["product_id"] == pid for r in reviews)


def test_recommendation_filters_category_brand_and_language(shop):
    path = "/api/v1/shoppers/u0001/recommendations"
    category = shop.get(path, params={"k": 5, "category": "Headphones"}, headers=ADMIN).json()
    assert len(category["products"]) == 5
    by_id = {p.id: p for p in shop.store.products("demo")}
    assert {by_id[p["id"]].category for p in category["products"]} == {"Headphones"}
    brand = category["products"][0]["brand"]
    params = {"k": 5, "category": "Headphones", "exclude_brand": brand}
    other = shop.get(path, params=params, headers=ADMIN).json()["products"]
    assert len(other) == 5 and brand not in {p["brand"] for p in other}
    for language in ("zh", "en"):
        params = {"k": 2, "language": language}
        products = shop.get(path, params=params, headers=ADMIN).json()["products"]
        for sentence in (s["text"] for p in products for s in p["explanation"]):
            chinese = any("\u4e00" <= ch <= "\u9fff" for ch in sentence)
            assert chinese == (language == "zh"), sentence


def test_cart_feedback_is_stored_and_folded_in(shop):
    shopper = "new-shopper-cart-1"  # no history: what the model knows of them is the cart
    sid = session(shop, shopper)
    shown = shop.post(f"/api/v1/sessions/{sid}/messages", json={"text": "a backpack"}).json()
    product = shown["products"][1]["id"]
    path = f"/api/v1/shoppers/{shopper}/recommendations"
    before = shop.get(path, params={"k": 5}).json()["products"]
    body = {"session_id": sid, "product_id": product, "kind": "cart"}
    assert shop.post("/api/v1/feedback", json=body).status_code == 200
    assert shop.store.feedback("demo", shopper)[-1][:2] == (product, "cart")
    messages = shop.get(f"/api/v1/sessions/{sid}").json()["messages"]
    assert f"[cart: {product}]" in messages[-2]["text"]
    after = shop.get(path, params={"k": 5}).json()["products"]
    assert [p["id"] for p in after] != [p["id"] for p in before]  # popular before, not after
    why = shop.get(f"/api/v1/why/{after[0]['id']}", params={"shopper_id": shopper}).json()
    assert [c["product_id"] for c in why["contributions"]] == [product]
    said = " ".join(s["text"] for s in after[0]["explanation"])
    assert "put in your cart" in said and "looked at" not in said, said


@pytest.fixture(scope="module")
def bare(demo_home, tmp_path_factory):
    """The app as shipped but for a queue of two turns: no admin key, templates only."""
    home = tmp_path_factory.mktemp("bare") / "shop"
    shutil.copytree(demo_home, home)
    store, client, service = _app(home, **{"server.max_pending_turns": 2})
    with store, client:
        client.service = service  # type: ignore[attr-defined]
        yield client


def test_admin_endpoints_are_disabled_without_a_key(bare):
    for method, path in (
        ("GET", "/api/v1/admin/export"),
        ("POST", "/api/v1/admin/reindex"),
        ("POST", "/api/v1/admin/retrain"),
        ("GET", "/api/v1/admin/jobs/1"),
    ):
        for headers in ({}, {"X-API-Key": ""}, {"X-API-Key": "anything"}):
            r = bare.request(method, path, headers=headers)
            assert r.status_code == 403 and "api_key" in r.json()["error"], (path, r.text)


def test_a_full_template_queue_gets_503_with_retry_after(bare):
    from concurrent.futures import ThreadPoolExecutor

    assert bare.get("/api/v1/health").json()["max_pending_turns"] == 2
    sids = [session(bare) for _ in range(6)]
    turn = bare.service.agent.turn

    def slow(*args, **kwargs):
        time.sleep(1.0)  # every turn still running when the others arrive
        return turn(*args, **kwargs)

    bare.service.agent.turn = slow
    try:
        with ThreadPoolExecutor(6) as pool:
            answers = list(
                pool.map(
                    lambda sid: bare.post(f"/api/v1/sessions/{sid}/messages", json={"text": "tea"}),
                    sids,
                )
            )
    finally:
        bare.service.agent.turn = turn
    codes = sorted(r.status_code for r in answers)
    assert codes == [200, 200, 503, 503, 503, 503], codes
    for r in answers:
        if r.status_code == 503:
            assert int(r.headers["retry-after"]) >= 1 and "busy" in r.json()["error"]
    for sid, r in zip(sids, answers, strict=True):  # refused messages were not stored
        stored = bare.get(f"/api/v1/sessions/{sid}").json()["messages"]
        assert len(stored) == (2 if r.status_code == 200 else 0)


def test_a_failed_request_is_logged_by_route_and_exception_type_only(app_shop, caplog):
    shop = app_shop

    def broken(*args, **kwargs):
        raise RuntimeError(f"could not answer {MARKER} for u0012")

    sid = session(shop, "u0012")
    path = f"/api/v1/sessions/{sid}/messages"
    original = shop.service.agent.turn
    shop.service.agent.turn = broken
    try:
        with caplog.at_level(logging.INFO):
            failed = shop.post(path, json={"text": MARKER})
            streamed = shop.post(path, json={"text": MARKER, "stream": True})
    finally:
        shop.service.agent.turn = original
    assert failed.status_code == 500 and "internal error" in failed.json()["error"]
    assert MARKER not in failed.text
    assert events(streamed)[-2][0] == "error" and MARKER not in streamed.text
    logged = [r.getMessage() for r in caplog.records if r.name.startswith("ui.")]
    assert "POST /sessions/{session_id}/messages failed: RuntimeError" in logged, logged
    assert "a streamed turn failed: RuntimeError" in logged
    assert not any("Zanzibar" in m or "u0012" in m or sid in m for m in logged), logged
