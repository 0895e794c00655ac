"""HTML for the web UI: product cards whose citations are clickable chips, the
evidence view (what raised the score) and the shopper's interest profile as bar
charts. Pure functions of the API's JSON, so the UI shows exactly what the API
returns.

Everything that comes from the catalog or the shopper is escaped: product
titles, descriptions and reviews are data, never markup.
"""

from __future__ import annotations

import re
from html import escape
from typing import Any

CITATION = re.compile(r"\s*\[([A-Za-z][^\[\]\s]{0,63})\]")

TEXT = {
    "en": {
        "like": "Like",
        "not_interested": "Not interested",
        "cart": "Add to cart",
        "why": "Why this?",
        "message": "Message",
        "placeholder": "What are you looking for? e.g. waterproof hiking boots under $120",
        "send": "Send",
        "reset": "Start over",
        "shopper": "Browse as",
        "new_shopper": "a new shopper",
        "examples": "Try",
        "score": "What raised the score",
        "share": "of the score",
        "co": "Shoppers who bought your item also bought this",
        "shoppers": "shoppers",
        "matches": "Matches your request",
        "interests": "Your interests",
        "categories": "Categories",
        "brands": "Brands",
        "price_band": "Usual price range",
        "no_history": (
            "No shopping history yet: recommendations follow your request and what is popular."
        ),
        "popularity": "Popularity rank {rank} of {n} products",
        "evidence": "Evidence",
        "close": "Close",
        "no_rating": "no ratings yet",
        "kinds": {
            "product": "Product page",
            "review": "Review",
            "history": "Your history",
            "co_interaction": "Co-purchase",
            "search": "Matched text",
            "tool": "Tool answer",
        },
        "steps": "Steps of this turn",
        "fields": {"price": "price", "brand": "brand", "rating": "rating"},
        "not_stated": "not stated",
        "what": {
            "category": "category",
            "brand": "brand",
            "price": "price within budget",
            "attribute": "has",
            "use": "for",
        },
    },
    "zh": {
        "like": "喜欢",
        "not_interested": "不感兴趣",
        "cart": "加入购物车",
        "why": "为什么推荐？",
        "message": "消息",
        "placeholder": "想买什么？例如：500元以内的防水登山靴",
        "send": "发送",
        "reset": "重新开始",
        "shopper": "购物者",
        "new_shopper": "新顾客",
        "examples": "试试",
        "score": "推荐分数的来源",
        "share": "的分数",
        "co": "买过您商品的顾客也买了这件",
        "shoppers": "位顾客",
        "matches": "符合您的要求",
        "interests": "您的兴趣",
        "categories": "品类",
        "brands": "品牌",
        "price_band": "常买价位",
        "no_history": "还没有购物记录：推荐依据您的要求和热门程度。",
        "popularity": "热门排名：{n} 件商品中第 {rank}",
        "evidence": "依据",
        "close": "关闭",
        "no_rating": "暂无评分",
        "kinds": {
            "product": "商品信息",
            "review": "评价",
            "history": "您的记录",
            "co_interaction": "共同购买",
            "search": "匹配文本",
            "tool": "工具结果",
        },
        "steps": "本轮调用步骤",
        "fields": {"price": "价格", "brand": "品牌", "rating": "评分"},
        "not_stated": "未写明",
        "what": {
            "category": "品类",
            "brand": "品牌",
            "price": "价格在预算内",
            "attribute": "具备",
            "use": "适合",
        },
    },
}

EXAMPLES = {
    "en": [
        "Waterproof hiking boots under $120 for my husband",
        "A rain jacket for commuting, not too expensive",
        "Show me my profile",
    ],
    "zh": ["给我推荐一款登山靴，500元以内", "适合通勤的雨衣", "我的兴趣是什么"],
}

