"""Markup in catalog text never runs in a browser. The importer strips it (first
test); and even a store holding raw `<script>` / `onerror=` in titles, brands and
reviews (written by some other tool) renders as inert text in the web UI and in the
widget (Chromium)."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from catalog.store import Store
from tests.server_support import ARTIFACTS, REPO, Server
from ui.process import SCRIPT

pytestmark = [pytest.mark.slow, pytest.mark.browser]

FIXTURE = REPO / "tests" / "fixtures" / "hostile"
TIMEOUT = 90_000
RAW = {  # product id -> (title, brand), written straight into the store
    "h1": ("<script>window.__pwned=1</script>Trail hiking boots", "Acme"),
    "h2": ('Summit hiking boots <img src=x onerror="window.__pwned=2">', "Peak"),
    "h3": ("Ridge hiking boots", "<b onmouseover=window.__pwned=3>Bold</b>"),
}
RAW_REVIEW = '<script>window.__pwned=4</script><img src=x onerror="window.__pwned=5">Dry feet.'


@pytest.fixture(scope="module")
def hostile_home(tmp_path_factory) -> Path:
    home = tmp_path_factory.mktemp("hostile")
    env = dict(os.environ, SHOPASSIST_HOME=str(home))
    proc = subprocess.run(
        [str(SCRIPT), "ingest", "--name", "hostile", "--format", "csv", "--json",
         "--products", str(FIXTURE / "products.csv"),
         "--interactions", str(FIXTURE / "interactions.csv"),
         "--reviews", str(FIXTURE / "reviews.csv")],
        env=env, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    return home


def test_the_importer_strips_markup_and_script_bodies(hostile_home):
    with Store.in_home(hostile_home) as store:
        texts = []
        for p in store.products("hostile"):
            texts += [p.title, p.brand, p.description, *p.title_i18n.values()]
        texts += [r.text for r in store.reviews("hostile")]
    blob = json.dumps(texts, ensure_ascii=False)
    assert "<" not in blob and "pwned" not in blob and "onerror" not in blob
    assert "Trail hiking boots" in blob and "登山靴" in blob


@pytest.fixture(scope="module")
def raw_server(hostile_home):
    with Store.in_home(hostile_home) as store, store.transaction() as cur:
        for pid, (title, brand) in RAW.items():
            cur.execute(
                "UPDATE products SET title = ?, brand = ? WHERE ext_id = ?", (title, brand, pid)
            )
        cur.execute("UPDATE reviews SET text = ?", (RAW_REVIEW,))
    server = Server(hostile_home, dataset="hostile").start()
    yield server
    server.stop()


def open_page(browser, url: str):
    """A fresh page at `url`, with every JavaScript dialog recorded (and dismissed)."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(TIMEOUT)
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.goto(url, wait_until="domcontentloaded")
    return context, page, dialogs


def test_raw_markup_in_the_store_is_inert_in_the_ui(browser, raw_server):
    context, page, dialogs = open_page(browser, raw_server.url + "/")
    page.wait_for_selector("#sa-chat .message")
    page.fill("#sa-input textarea", "hiking boots")
    page.click("#sa-send")
    page.wait_for_selector("#sa-card-html-0 .sa-card")
    for chip in page.locator("[id^=sa-card-html-] .sa-cite summary").all():
        chip.click()
    page.click("#sa-why-0")
    page.locator("#sa-evidence .sa-evidence").wait_for(state="visible")
    page.wait_for_timeout(500)
    cards = page.locator("[id^=sa-card-html-]")
    text = " ".join(cards.all_inner_texts())
    assert "<script>window.__pwned=1</script>Trail hiking boots" in text  # shown as text
    assert page.locator("[id^=sa-card-html-] script, [id^=sa-card-html-] img[onerror]").count() == 0
    assert page.locator("#sa-chat script, #sa-chat img").count() == 0
    chat = page.locator("#sa-chat").inner_text()
    assert '<img src=x onerror="window.__pwned=2">' in chat  # the title, as text
    assert page.evaluate("window.__pwned") is None and dialogs == []
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "ui-hostile.png"), full_page=True)
    context.close()


def test_raw_markup_in_the_store_is_inert_in_the_widget(browser, raw_server):
    context, page, dialogs = open_page(browser, raw_server.url + "/widget/example")
    page.locator("#shopassist-widget .launch").click()
    page.locator("#shopassist-widget .msg.bot").first.wait_for(state="visible")
    page.locator("#shopassist-widget input").fill("hiking boots")
    page.locator("#shopassist-widget input").press("Enter")
    page.locator("#shopassist-widget .prod").first.wait_for(state="visible")
    for chip in page.locator("#shopassist-widget .prod summary").all():
        chip.click()
    page.wait_for_timeout(500)
    text = page.locator("#shopassist-widget .log").inner_text()
    assert "<script>" in text or "onerror" in text
    assert page.locator("#shopassist-widget script, #shopassist-widget img[onerror]").count() == 0
    assert page.evaluate("window.__pwned") is None and dialogs == []
    context.close()
