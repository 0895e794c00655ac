"""The web UI and the embeddable widget in real Chromium (Playwright), against a real
`shopassist serve` process on the demo shop. Screenshots go to tests/artifacts/.

Without Chromium these tests skip, unless SHOPASSIST_REQUIRE_BROWSER=1 (set by
.ci/run), where a missing browser is a failure.
"""

from __future__ import annotations

import functools
import http.server
import re
import threading
import time

import pytest
from playwright.sync_api import expect

from agent.needs import category_passage
from catalog.store import Store
from tests.server_support import ARTIFACTS, REPO, SHIPPING_QUESTIONS, Server, free_port
from tools.passages import product_passages
from ui.tokens import sign

pytestmark = [pytest.mark.slow, pytest.mark.browser]

CJK = re.compile(r"[\u4e00-\u9fff]")
TIMEOUT = 90_000  # ms; a turn on a loaded 2-core machine can take seconds
SECRET = "browser-test-shopper-secret-0123456789"
KEY = "browser-test-admin-key-0123"


def serve_files(root) -> tuple[http.server.ThreadingHTTPServer, str]:
    port = free_port()
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(root))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", port), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    return httpd, f"http://127.0.0.1:{port}"


@pytest.fixture(scope="module")
def host_page(tmp_path_factory):
    """The example host page, served from an origin of its own (as a shop would)."""
    root = tmp_path_factory.mktemp("host")
    httpd, origin = serve_files(root)
    yield root, origin
    httpd.shutdown()


@pytest.fixture(scope="module")
def server(demo_home, host_page):
    """The demo's settings (demo.toml: the "Browse as" picker) plus a shopper secret and
    the host page's origin."""
    _, origin = host_page
    config = (REPO / "demo.toml").read_text(encoding="utf-8") + (
        f'[server]\ncors_origins = ["{origin}"]\nshopper_secret = "{SECRET}"\napi_key = "{KEY}"\n'
    )
    with Server(demo_home, config) as srv:
        yield srv


@pytest.fixture
def page(browser, server):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    pg = context.new_page()
    pg.set_default_timeout(TIMEOUT)
    pg.goto(server.url + "/", wait_until="domcontentloaded")
    pg.wait_for_selector("#sa-chat .message")  # the greeting: a session was started
    yield pg
    context.close()