CSS = """
.sa-compare-wrap{overflow-x:auto;max-width:100%}
.sa-compare{border-collapse:collapse;margin:6px 0;font-size:14px}
.sa-compare th,.sa-compare td{border:1px solid #d0d7de;padding:4px 8px;text-align:left;
  vertical-align:top}
.sa-compare th[scope=row]{white-space:nowrap}
.sa-compare tr.sa-differs th[scope=row]{font-weight:700}
.sa-compare .sa-none{color:#656d76}
.sa-card{display:flex;gap:12px;padding:10px;border:1px solid #d0d7de;border-radius:10px;
  background:#fff;color:#1f2328}
.sa-img{flex:0 0 72px;height:72px;border-radius:8px;overflow:hidden;background:#eef2f6;
  display:flex;align-items:center;justify-content:center;font:600 22px sans-serif;color:#57606a}
.sa-img img{width:72px;height:72px;object-fit:cover}
.sa-body{flex:1;min-width:0}
.sa-body h3{margin:0 0 4px;font-size:15px;line-height:1.3}
.sa-meta{font-size:13px;color:#57606a;margin-bottom:6px}
.sa-why{margin:0;padding-left:18px;font-size:13.5px;line-height:1.5}
.sa-cite{display:inline;margin-left:3px}
.sa-cite>summary{display:inline-block;cursor:pointer;list-style:none;padding:0 6px;
  border-radius:9px;background:#ddf4ff;color:#0969da;font-size:11.5px;font-weight:600}
.sa-cite>summary::-webkit-details-marker{display:none}
.sa-cite[open]>summary{background:#0969da;color:#fff}
.sa-fact{display:block;margin:4px 0 6px;padding:6px 8px;border-left:3px solid #0969da;
  background:#f6f8fa;font-size:12.5px;color:#1f2328}
.sa-evidence{padding:10px;border:1px solid #d0d7de;border-radius:10px;background:#fff;
  color:#1f2328}
.sa-evidence h4{margin:10px 0 6px;font-size:14px}
.sa-bar{display:grid;grid-template-columns:minmax(90px,40%) 1fr 84px;gap:6px;
  align-items:center;font-size:12.5px;margin:3px 0}
.sa-bar .lbl{overflow:hidden;text-overflow:ellipsis;white-space:nowrap}
.sa-bar .track{background:#eef2f6;border-radius:4px;height:12px}
.sa-bar .fill{display:block;height:12px;border-radius:4px;background:#2da44e}
.sa-bar.co .fill{background:#bf8700}.sa-bar.int .fill{background:#8250df}
.sa-bar .val{text-align:right;color:#57606a}
.sa-chips span{display:inline-block;margin:2px 4px 2px 0;padding:1px 8px;border-radius:9px;
  background:#dafbe1;font-size:12.5px}
.sa-note{font-size:12.5px;color:#57606a}
@media (max-width:600px){.sa-img{flex-basis:48px;height:48px}.sa-img img{width:48px;height:48px}}
"""


def t(language: str, key: str) -> Any:
    return TEXT.get(language, TEXT["en"])[key]


def title_of(product: dict[str, Any], language: str) -> str:
    if language == "zh" and product.get("title_zh"):
        return product["title_zh"]
    return product.get("title") or product.get("id", "")


def price_text(price: float | None, currency: str) -> str:
    if price is None:
        return "?"
    symbol = {"USD": "$", "CNY": "¥", "EUR": "€", "GBP": "£"}.get(currency)
    return f"{symbol}{price:,.2f}" if symbol else f"{price:,.2f} {escape(currency)}"


def sentence_html(text: str, evidence: dict[str, Any], language: str) -> str:
    """A sentence with each [ID] citation turned into a chip that reveals the fact."""
    out, last = [], 0
    for m in CITATION.finditer(text):
        out.append(escape(text[last : m.start()]))
        out.append(chip(m.group(1), evidence, language))
        last = m.end()
    out.append(escape(text[last:]))
    return "".join(out)


def chip(cid: str, evidence: dict[str, Any], language: str) -> str:
    record = evidence.get(cid)
    if record is None:
        fact = escape(cid)
    else:
        kind = t(language, "kinds").get(record.get("kind"), record.get("kind", ""))
        fact = f"<b>{escape(kind)}</b>: {escape(record.get('text', ''))}"
    return (
        f'<details class="sa-cite" data-cite="{escape(cid)}">'
        f'<summary aria-label="{escape(t(language, "evidence"))} {escape(cid)}">{escape(cid)}'
        f'</summary><span class="sa-fact" role="note">{fact}</span></details>'
    )


