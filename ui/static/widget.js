/*
 * ShopAssist chat widget: one script tag puts the assistant into any page.
 *
 *   <script src="https://YOUR-SERVER/widget.js" defer
 *           data-greeting="Hi! What are you shopping for today?"
 *           data-language="en"          (en | zh)
 *           data-shopper-token="..."     (optional: the signed-in shopper, a token the
 *                                         shop's backend signed; without it, a guest)
 *           data-mode="shopper"          (shopper | staff: staff sees evidence + profile)
 *           data-open="false"></script>
 *
 * Back-office pages only (never a public page: the key acts for every shopper):
 *           data-api-key="..." data-shopper="u0001"
 *
 * It talks to the server's HTTP API (/api/v1) with fetch and server-sent events;
 * the server must list the host page's origin in server.cors_origins (when it does not,
 * the widget says so and how to fix it). Everything from the server is inserted as
 * text, never as markup.
 */
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script) return;
  var base = new URL(script.src, location.href).origin;
  var api = base + "/api/v1";
  var cfg = {
    greeting: script.dataset.greeting || "",
    language: script.dataset.language === "zh" ? "zh" : "en",
    shopper: script.dataset.shopper || null,
    token: script.dataset.shopperToken || null,
    apiKey: script.dataset.apiKey || null,
    mode: script.dataset.mode === "staff" ? "staff" : "shopper",
    open: script.dataset.open === "true",
  };
  var L = {
    en: { title: "Shopping assistant", placeholder: "Ask for a product…", send: "Send",
          open: "Chat with us", close: "Close", evidence: "Evidence", profile: "Shopper profile",
          steps: "Steps", notStated: "not stated",
          fields: { price: "price", brand: "brand", rating: "rating" },
          none: "No history yet.", like: "Like", no: "Not interested", error: "Sorry, that failed: ",
          refused: "the assistant at {server} does not admit pages of {origin}: ",
          down: "the assistant at {server} cannot be reached" },
    zh: { title: "购物助手", placeholder: "想买什么？", send: "发送", open: "在线咨询", close: "关闭",
          evidence: "依据", profile: "顾客画像", none: "暂无记录。", like: "喜欢", no: "不感兴趣",
          steps: "调用步骤", notStated: "未写明",
          fields: { price: "价格", brand: "品牌", rating: "评分" },
          error: "出错了：", refused: "{server} 上的助手不接受来自 {origin} 的页面：",
          down: "无法连接 {server} 上的助手" },
  }[cfg.language];
  // One stored conversation per identity; the server refuses another identity's anyway.
  var storeKey = "shopassist-session:" + base + ":" +
    (cfg.token ? "token:" + subject(cfg.token) : cfg.apiKey ? "key:" + (cfg.shopper || "") : "guest");

  var host = document.createElement("div");
  host.id = "shopassist-widget";
  document.body.appendChild(host);
  var root = host.attachShadow({ mode: "open" });
  var style = document.createElement("style");
  style.textContent = [
    ":host{all:initial}",
    ".launch{position:fixed;right:20px;bottom:20px;z-index:2147483000;border:0;border-radius:24px;",
    "padding:12px 18px;background:#0969da;color:#fff;font:600 15px system-ui,sans-serif;cursor:pointer}",
    ".panel{position:fixed;right:20px;bottom:76px;z-index:2147483000;width:min(380px,calc(100vw - 24px));",
    "height:min(560px,calc(100vh - 100px));display:none;flex-direction:column;background:#fff;color:#1f2328;",
    "border:1px solid #d0d7de;border-radius:12px;box-shadow:0 8px 24px rgba(0,0,0,.18);",
    "font:14px/1.45 system-ui,sans-serif;overflow:hidden}",
    ".panel.staff{width:min(760px,calc(100vw - 24px))}",
    ".cmpwrap{overflow-x:auto}.cmp{border-collapse:collapse;margin:4px 0;font-size:12px}",
    ".cmp th,.cmp td{border:1px solid #d0d7de;padding:2px 6px;text-align:left;vertical-align:top}",
    ".cmp tr th:first-child{white-space:nowrap}.cmp tr.differs th{font-weight:700}",
    ".answer p{margin:0 0 6px}.steps{padding-left:18px;margin:4px 0}.step.failed{color:#cf222e}",
    ".panel.open{display:flex}",
    "header{display:flex;justify-content:space-between;align-items:center;padding:10px 12px;",
    "background:#0969da;color:#fff;font-weight:600}",
    "header button{background:none;border:0;color:#fff;font-size:18px;cursor:pointer}",
    ".body{flex:1;display:flex;min-height:0}",
    ".chat{flex:1;display:flex;flex-direction:column;min-width:0}",
    ".log{flex:1;overflow:auto;padding:10px}",
    ".side{flex:0 0 44%;overflow:auto;border-left:1px solid #d0d7de;padding:10px;background:#f6f8fa;font-size:12.5px}",
    ".msg{margin:6px 0;padding:8px 10px;border-radius:10px;white-space:pre-wrap;word-wrap:break-word}",
    ".me{background:#ddf4ff;margin-left:40px}.bot{background:#f6f8fa;margin-right:20px}",
    ".prod{margin:6px 0;padding:8px;border:1px solid #d0d7de;border-radius:8px;background:#fff}",
    ".prod b{display:block}.meta{color:#57606a;font-size:12.5px}",
    ".prod ul{margin:4px 0;padding-left:18px}",
    "details{display:inline}summary{display:inline-block;cursor:pointer;list-style:none;padding:0 6px;",
    "border-radius:9px;background:#ddf4ff;color:#0969da;font-size:11px;font-weight:600}",
    "summary::-webkit-details-marker{display:none}",
    ".fact{display:block;margin:3px 0;padding:4px 6px;border-left:3px solid #0969da;background:#f6f8fa;font-size:12px}",
    ".acts button{margin:4px 4px 0 0;font-size:12px;border:1px solid #d0d7de;border-radius:6px;background:#fff;cursor:pointer}",
    "form{display:flex;gap:6px;padding:8px;border-top:1px solid #d0d7de}",
    "input{flex:1;padding:8px;border:1px solid #d0d7de;border-radius:8px;font:inherit}",
    "form button{padding:8px 12px;border:0;border-radius:8px;background:#0969da;color:#fff;cursor:pointer}",
    ".bar{display:grid;grid-template-columns:45% 1fr 40px;gap:4px;align-items:center;margin:2px 0}",
    ".bar i{display:block;height:10px;background:#8250df;border-radius:3px}",
    "h5{margin:8px 0 4px;font-size:13px}",
  ].join("");
  root.appendChild(style);

  var launch = el("button", "launch", L.open);
  launch.setAttribute("aria-label", L.open);
  var panel = el("div", "panel" + (cfg.mode === "staff" ? " staff" : ""));
  panel.setAttribute("role", "dialog");
  panel.setAttribute("aria-label", L.title);
  var header = el("header", "", "");
  header.appendChild(el("span", "", L.title));
  var closeBtn = el("button", "close", "×");
  closeBtn.setAttribute("aria-label", L.close);
  header.appendChild(closeBtn);
  var body = el("div", "body");
  var chat = el("div", "chat");
  var log = el("div", "log");
  log.setAttribute("aria-live", "polite");
  var form = el("form");
  var input = el("input");
  input.placeholder = L.placeholder;
  input.setAttribute("aria-label", L.placeholder);
  input.maxLength = 2000;
  var sendBtn = el("button", "", L.send);
  sendBtn.type = "submit";
  form.appendChild(input);
  form.appendChild(sendBtn);
  chat.appendChild(log);
  chat.appendChild(form);
  body.appendChild(chat);
  var side = null;
  if (cfg.mode === "staff") {
    side = el("aside", "side");
    side.setAttribute("aria-label", L.evidence);
    body.appendChild(side);
  }
  panel.appendChild(header);
  panel.appendChild(body);
  root.appendChild(launch);
  root.appendChild(panel);

  var session = null;
  launch.addEventListener("click", function () { toggle(true); });
  closeBtn.addEventListener("click", function () { toggle(false); });
  form.addEventListener("submit", function (ev) {
    ev.preventDefault();
    var text = input.value.trim();
    if (!text) return;
    input.value = "";
    send(text);
  });
  if (cfg.open) toggle(true);

  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function toggle(open) {
    panel.classList.toggle("open", open);
    if (open && !session) start();
    if (open) input.focus();
  }

  function subject(token) {
    try {
      var part = token.split(".")[1].replace(/-/g, "+").replace(/_/g, "/");
      return JSON.parse(atob(part)).sub || "";
    } catch (e) {
      return "";
    }
  }

  function headers(extra) {
    var out = extra || {};
    if (cfg.token) out.Authorization = "Bearer " + cfg.token;
    if (cfg.apiKey) out["X-API-Key"] = cfg.apiKey;
    return out;
  }

  // A refused cross-origin request reaches the page only as "Failed to fetch": ask the
  // server (its /cors-check answers every origin) whether this page's origin is the cause.
  function explain(e) {
    if (!(e instanceof TypeError)) return Promise.resolve(L.error + e.message);
    var fill = function (text, origin) {
      return text.replace("{server}", base).replace("{origin}", origin || location.origin);
    };
    return fetch(api + "/cors-check").then(function (r) { return r.json(); }).then(
      function (c) {
        return c.allowed ? L.error + e.message : L.error + fill(L.refused, c.origin) + c.fix;
      },
      function () { return L.error + fill(L.down); }
    );
  }

  function fail(node) {
    return function (e) {
      return explain(e).then(function (text) {
        if (node) node.textContent = text;
        else say("bot", text);
      });
    };
  }

  function json(method, path, payload) {
    return fetch(api + path, {
      method: method,
      headers: headers(payload ? { "Content-Type": "application/json" } : {}),
      body: payload ? JSON.stringify(payload) : undefined,
    }).then(function (r) {
      return r.json().then(function (data) {
        if (!r.ok) throw new Error(data.error || r.statusText);
        return data;
      });
    });
  }

  function start() {
    var saved = sessionStorage.getItem(storeKey);
    var restore = saved
      ? json("GET", "/sessions/" + encodeURIComponent(saved)).then(function (s) {
          session = s;
          s.messages.forEach(function (m) {
            if (m.role === "shopper") say("me", m.text);
            else if (m.reply) showReply(say("bot", ""), m.reply);
          });
        })
      : Promise.reject();
    restore.catch(function () {
      return json("POST", "/sessions", { shopper_id: cfg.shopper, language: cfg.language }).then(
        function (s) {
          session = s;
          sessionStorage.setItem(storeKey, s.session_id);
          say("bot", cfg.greeting || s.greeting);
          if (side) showProfile();
        }
      );
    }).catch(fail(null));
  }

  function say(who, text) {
    var node = el("div", "msg " + who, text);
    log.appendChild(node);
    log.scrollTop = log.scrollHeight;
    return node;
  }

  function send(text) {
    if (!session) return;
    say("me", text);
    var bubble = say("bot", "");
    sendBtn.disabled = true;
    fetch(api + "/sessions/" + encodeURIComponent(session.session_id) + "/messages", {
      method: "POST",
      headers: headers({ "Content-Type": "application/json", Accept: "text/event-stream" }),
      body: JSON.stringify({ text: text, stream: true }),
    }).then(function (r) {
      if (!r.ok) return r.json().then(function (d) { throw new Error(d.error || r.statusText); });
      return readEvents(r.body.getReader(), function (event, data) {
        if (event === "delta") {
          bubble.textContent += /^\d+\. /.test(data.text) ? "" : stripCites(data.text);
        } else if (event === "reply") {
          showReply(bubble, data);
        } else if (event === "error") {
          bubble.textContent = L.error + data.error;
        }
        log.scrollTop = log.scrollHeight;
      });
    }).catch(fail(bubble)).then(function () { sendBtn.disabled = false; });
  }

  function readEvents(reader, onEvent) {
    var decoder = new TextDecoder();
    var buffer = "";
    function pump() {
      return reader.read().then(function (chunk) {
        if (chunk.done) return;
        buffer += decoder.decode(chunk.value, { stream: true });
        var parts = buffer.split("\n\n");
        buffer = parts.pop();
        parts.forEach(function (block) {
          var event = "message", data = "";
          block.split("\n").forEach(function (line) {
            if (line.indexOf("event: ") === 0) event = line.slice(7);
            else if (line.indexOf("data: ") === 0) data += line.slice(6);
          });
          if (data) onEvent(event, JSON.parse(data));
        });
        return pump();
      });
    }
    return pump();
  }

  function stripCites(text) {
    return text.replace(/\s*\[[A-Za-z][^\[\]\s]{0,63}\]/g, "");
  }

  function cited(item, s, reply) {
    item.appendChild(document.createTextNode(stripCites(s.text) + " "));
    (s.citations || []).forEach(function (cid) {
      var det = el("details");
      det.dataset.cite = cid;
      det.appendChild(el("summary", "", cid));
      var fact = reply.evidence && reply.evidence[cid];
      det.appendChild(el("span", "fact", fact ? fact.text : cid));
      item.appendChild(det);
    });
  }

  // A comparison's table: a column per product, a row per field (those that differ
  // first), each value with the chip of the record that states it. Text only: values
  // come from the catalog and are never markup.
  function comparisonTable(reply, lang) {
    var table = el("table", "cmp");
    var head = el("tr");
    head.appendChild(el("th", "", ""));
    var titles = {}, currency = {};
    (reply.products || []).forEach(function (p) {
      titles[p.id] = lang === "zh" && p.title_zh ? p.title_zh : p.title;
      currency[p.id] = p.currency;
    });
    reply.comparison.columns.forEach(function (pid, i) {
      head.appendChild(el("th", "", i + 1 + ". " + (titles[pid] || pid)));
    });
    table.appendChild(head);
    var rows = reply.comparison.rows.filter(function (r) {
      return r.values.some(function (v) { return v !== null && v !== ""; });
    });
    rows.sort(function (a, b) { return (b.differs ? 1 : 0) - (a.differs ? 1 : 0); });
    rows.forEach(function (r) {
      var tr = el("tr", r.differs ? "differs" : "");
      tr.appendChild(el("th", "", (L.fields && L.fields[r.name]) || r.name.replace(/_/g, " ")));
      r.values.forEach(function (v, i) {
        var td = el("td");
        if (v === null || v === "") {
          td.textContent = L.notStated;
        } else {
          var pid = reply.comparison.columns[i];
          var shown = r.name === "rating" ? v.toFixed(1) + " / 5"
            : r.name === "price" ? v.toFixed(2) + " " + (currency[pid] || "") : String(v);
          cited(td, { text: shown,
                      citations: r.citations[i] ? [r.citations[i]] : [] }, reply);
        }
        tr.appendChild(td);
      });
      table.appendChild(tr);
    });
    var wrap = el("div", "cmpwrap");
    wrap.appendChild(table);
    return wrap;
  }

  function showReply(bubble, reply) {
    var answer = reply.answer || [];
    bubble.textContent = answer.length ? "" : stripCites(reply.text || "");
    if (answer.length) {
      var said = el("div", "answer");
      answer.forEach(function (s) {
        var line = el("p");
        cited(line, s, reply);
        said.appendChild(line);
      });
      bubble.appendChild(said);
    }
    var lang = reply.language || cfg.language;
    if (reply.comparison) bubble.appendChild(comparisonTable(reply, lang));
    (reply.products || []).forEach(function (p, i) {
      var card = el("div", "prod");
      card.dataset.product = p.id;
      card.appendChild(el("b", "", i + 1 + ". " + (lang === "zh" && p.title_zh ? p.title_zh : p.title)));
      var price = p.price === null || p.price === undefined ? "?" : p.price.toFixed(2) + " " + p.currency;
      card.appendChild(el("span", "meta", [p.brand, price].filter(Boolean).join(" · ")));
      var list = el("ul");
      (p.explanation || []).forEach(function (s) {
        var item = el("li");
        cited(item, s, reply);
        list.appendChild(item);
      });
      card.appendChild(list);
      var acts = el("div", "acts");
      [["like", L.like], ["not_interested", L.no]].forEach(function (pair) {
        var b = el("button", "", pair[1]);
        b.type = "button";
        b.addEventListener("click", function () { feedback(p.id, pair[0]); });
        acts.appendChild(b);
      });
      card.appendChild(acts);
      bubble.appendChild(card);
    });
    if (side) showEvidence(reply);
  }

  function feedback(productId, kind) {
    json("POST", "/feedback", { session_id: session.session_id, product_id: productId, kind: kind })
      .then(function (out) { showReply(say("bot", ""), out.reply); })
      .catch(fail(null));
  }

  function showEvidence(reply) {
    side.textContent = "";
    side.appendChild(el("h5", "", L.evidence));
    Object.keys(reply.evidence || {}).forEach(function (cid) {
      var e = reply.evidence[cid];
      var row = el("div", "fact", "[" + cid + "] " + e.text);
      row.dataset.cite = cid;
      side.appendChild(row);
    });
    if ((reply.trace || []).length) {
      side.appendChild(el("h5", "", L.steps));
      var steps = el("ol", "steps");
      reply.trace.forEach(function (step) {
        var args = Object.keys(step.arguments || {}).map(function (k) {
          return k + "=" + JSON.stringify(step.arguments[k]);
        }).join(", ");
        var line = step.tool + "(" + args + ") · " + step.ms.toFixed(1) + " ms" +
          (step.ok ? "" : " · " + step.error);
        var item = el("li", step.ok ? "step" : "step failed", line);
        item.dataset.tool = step.tool;
        steps.appendChild(item);
      });
      side.appendChild(steps);
    }
    showProfile();
  }

  function showProfile() {
    var box = el("div", "profile");
    side.appendChild(box);
    json("GET", "/shoppers/" + encodeURIComponent(session.shopper_id) + "/profile").then(function (p) {
      box.appendChild(el("h5", "", L.profile + ": " + session.shopper_id));
      if (!p.history || !p.history.length) { box.appendChild(el("div", "", L.none)); return; }
      (p.categories || []).concat(p.brands || []).forEach(function (it) {
        var row = el("div", "bar");
        row.appendChild(el("span", "", it.name));
        var fill = el("i");
        fill.style.width = Math.round(it.weight * 100) + "%";
        var track = el("span");
        track.appendChild(fill);
        row.appendChild(track);
        row.appendChild(el("span", "", Math.round(it.weight * 100) + "%"));
        box.appendChild(row);
      });
      if (p.price_band) box.appendChild(el("div", "", p.price_band[0] + " – " + p.price_band[1]));
    }).catch(function () {});
  }
})();