def shot(page, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def card_ids(page) -> list[str]:
    return page.eval_on_selector_all(
        "[id^=sa-card-html-] .sa-card", "els => els.map(e => e.dataset.product)"
    )


def ask(page, text: str) -> list[str]:
    before = card_ids(page)
    page.fill("#sa-input textarea", text)
    page.click("#sa-send")
    page.wait_for_function(
        "before => { const ids = [...document.querySelectorAll('[id^=sa-card-html-] .sa-card')]"
        ".map(e => e.dataset.product); return ids.length > 0 && ids.join() !== before.join(); }",
        arg=before,
    )
    return card_ids(page)


def test_chat_shows_cited_cards_and_a_citation_reveals_its_fact(page, demo_home):
    ids = ask(page, "waterproof hiking boots under $120 for my husband")
    assert len(ids) == 3
    with Store.in_home(demo_home) as store:
        products = {p.id: p for p in store.products("demo", ids)}
    for i, pid in enumerate(ids):
        card = page.locator(f"#sa-card-html-{i} .sa-card")
        assert products[pid].title in card.locator("h3").inner_text()
        assert card.locator(".sa-cite").count() >= 1
        assert products[pid].price <= 120
    chip = page.locator(f"#sa-card-html-0 .sa-cite[data-cite='P{ids[0]}']").first
    fact = chip.locator(".sa-fact")
    assert not fact.is_visible()
    chip.locator("summary").click()
    fact.wait_for(state="visible")
    assert products[ids[0]].title in fact.inner_text()
    assert page.locator("#sa-chat").inner_text().count(products[ids[0]].title) >= 1
    shot(page, "ui-english-chat")


def test_not_interested_replaces_the_product_at_once(page):
    ids = ask(page, "a coffee maker")
    page.click("#sa-not_interested-0")
    page.wait_for_function(
        "old => { const ids = [...document.querySelectorAll('[id^=sa-card-html-] .sa-card')]"
        ".map(e => e.dataset.product); return ids.length > 0 && !ids.includes(old); }",
        arg=ids[0],
    )
    assert ids[0] not in card_ids(page)


def test_why_this_shows_score_bars_and_the_interest_profile(page):
    ask(page, "hiking boots")
    page.click("#sa-why-0")
    view = page.locator("#sa-evidence .sa-evidence")
    view.wait_for(state="visible")
    assert view.locator(".sa-bar").count() >= 2  # score contributions and interests
    assert "Your interests" in view.inner_text()
    page.click("#sa-evidence-close")
    view.wait_for(state="hidden")


def test_chinese_toggle_gives_a_chinese_reply(page):
    page.locator("#sa-language label", has_text="中文").click()
    page.wait_for_function(
        "() => /[\\u4e00-\\u9fff]/.test(document.querySelector('#sa-example-0').innerText)"
    )
    before = card_ids(page)
    page.click("#sa-example-0")
    page.wait_for_function(
        "before => { const ids = [...document.querySelectorAll('[id^=sa-card-html-] .sa-card')]"
        ".map(e => e.dataset.product); return ids.length > 0 && ids.join() !== before.join(); }",
        arg=before,
    )
    assert CJK.search(page.locator("#sa-card-html-0 .sa-card h3").inner_text())
    assert CJK.search(page.locator("#sa-card-html-0 .sa-why").inner_text())
    last = page.locator("#sa-chat .message").last.inner_text()
    assert CJK.search(last)
    page.click("#sa-why-0")
    page.locator("#sa-evidence .sa-evidence").wait_for(state="visible")
    assert "您的兴趣" in page.locator("#sa-evidence").inner_text()
    shot(page, "ui-chinese-evidence")


def test_phone_width_has_no_sideways_scrolling(browser, server):
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
    pg = context.new_page()
    pg.set_default_timeout(TIMEOUT)
    pg.goto(server.url + "/", wait_until="domcontentloaded")
    pg.wait_for_selector("#sa-chat .message")
    ask(pg, "a yoga mat")
    width = pg.evaluate("document.documentElement.scrollWidth")
    assert width <= 400, width
    assert pg.locator("#sa-send").is_visible()
    shot(pg, "ui-phone")
    context.close()


def widget_page(host_page, server, mode: str, token: str | None = None, name: str = "") -> str:
    """The example host page with the widget of `server`, for a shopper signed in with
    `token` (default: a fresh token of u0007, as the shop's backend would sign it)."""
    root, origin = host_page
    token = token if token is not None else sign(SECRET, "u0007", 600)
    html = (REPO / "ui" / "static" / "example-host.html").read_text(encoding="utf-8")
    html = html.replace("http://127.0.0.1:7860/widget.js", f"{server.url}/widget.js")
    html = html.replace('data-mode="shopper"', f'data-mode="{mode}" data-shopper-token="{token}"')
    (root / f"{name or mode}.html").write_text(html, encoding="utf-8")
    return f"{origin}/{name or mode}.html"


def open_widget(browser, url: str):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    pg = context.new_page()
    pg.set_default_timeout(TIMEOUT)
    pg.goto(url, wait_until="domcontentloaded")
    pg.locator("#shopassist-widget .launch").click()
    return context, pg


@pytest.mark.parametrize("mode", ["shopper", "staff"])
def test_widget_with_a_shopper_token_on_a_host_page_of_another_origin(
    browser, server, host_page, demo_home, mode
):
    context, pg = open_widget(browser, widget_page(host_page, server, mode))
    greeting = pg.locator("#shopassist-widget .msg.bot").first
    greeting.wait_for(state="visible")
    assert "Tell me what you are shopping for" in greeting.inner_text()
    pg.locator("#shopassist-widget input").fill("waterproof hiking boots under $120")
    pg.locator("#shopassist-widget input").press("Enter")
    pg.locator("#shopassist-widget .prod").first.wait_for(state="visible")
    assert pg.locator("#shopassist-widget .prod").count() == 3
    card = pg.locator("#shopassist-widget .prod").first
    chip = card.locator("details").first
    chip.locator("summary").click()
    fact = chip.locator(".fact")
    fact.wait_for(state="visible")
    pid = card.get_attribute("data-product")
    with Store.in_home(demo_home) as store:
        product = store.product("demo", pid)
    # a record of the card's own product: the product, or one of its fields ("P2804.a1")
    assert re.fullmatch(rf"P{pid}(?:\.\w+)?", chip.get_attribute("data-cite"))
    text = fact.inner_text()
    # the product record (its title and price) or one of the product's own passages
    own = [p.text for p in product_passages(product)]
    own += [c.text for c in [category_passage(product)] if c is not None]
    assert (product.title in text and f"{product.price:.2f}" in text) or any(
        t in text for t in own
    ), text
    if mode == "staff":  # the profile, read with the shopper's own token
        side = pg.locator("#shopassist-widget .side")
        side.locator(".fact").first.wait_for(state="visible")
        pg.locator("#shopassist-widget .profile h5").first.wait_for(state="visible")
        assert "u0007" in side.inner_text()
        assert side.locator(".profile .bar").count() >= 1  # u0007's interests
        # the turn's tool calls, as steps
        tools = side.locator(".steps li").evaluate_all("els => els.map(e => e.dataset.tool)")
        assert "search_products" in tools and "recommend_for_shopper" in tools
        assert " ms" in side.locator(".steps").inner_text()
    else:
        assert pg.locator("#shopassist-widget .steps").count() == 0
    with Store.in_home(demo_home) as store:  # the conversation is bound to u0007
        newest = store.query("SELECT shopper_id FROM sessions ORDER BY created_at DESC LIMIT 1")
    assert newest[0][0] == "u0007"
    shot(pg, f"widget-{mode}")
    context.close()


def ask_text(page, text: str) -> str:
    """Send a message whose reply is words (an answer), not cards; the reply's text."""
    count = page.locator("#sa-chat .message").count()
    page.fill("#sa-input textarea", text)
    page.click("#sa-send")
    page.wait_for_function(
        "n => { const m = document.querySelectorAll('#sa-chat .message');"
        " return m.length >= n + 2 && m[m.length - 1].innerText.trim().length > 20"
        " && !m[m.length - 1].querySelector('.pending'); }",
        arg=count,
    )
    page.wait_for_timeout(500)  # the streamed text is replaced by the final, cited answer
    return page.locator("#sa-chat .message").last.inner_text()


@pytest.mark.parametrize(("first", "question", "days"), SHIPPING_QUESTIONS)
def test_a_plugin_tool_is_reached_by_a_chat_message(page, first, question, days):
    ask(page, first)
    text = ask_text(page, question)
    assert days in text, text
    chip = page.locator("#sa-chat .message").last.locator(".sa-cite").first
    assert chip.locator("summary").inner_text().strip().startswith("T")  # the tool's record
    chip.locator("summary").click()
    chip.locator(".sa-fact").wait_for(state="visible")
    assert days in chip.locator(".sa-fact").inner_text()


@pytest.mark.parametrize(
    ("question", "silent"),
    [("is the second one good for snow?", "mention"), ("第二个适合在雪地里穿吗？", "没有提到")],
)
def test_a_question_is_answered_with_chips_that_open_the_passages(page, question, silent):
    ask(page, "waterproof hiking boots for my wife under 150 dollars")
    text = ask_text(page, question)
    assert silent in text, text
    message = page.locator("#sa-chat .message").last
    chips = message.locator(".sa-cite")
    assert chips.count() >= 1
    chips.last.locator("summary").click()
    chips.last.locator(".sa-fact").wait_for(state="visible")
    assert len(chips.last.locator(".sa-fact").inner_text()) > 5
    shot(page, "ui-answer")


def test_a_comparison_shows_a_table_whose_cells_open_their_records(page, demo_home):
    ids = ask(page, "waterproof hiking boots under $120 for my husband")
    compared = ask(page, "compare the first two")
    assert compared == ids[:2]
    message = page.locator("#sa-chat .message").last
    table = message.locator("table.sa-compare")
    table.wait_for(state="visible")
    with Store.in_home(demo_home) as store:
        products = store.products("demo", compared)
    heads = table.locator("thead th").all_inner_texts()
    assert [h.split(". ", 1)[-1] for h in heads[1:]] == [p.title for p in products]
    price = table.locator("tbody tr", has=page.locator("th", has_text="price"))
    cells = price.locator("td")
    for cell, product in zip(cells.all(), products, strict=True):
        assert f"${product.price:,.2f}" in cell.inner_text()
    chip = cells.first.locator(".sa-cite")
    chip.locator("summary").click()
    chip.locator(".sa-fact").wait_for(state="visible")
    assert f"{products[0].price:.2f}" in chip.locator(".sa-fact").inner_text()
    assert "Price:" in message.inner_text()  # the sentences above the table
    shot(page, "ui-compare")


def test_staff_widget_with_the_admin_key_acts_for_the_shopper_it_names(
    browser, server, host_page, demo_home
):
    """A back-office page: `data-api-key` and `data-shopper` instead of a shopper token."""
    url = widget_page(host_page, server, "staff", name="back-office")
    page = host_page[0] / "back-office.html"
    html = page.read_text(encoding="utf-8")
    html = re.sub(r'data-shopper-token="[^"]*"', f'data-api-key="{KEY}" data-shopper="u0011"', html)
    page.write_text(html, encoding="utf-8")
    context, pg = open_widget(browser, url)
    pg.locator("#shopassist-widget .profile h5").first.wait_for(state="visible")
    assert "u0011" in pg.locator("#shopassist-widget .side").inner_text()
    pg.locator("#shopassist-widget input").fill("a rain jacket")
    pg.locator("#shopassist-widget input").press("Enter")
    pg.locator("#shopassist-widget .prod").first.wait_for(state="visible")
    context.close()
    with Store.in_home(demo_home) as store:
        newest = store.query("SELECT shopper_id FROM sessions ORDER BY created_at DESC LIMIT 1")
    assert newest[0][0] == "u0011"


def test_widget_with_an_expired_or_forged_token_says_so_and_stores_nothing(
    browser, server, host_page, demo_home
):
    with Store.in_home(demo_home) as store:
        before = store.query("SELECT COUNT(*) FROM sessions")[0][0]
    expired = sign(SECRET, "u0007", 60, now=0)
    forged = sign("not-the-server-secret-" * 2, "u0007", 600)
    for name, token, words in (("expired", expired, "expired"), ("forged", forged, "signature")):
        context, pg = open_widget(browser, widget_page(host_page, server, "shopper", token, name))
        bubble = pg.locator("#shopassist-widget .msg.bot").first
        bubble.wait_for(state="visible")
        assert "Sorry, that failed" in bubble.inner_text() and words in bubble.inner_text()
        context.close()
    with Store.in_home(demo_home) as store:
        assert store.query("SELECT COUNT(*) FROM sessions")[0][0] == before


def test_widget_on_a_refused_origin_says_which_and_how_to_admit_it(browser, server, host_page):
    root, _ = host_page
    httpd, refused = serve_files(root)  # the same page from an origin the server does not list
    try:
        url = widget_page(host_page, server, "shopper", name="refused")
        context, pg = open_widget(browser, url.replace(host_page[1], refused))
        bubble = pg.locator("#shopassist-widget .msg.bot").first
        bubble.wait_for(state="visible")
        text = bubble.inner_text()
        assert refused in text and "server.cors_origins" in text
        assert f"--allow-origin {refused}" in text
        shot(pg, "widget-refused-origin")
        context.close()
    finally:
        httpd.shutdown()
    log = server.log.read_text(errors="replace")
    assert log.count(f"refused the page origin '{refused}'") == 1


def test_without_the_demo_setting_the_web_ui_has_no_shopper_picker(browser, demo_home):
    with Server(demo_home) as srv:  # a deployment's settings: no demo.toml
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        pg = context.new_page()
        pg.set_default_timeout(TIMEOUT)
        pg.goto(srv.url + "/", wait_until="domcontentloaded")
        pg.wait_for_selector("#sa-chat .message")
        assert pg.locator("#sa-shopper").count() == 0 or not pg.locator("#sa-shopper").is_visible()
        assert "u0001" not in pg.content()  # no shopper ids offered at all
        assert len(ask(pg, "a yoga mat")) == 3
        context.close()
    with Store.in_home(demo_home) as store:
        newest = store.query("SELECT shopper_id FROM sessions ORDER BY created_at DESC LIMIT 1")
    assert newest[0][0].startswith("guest-")


def _stored_feedback(demo_home, wanted, timeout_s: float = 60) -> tuple[str, str, str]:
    """The newest (shopper, product, kind) feedback that `wanted` accepts, once stored."""
    import time

    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        with Store.in_home(demo_home) as store:
            found = [f for f in store.all_feedback("demo") if wanted(*f)]
        if found:
            return found[-1]
        time.sleep(0.5)
    raise AssertionError("the feedback was not stored")


def _sessions_of(demo_home, shopper: str) -> list[str]:
    with Store.in_home(demo_home) as store:
        return [
            r[0] for r in store.query("SELECT id FROM sessions WHERE shopper_id = ?", (shopper,))
        ]


def test_like_add_to_cart_and_start_over_in_the_web_ui(page, demo_home):
    greeting = page.locator("#sa-chat .message").all_inner_texts()
    ids = ask(page, "a rain jacket")
    shopper = page.locator("#sa-shopper input").input_value()
    page.click("#sa-like-0")
    _stored_feedback(demo_home, lambda s, p, k: (s, p, k) == (shopper, ids[0], "like"))
    page.click("#sa-cart-1")
    _stored_feedback(demo_home, lambda s, p, k: (s, p, k) == (shopper, ids[1], "cart"))
    page.click("#sa-reset")
    page.locator("#sa-card-0").wait_for(state="hidden")
    # as at the start, once the chat has rendered again (a "Loading content" placeholder
    # can stand there for a moment after the reset)
    expect(page.locator("#sa-chat .message")).to_have_text(greeting)
    assert "rain jacket" not in page.locator("#sa-chat").inner_text()


def test_the_widget_keeps_its_conversation_across_a_reload_and_its_like_button_works(
    browser, server, host_page, demo_home
):
    url = widget_page(host_page, server, "shopper", token=sign(SECRET, "u0031", 600), name="reload")
    context, pg = open_widget(browser, url)
    widget = pg.locator("#shopassist-widget")
    widget.locator(".msg.bot").first.wait_for(state="visible")
    widget.locator("input").fill("a coffee maker")
    widget.locator("input").press("Enter")
    widget.locator(".prod").first.wait_for(state="visible")
    products = widget.locator(".prod").count()
    widget.locator("input").fill("compare the first two")
    widget.locator("input").press("Enter")
    table = widget.locator(".msg.bot .cmp").last
    table.wait_for(state="visible")
    assert table.locator("tr").first.locator("th").count() == 3  # a blank, two products
    price = table.locator("tr", has=pg.locator("th", has_text="price"))
    assert price.locator("td details").count() == 2  # each price with its record's chip
    widget.locator(".prod .acts button").first.click()  # Like on the first product
    _stored_feedback(demo_home, lambda s, p, k: s == "u0031" and k == "like")
    sessions = _sessions_of(demo_home, "u0031")
    assert len(sessions) == 1
    pg.reload(wait_until="domcontentloaded")
    pg.locator("#shopassist-widget .launch").click()
    widget.locator(".prod").first.wait_for(state="visible")
    assert "a coffee maker" in widget.locator(".msg.me").first.inner_text()
    assert widget.locator(".prod").count() >= products  # the replies are shown again
    assert _sessions_of(demo_home, "u0031") == sessions  # the same conversation, no new one
    assert sessions[0] in pg.evaluate("() => Object.values(sessionStorage)")
    context.close()


def _pick_shopper(page, shopper: str) -> None:
    page.click("#sa-shopper input")
    page.fill("#sa-shopper input", shopper)
    page.get_by_role("option", name=shopper, exact=True).click()


def test_the_shopper_picker_starts_a_conversation_as_the_chosen_shopper(page, demo_home):
    """The demo's "Browse as" picker: choosing a shopper starts a new conversation bound
    to that shopper, and what they do there (a Like) is stored as theirs."""
    first = page.locator("#sa-shopper input").input_value()
    with Store.in_home(demo_home) as store:
        other = next(s for s in store.shopper_ids("demo")[4:30] if s != first)  # listed
    before = _sessions_of(demo_home, other)
    _pick_shopper(page, other)
    deadline = time.monotonic() + 60
    while len(_sessions_of(demo_home, other)) == len(before) and time.monotonic() < deadline:
        time.sleep(0.5)
    assert len(_sessions_of(demo_home, other)) == len(before) + 1
    ids = ask(page, "a desk lamp")
    assert page.locator("#sa-shopper input").input_value() == other
    page.click("#sa-like-0")
    _stored_feedback(demo_home, lambda s, p, k: (s, p, k) == (other, ids[0], "like"))