def placeholder(title: str) -> str:
    letters = "".join(w[0] for w in re.findall(r"\w+", title)[:2]).upper() or "?"
    return f'<span aria-hidden="true">{escape(letters)}</span>'


def card_html(n: int, product: dict[str, Any], evidence: dict[str, Any], language: str) -> str:
    title = title_of(product, language)
    image = product.get("image_url")
    picture = (
        f'<img src="{escape(image)}" alt="" loading="lazy">'
        if image and image.startswith(("https://", "http://"))
        else placeholder(title)
    )
    rating = product.get("rating")
    stars = f"★ {rating:.1f}" if rating else t(language, "no_rating")
    meta = " · ".join(
        x
        for x in (
            escape(product.get("brand") or ""),
            f"<b>{price_text(product.get('price'), product.get('currency', 'USD'))}</b>",
            stars,
        )
        if x
    )
    sentences = "".join(
        f"<li>{sentence_html(s['text'], evidence, language)}</li>"
        for s in product.get("explanation", [])
    )
    return (
        f'<article class="sa-card" data-product="{escape(product["id"])}" '
        f'aria-label="{n}. {escape(title)}"><div class="sa-img">{picture}</div>'
        f'<div class="sa-body"><h3>{n}. {escape(title)}</h3><div class="sa-meta">{meta}</div>'
        f'<ul class="sa-why">{sentences}</ul></div></article>'
    )


def bar(label: str, value: float, shown: str, cls: str = "") -> str:
    width = max(0.0, min(1.0, value)) * 100
    return (
        f'<div class="sa-bar {cls}" role="img" aria-label="{escape(label)}: {escape(shown)}">'
        f'<span class="lbl" title="{escape(label)}">{escape(label)}</span>'
        f'<span class="track"><span class="fill" style="width:{width:.0f}%"></span></span>'
        f'<span class="val">{escape(shown)}</span></div>'
    )


def why_html(why: dict[str, Any], language: str) -> str:
    """The evidence view: what raised the score, as bars, and the interest profile."""
    title = title_of({**why, "id": why["product_id"]}, language)
    parts = [
        f'<section class="sa-evidence" aria-label="{escape(t(language, "why"))}">'
        f"<h4>{escape(t(language, 'why'))} {escape(title)}</h4>"
    ]
    if why.get("contributions"):
        model = f" ({escape(why['model'])})" if why.get("model") else ""
        parts.append(f"<h4>{escape(t(language, 'score'))}{model}</h4>")
        for c in why["contributions"]:
            parts.append(bar(c["title"], c["share"], f"{c['share']:.0%}"))
    if why.get("co_interactions"):
        parts.append(f"<h4>{escape(t(language, 'co'))}</h4>")
        top = max(c["shoppers"] for c in why["co_interactions"]) or 1
        for c in why["co_interactions"]:
            parts.append(
                bar(
                    c["title"],
                    c["shoppers"] / top,
                    f"{c['shoppers']} {t(language, 'shoppers')}",
                    "co",
                )
            )
    if why.get("matches"):
        words = t(language, "what")
        chips = "".join(
            f"<span>{escape(words.get(m['what'], m['what']))}: {escape(m['value'])}</span>"
            for m in why["matches"]
        )
        parts.append(
            f'<h4>{escape(t(language, "matches"))}</h4><div class="sa-chips">{chips}</div>'
        )
    if why.get("popularity_rank"):
        rank = t(language, "popularity").format(rank=why["popularity_rank"], n=why["n_items"])
        parts.append(f'<p class="sa-note">{escape(rank)}</p>')
    parts.append(profile_html(why.get("profile"), language))
    parts.append("</section>")
    return "".join(parts)


