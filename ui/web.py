"""The shopper web UI (Gradio Blocks): streaming chat, product cards with clickable
citations, feedback buttons, the "Why this?" evidence view with the shopper's
interest profile, the demo's shopper picker (`ui.demo_shoppers`), English / 中文
toggle, examples and reset.

Every action goes through `ShopService`, the same code the HTTP API uses, so
conversations from the UI are stored sessions too.
"""

from __future__ import annotations

import html
import queue
import re
from typing import Any

import gradio as gr

from catalog.errors import ShopAssistError
from ui import render
from ui.render import EXAMPLES, t
from ui.service import ShopService

SLOTS = 3  # product cards beside the chat (the agent shows three)
LANGUAGES = [("English", "en"), ("中文", "zh")]
_ID_SUFFIX = re.compile(r"\s*\[id [^\]]*\]\s*$")


def _text(text: str) -> str:
    """Chat text as the chat shows it: markup in product titles or messages stays text
    (the chat renders Markdown with HTML)."""
    return html.escape(text, quote=False)


def _stream_line(piece: str) -> str:
    """A streamed piece as chat text: a product's first line, without its explanation
    (the explanation sentences stream in on their own lines and belong to the card)."""
    if piece.startswith("   - "):
        return ""
    if re.match(r"^\d+\. ", piece):
        return _ID_SUFFIX.sub("", piece.splitlines()[0]) + "\n"
    return render.CITATION.sub("", piece)


