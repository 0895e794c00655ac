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

import pytest

from catalog.store import Store
from tests.server_support import ARTIFACTS, REPO, SHIPPING_QUESTIONS, Server, free_port

pytestmark = [pytest.mark.slow, pytest.mark.browser]

CJK = re.compile(r"[\u4e00-\u9fff]")
TIMEOUT = 90_000  # ms; a turn on a loaded 2-core machine can take seconds


@pytest.fixture(scope="module")
def host_page(tmp_path_factory):
    """The example host page, served from an origin of its own (as a shop would)."""
    root = tmp_path_factory.mktemp("host")
    port = free_port()
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(root))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", port), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield root, f"http://127.0.0.1:{port}"
    httpd.shutdown()


@pytest.fixture(scope="module")
def server(demo_home, host_page):
    _, origin = host_page
    srv = Server(demo_home, f'[server]\ncors_origins = ["{origin}"]\n').start()
    yield srv
    srv.stop()


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


def widget_page(host_page, server, mode: str) -> str:
    root, origin = host_page
    html = (REPO / "ui" / "static" / "example-host.html").read_text(encoding="utf-8")
    html = html.replace("http://127.0.0.1:7860/widget.js", f"{server.url}/widget.js")
    html = html.replace('data-mode="shopper"', f'data-mode="{mode}" data-shopper="u0007"')
    (root / f"{mode}.html").write_text(html, encoding="utf-8")
    return f"{origin}/{mode}.html"


@pytest.mark.parametrize("mode", ["shopper", "staff"])
def test_widget_on_a_host_page_of_another_origin(browser, server, host_page, mode):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    pg = context.new_page()
    pg.set_default_timeout(TIMEOUT)
    pg.goto(widget_page(host_page, server, mode), wait_until="domcontentloaded")
    pg.locator("#shopassist-widget .launch").click()
    greeting = pg.locator("#shopassist-widget .msg.bot").first
    greeting.wait_for(state="visible")
    assert "Tell me what you are shopping for" in greeting.inner_text()
    pg.locator("#shopassist-widget input").fill("waterproof hiking boots under $120")
    pg.locator("#shopassist-widget input").press("Enter")
    pg.locator("#shopassist-widget .prod").first.wait_for(state="visible")
    assert pg.locator("#shopassist-widget .prod").count() == 3
    chip = pg.locator("#shopassist-widget .prod details").first
    chip.locator("summary").click()
    fact = chip.locator(".fact")
    fact.wait_for(state="visible")
    assert len(fact.inner_text()) > 10
    if mode == "staff":
        side = pg.locator("#shopassist-widget .side")
        side.locator(".fact").first.wait_for(state="visible")
        pg.locator("#shopassist-widget .profile h5").first.wait_for(state="visible")
        assert "u0007" in side.inner_text()
        # the turn's tool calls, as steps
        tools = side.locator(".steps li").evaluate_all("els => els.map(e => e.dataset.tool)")
        assert "search_products" in tools and "recommend_for_shopper" in tools
        assert " ms" in side.locator(".steps").inner_text()
    else:
        assert pg.locator("#shopassist-widget .steps").count() == 0
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
    assert chip.get_attribute("data-cite").startswith("T")
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