def profile_html(profile: dict[str, Any] | None, language: str) -> str:
    if not profile or not profile.get("history"):
        return (
            f"<h4>{escape(t(language, 'interests'))}</h4>"
            f'<p class="sa-note">{escape(t(language, "no_history"))}</p>'
        )
    parts = [f'<div class="sa-profile"><h4>{escape(t(language, "interests"))}</h4>']
    for key in ("categories", "brands"):
        if profile.get(key):
            parts.append(f'<div class="sa-note">{escape(t(language, key))}</div>')
            for interest in profile[key]:
                parts.append(
                    bar(interest["name"], interest["weight"], f"{interest['weight']:.0%}", "int")
                )
    band = profile.get("price_band")
    if band:
        parts.append(
            f'<p class="sa-note">{escape(t(language, "price_band"))}: '
            f"{band[0]:,.2f} – {band[1]:,.2f}</p>"
        )
    parts.append("</div>")
    return "".join(parts)


def answer_html(reply: dict[str, Any], language: str) -> str:
    """An answer's sentences, each citation a chip that opens the passage it quotes."""
    evidence = reply.get("evidence") or {}
    lines = [
        f'<p class="sa-answer">{sentence_html(s["text"], evidence, language)}</p>'
        for s in reply.get("answer") or []
    ]
    return "".join(lines) + comparison_html(reply, language)


def comparison_html(reply: dict[str, Any], language: str) -> str:
    """A comparison's table: a column per product, a row per field (those the products
    differ in first), each value with the chip of the record that states it."""
    table = reply.get("comparison")
    if not table:
        return ""
    evidence = reply.get("evidence") or {}
    products = {p["id"]: p for p in reply.get("products") or []}
    head = "".join(
        f'<th scope="col">{n}. {escape(title_of(products.get(pid, {"title": pid}), language))}</th>'
        for n, pid in enumerate(table["columns"], start=1)
    )
    rows = sorted(table["rows"], key=lambda r: not r["differs"])
    body = []
    for row in rows:
        if not any(v not in (None, "") for v in row["values"]):
            continue
        label = t(language, "fields").get(row["name"], row["name"].replace("_", " "))
        cells = []
        for n, (value, cid) in enumerate(zip(row["values"], row["citations"], strict=True)):
            if value in (None, ""):
                cells.append(f'<td class="sa-none">{escape(t(language, "not_stated"))}</td>')
                continue
            if row["name"] == "price":
                pid = table["columns"][n]
                shown = price_text(value, products.get(pid, {}).get("currency", "USD"))
            elif row["name"] == "rating":
                shown = f"{value:.1f} / 5"
            else:
                shown = escape(str(value))
            cells.append(f"<td>{shown}{chip(cid, evidence, language) if cid else ''}</td>")
        cls = ' class="sa-differs"' if row["differs"] else ""
        body.append(f'<tr{cls}><th scope="row">{escape(label)}</th>{"".join(cells)}</tr>')
    return (
        f'<div class="sa-compare-wrap"><table class="sa-compare"><thead><tr><th></th>{head}'
        f"</tr></thead><tbody>{''.join(body)}</tbody></table></div>"
    )


def steps_html(trace: list[dict[str, Any]], language: str) -> str:
    """The tool calls of a turn: tool, arguments, milliseconds, ok or the error."""
    if not trace:
        return ""
    items = []
    for step in trace:
        args = ", ".join(f"{k}={escape(str(v))}" for k, v in (step.get("arguments") or {}).items())
        status = "" if step.get("ok") else f" · {escape(str(step.get('error')))}"
        cls = "sa-step" if step.get("ok") else "sa-step sa-step-failed"
        items.append(
            f'<li class="{cls}" data-tool="{escape(step["tool"])}">{escape(step["tool"])}'
            f"({args}) · {step.get('ms', 0):.1f} ms{status}</li>"
        )
    return f'<h4>{escape(t(language, "steps"))}</h4><ol class="sa-steps">{"".join(items)}</ol>'


def chat_text(reply: dict[str, Any], language: str) -> str:
    """The reply as a chat message: the text, with products listed by title only (the
    cards beside the chat carry the explanations and their citations)."""
    if not reply.get("products"):
        return CITATION.sub("", reply.get("text", ""))
    lines = [reply.get("text", "").strip()]
    for n, p in enumerate(reply["products"], start=1):
        price = price_text(p.get("price"), p.get("currency", "USD"))
        lines.append(f"{n}. {title_of(p, language)} ({p.get('brand') or '-'}, {price})")
    return "\n".join(lines)