def build_ui(service: ShopService) -> gr.Blocks:
    # The "Browse as" picker acts as any shopper without proof: a demo setting. Off, every
    # web UI session is a guest's.
    demo_shoppers = service.settings.ui.demo_shoppers
    shoppers = service.shoppers() if demo_shoppers else []
    new_label = "new"
    choices = [(s, s) for s in shoppers] + [(t("en", "new_shopper"), new_label)]
    default_shopper = shoppers[0] if shoppers else new_label

    with gr.Blocks(title="ShopAssist", fill_width=True) as demo:
        session = gr.State({})
        with gr.Row(equal_height=True):
            gr.Markdown("## ShopAssist", elem_id="sa-title")
            shopper = gr.Dropdown(
                choices, value=default_shopper, label=t("en", "shopper"), elem_id="sa-shopper",
                scale=1, min_width=160, visible=demo_shoppers,
            )  # fmt: skip
            language = gr.Radio(
                LANGUAGES, value="en", label="Language / 语言", elem_id="sa-language",
                scale=1, min_width=160,
            )  # fmt: skip
            reset = gr.Button(t("en", "reset"), elem_id="sa-reset", scale=0, min_width=110)
        with gr.Row():
            with gr.Column(scale=3, min_width=320):
                chat = gr.Chatbot(
                    label="Chat", elem_id="sa-chat", height=460, buttons=["copy"],
                    feedback_options=None,
                )  # fmt: skip
                with gr.Row():
                    box = gr.Textbox(
                        label=t("en", "message"), placeholder=t("en", "placeholder"),
                        elem_id="sa-input", scale=5, max_lines=4, max_length=2000,
                    )  # fmt: skip
                    send = gr.Button(t("en", "send"), variant="primary", elem_id="sa-send", scale=1)
                with gr.Row():
                    examples = [
                        gr.Button(
                            text, size="sm", elem_id=f"sa-example-{i}", elem_classes="sa-example"
                        )
                        for i, text in enumerate(EXAMPLES["en"])
                    ]
            with gr.Column(scale=2, min_width=320):
                cards, card_html, buttons = [], [], []
                for i in range(SLOTS):
                    with gr.Column(visible=False, elem_id=f"sa-card-{i}") as col:
                        html = gr.HTML(elem_id=f"sa-card-html-{i}")
                        with gr.Row():
                            row = [
                                gr.Button(
                                    t("en", kind), size="sm", elem_id=f"sa-{kind}-{i}", min_width=60
                                )
                                for kind in ("like", "not_interested", "cart", "why")
                            ]
                    cards.append(col)
                    card_html.append(html)
                    buttons.append(row)
                with gr.Column(visible=False, elem_id="sa-evidence") as evidence_col:
                    evidence = gr.HTML(elem_id="sa-evidence-html")
                    close = gr.Button(t("en", "close"), size="sm", elem_id="sa-evidence-close")

        card_outputs = [x for i in range(SLOTS) for x in (cards[i], card_html[i])]

        def cards_update(reply: dict[str, Any] | None, lang: str) -> list[Any]:
            products = (reply or {}).get("products") or []
            evidence_map = (reply or {}).get("evidence") or {}
            out: list[Any] = []
            for i in range(SLOTS):
                if i < len(products):
                    out += [
                        gr.update(visible=True),
                        render.card_html(i + 1, products[i], evidence_map, lang),
                    ]
                else:
                    out += [gr.update(visible=False), ""]
            return out

        def start(shopper_id: str, lang: str):
            sid = None if not demo_shoppers or shopper_id in (None, new_label) else shopper_id
            info = service.new_session(sid, lang)
            state = {**info, "shown": [], "reply": None}
            history = [{"role": "assistant", "content": _text(info["greeting"])}]
            return [state, history, *cards_update(None, lang), gr.update(visible=False), ""]

        start_outputs = [session, chat, *card_outputs, evidence_col, evidence]
        demo.load(start, [shopper, language], start_outputs)
        shopper.change(start, [shopper, language], start_outputs)
        reset.click(start, [shopper, language], start_outputs)

        def respond(message: str, state: dict[str, Any], history: list[dict[str, Any]], lang: str):
            message = (message or "").strip()
            if not message or not state.get("session_id"):
                yield [gr.update(), state, history, *([gr.update()] * (2 * SLOTS))]
                return
            history = [
                *history,
                {"role": "user", "content": _text(message)},
                {"role": "assistant", "content": ""},
            ]
            pieces: queue.Queue = queue.Queue()
            try:  # queued behind other shoppers' turns, first come first served
                future = service.submit(service.send, state["session_id"], message, emit=pieces.put)
            except ShopAssistError as exc:  # the queue is full
                history[-1] = {"role": "assistant", "content": _text(f"Sorry: {exc}")}
                yield ["", state, history, *([gr.update()] * (2 * SLOTS))]
                return
            future.add_done_callback(lambda _: pieces.put(None))
            shown_text = ""
            while (piece := pieces.get()) is not None:
                shown_text += _stream_line(piece)
                history[-1] = {"role": "assistant", "content": _text(shown_text.strip())}
                yield ["", state, history, *([gr.update()] * (2 * SLOTS))]
            error = future.exception()
            if error is not None:
                if not isinstance(error, ShopAssistError):
                    raise error
                history[-1] = {"role": "assistant", "content": _text(f"Sorry: {error}")}
                yield ["", state, history, *([gr.update()] * (2 * SLOTS))]
                return
            reply = future.result()
            reply_lang = reply.get("language", lang)
            if reply.get("answer"):  # cited sentences: chips open the passages they quote
                answer = render.answer_html(reply, reply_lang)
            else:
                answer = _text(render.chat_text(reply, reply_lang))
            history[-1] = {"role": "assistant", "content": answer}
            state = {**state, "trace": reply.get("trace") or []}
            if reply.get("products"):
                state = {**state, "shown": [p["id"] for p in reply["products"]], "reply": reply}
                yield ["", state, history, *cards_update(reply, reply_lang)]
            else:
                yield ["", state, history, *([gr.update()] * (2 * SLOTS))]

        respond_io = dict(
            inputs=[box, session, chat, language], outputs=[box, session, chat, *card_outputs]
        )
        send.click(respond, **respond_io)
        box.submit(respond, **respond_io)
        for button in examples:
            button.click(
                respond, inputs=[button, session, chat, language], outputs=respond_io["outputs"]
            )

        def on_feedback(kind: str, i: int):
            def handler(state: dict[str, Any], history: list[dict[str, Any]], lang: str):
                shown = state.get("shown") or []
                if i >= len(shown):
                    return [state, history, *([gr.update()] * (2 * SLOTS))]
                product = state["reply"]["products"][i]
                # in the same first-come-first-served queue as messages
                out = service.submit(
                    service.feedback, shown[i], kind, session_id=state["session_id"]
                ).result()
                reply = out["reply"]
                reply_lang = reply.get("language", lang)
                label = t(reply_lang, kind)
                history = [
                    *history,
                    {
                        "role": "user",
                        "content": _text(f"{label}: {render.title_of(product, reply_lang)}"),
                    },
                    {"role": "assistant", "content": _text(render.chat_text(reply, reply_lang))},
                ]
                if reply.get("products"):
                    state = {**state, "shown": [p["id"] for p in reply["products"]], "reply": reply}
                    return [state, history, *cards_update(reply, reply_lang)]
                return [state, history, *([gr.update()] * (2 * SLOTS))]

            return handler

        def on_why(i: int):
            def handler(state: dict[str, Any], lang: str):
                shown = state.get("shown") or []
                if i >= len(shown):
                    return [gr.update(), gr.update()]
                why = service.why(shown[i], session_id=state["session_id"])
                steps = render.steps_html(state.get("trace") or [], lang)
                return [gr.update(visible=True), render.why_html(why, lang) + steps]

            return handler

        for i in range(SLOTS):
            like, not_interested, cart, why = buttons[i]
            for button, kind in (
                (like, "like"),
                (not_interested, "not_interested"),
                (cart, "cart"),
            ):
                button.click(
                    on_feedback(kind, i), [session, chat, language], [session, chat, *card_outputs]
                )
            why.click(on_why(i), [session, language], [evidence_col, evidence])
        close.click(lambda: gr.update(visible=False), None, evidence_col)

        def relabel(lang: str, state: dict[str, Any]):
            if state.get("session_id"):
                service.set_language(state["session_id"], lang)
            state = {**state, "language": lang}
            updates: list[Any] = [
                state,
                gr.update(label=t(lang, "shopper")),
                gr.update(value=t(lang, "reset")),
                gr.update(label=t(lang, "message"), placeholder=t(lang, "placeholder")),
                gr.update(value=t(lang, "send")),
                gr.update(value=t(lang, "close")),
            ]
            updates += [gr.update(value=text) for text in EXAMPLES[lang]]
            for _ in range(SLOTS):
                updates += [
                    gr.update(value=t(lang, k)) for k in ("like", "not_interested", "cart", "why")
                ]
            reply = state.get("reply")
            updates += cards_update(reply, lang) if reply else [gr.update()] * (2 * SLOTS)
            return updates

        language.change(
            relabel,
            [language, session],
            [session, shopper, reset, box, send, close, *examples,
             *[b for row in buttons for b in row], *card_outputs],
        )  # fmt: skip
    return demo
