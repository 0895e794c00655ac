"""Load, soak and concurrency-correctness of the real server (`shopassist serve`).

    python -m benchmarks.bench_load [--sessions 50] [--turns 10] [--llm none|default]
                                    [--soak-seconds 0] [--home DIR]

Each simulated shopper is a session of its own, tagged with one product category
(every message of session i is about category C_i) and one shopper id, for which it
holds a signed shopper token (the server runs with a shopper secret of this run). All
sessions run at once, each sending its next message as soon as the previous
reply arrives (no think time: the hardest case). Checked on every reply:

- isolation: every product shown is in the session's own category, and every
  history fact cited is from the session's own shopper (a reply built from
  another session's state or another shopper's history would break one of them);
- errors: anything but 200, or 503 when the bounded queue is full (the client
  waits the Retry-After and retries, up to 5 times; 503s are counted apart). A 429
  (a shopper over the API's rate limits) is an error: the load must stay within them.

Reports turn latency (p50/p95/max of successful turns), throughput, the server's CPU
time per turn, and its resident memory at start and end (and every 30 s of a soak).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import secrets
import statistics
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from benchmarks.common import print_table, write_results
from catalog.store import Store
from ui.process import Server, build_demo
from ui.tokens import sign

RETRIES = 5  # a 503 is retried after its Retry-After (capped at MAX_WAIT seconds)
MAX_WAIT = 60.0
SCRIPT = [
    "{c}",
    "cheaper",
    "the second one",
    "why the first one?",
    "{c} for my mom",
    "not that brand",
    "{c} with good reviews",
    "compare the first two",
    "show me my profile",
    "{c} please",
]


class Connection:
    """A minimal HTTP/1.1 keep-alive client (one per simulated shopper). httpx's async
    client spent about a core on 50 sessions, on the same 2 cores as the server, and its
    own queueing showed up as server latency; this one costs a small fraction of that."""

    def __init__(self, url: str) -> None:
        parsed = urlsplit(url)
        self.host, self.port = parsed.hostname or "127.0.0.1", parsed.port or 80
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def post(
        self, path: str, payload: dict[str, Any], token: str | None = None
    ) -> tuple[int, dict[str, str], bytes]:
        body = json.dumps(payload).encode()
        auth = f"Authorization: Bearer {token}\r\n" if token else ""
        for attempt in range(2):  # a keep-alive connection the server closed: reconnect once
            if self.writer is None:
                self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
            head = (
                f"POST /api/v1{path} HTTP/1.1\r\nHost: {self.host}\r\n{auth}"
                f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
            )
            try:
                self.writer.write(head.encode() + body)
                await self.writer.drain()
                status_line = await self.reader.readline()
                if not status_line:
                    raise ConnectionResetError("closed by the server")
                headers: dict[str, str] = {}
                while (line := await self.reader.readline()) not in (b"\r\n", b"\n", b""):
                    key, _, value = line.decode("latin-1").partition(":")
                    headers[key.strip().lower()] = value.strip()
                data = await self.reader.readexactly(int(headers.get("content-length", "0")))
                return int(status_line.split()[1]), headers, data
            except (ConnectionError, asyncio.IncompleteReadError):
                await self.close()
                if attempt:
                    raise
        raise AssertionError("unreachable")

    async def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            self.writer = None


@dataclass
class Outcome:
    latencies: list[float] = field(default_factory=list)
    by_turn: dict[int, list[float]] = field(default_factory=dict)
    ok: int = 0
    busy: int = 0  # 503 answers (retried)
    refused: int = 0  # turns still refused with 503 after the retries (not errors)
    errors: list[str] = field(default_factory=list)
    rate_limited: int = 0  # 429 answers (also counted in errors)
    violations: list[str] = field(default_factory=list)


def rss_mb(pid: int | None) -> float | None:
    if pid is None:
        return None
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


def cpu_s(pid: int | None) -> float:
    """User + system CPU seconds of a process so far: a server's cost per turn that other
    work on a shared machine disturbs far less than wall-clock latency."""
    if pid is None:
        return 0.0
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def categories(store: Store, catalog: str) -> dict[str, str]:
    """Leaf category -> its name as a shopper would type it, for categories with 10+ products."""
    counts: dict[str, int] = {}
    for p in store.products(catalog):
        counts[p.category] = counts.get(p.category, 0) + 1
    return {c: c.lower() for c, n in sorted(counts.items()) if c and n >= 10}


def check_reply(
    reply: dict[str, Any],
    category: str,
    history: set[str],
    product_category: dict[str, str],
    where: str,
) -> list[str]:
    problems = []
    for p in reply.get("products", []):
        if product_category.get(p["id"]) != category:
            problems.append(
                f"{where}: product {p['id']} ({product_category.get(p['id'])}) "
                f"shown in a {category} session"
            )
    for cid, e in reply.get("evidence", {}).items():
        if e["kind"] == "history" and e.get("product_id") not in history:
            problems.append(f"{where}: history fact {cid} is not this shopper's")
    return problems


async def run_session(
    url: str,
    i: int,
    turns: int,
    category: str,
    typed: str,
    history: set[str],
    product_category: dict[str, str],
    out: Outcome,
    token: str | None,
) -> None:
    conn = Connection(url)
    try:
        status, _, data = await conn.post("/sessions", {"shopper_id": f"u{i + 1:04d}"}, token)
        if status != 201:
            out.rate_limited += status == 429
            out.errors.append(f"session {i}: create -> {status}")
            return
        sid = json.loads(data)["session_id"]
        for t in range(turns):
            text = SCRIPT[t % len(SCRIPT)].format(c=typed)
            for _attempt in range(RETRIES + 1):
                started = time.perf_counter()
                try:
                    status, headers, data = await conn.post(
                        f"/sessions/{sid}/messages", {"text": text}, token
                    )
                except (OSError, asyncio.IncompleteReadError) as exc:
                    out.errors.append(f"session {i} turn {t}: {type(exc).__name__}")
                    return
                if status != 503:
                    break
                out.busy += 1
                await asyncio.sleep(min(MAX_WAIT, float(headers.get("retry-after", "1"))))
            if status == 503:
                out.refused += 1
                continue
            if status != 200:
                out.rate_limited += status == 429
                out.errors.append(f"session {i} turn {t}: HTTP {status} {data[:120]!r}")
                continue
            out.latencies.append(time.perf_counter() - started)
            out.by_turn.setdefault(t, []).append(out.latencies[-1])
            out.ok += 1
            out.violations += check_reply(
                json.loads(data), category, history, product_category, f"session {i} turn {t}"
            )
    finally:
        await conn.close()


async def run_load(
    url: str,
    store: Store,
    catalog: str,
    sessions: int,
    turns: int,
    offset: int = 0,
    secret: str | None = None,
) -> Outcome:
    """`sessions` simulated shoppers at once; with the server's `secret`, each signs
    its own shopper token (as the shop's backend would)."""
    cats = categories(store, catalog)
    names = list(cats)
    product_category = {p.id: p.category for p in store.products(catalog)}
    out = Outcome()
    jobs = []
    for i in range(offset, offset + sessions):
        category = names[i % len(names)]
        shopper = f"u{i + 1:04d}"
        history = {h.product_id for h in store.history(catalog, shopper)}
        token = sign(secret, shopper, 3600) if secret else None
        jobs.append(
            run_session(
                url, i, turns, category, cats[category], history, product_category, out, token
            )
        )
    await asyncio.gather(*jobs)
    return out


def summarise(out: Outcome, seconds: float) -> dict[str, Any]:
    lat = sorted(out.latencies)

    def pct(q: float) -> float | None:
        return round(lat[min(len(lat) - 1, int(q * len(lat)))] * 1000, 1) if lat else None

    return {
        "turns_ok": out.ok,
        "errors": len(out.errors),
        "rate_limited_429": out.rate_limited,
        "busy_503": out.busy,
        "refused": out.refused,
        "isolation_violations": len(out.violations),
        "p50_ms": pct(0.50),
        "p95_ms": pct(0.95),
        "max_ms": round(lat[-1] * 1000, 1) if lat else None,
        "mean_ms": round(statistics.mean(lat) * 1000, 1) if lat else None,
        "turns_per_s": round(out.ok / seconds, 1) if seconds else None,
        "seconds": round(seconds, 1),
    }


def main() -> None:
    global RETRIES, MAX_WAIT
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sessions", type=int, default=50)
    ap.add_argument("--turns", type=int, default=10)
    ap.add_argument("--llm", default="none", help="none | default (the in-process model)")
    ap.add_argument("--soak-seconds", type=float, default=0, help="repeat rounds this long")
    ap.add_argument("--home", type=Path, help="a data dir with the demo shop (default: build one)")
    ap.add_argument("--name", default=None, help="result file name (default load[-llm])")
    ap.add_argument("--retries", type=int, default=RETRIES, help="retries of a 503 per turn")
    ap.add_argument("--max-wait", type=float, default=MAX_WAIT, help="cap on one Retry-After")
    args = ap.parse_args()
    RETRIES, MAX_WAIT = args.retries, args.max_wait

    tmp = None
    home = args.home
    if home is None:
        tmp = tempfile.TemporaryDirectory(prefix="shopassist-load-")
        home = Path(tmp.name)
        print("building the demo shop ...", flush=True)
        build_demo(home)
    secret = secrets.token_urlsafe(32)
    config = f'[server]\nshopper_secret = "{secret}"\n'
    if args.llm != "none":
        config += f'[llm]\nbackend = "llama_cpp"\nmodel = "{args.llm}"\n'
    server = Server(home, config).start(timeout=900)
    rows: list[dict[str, Any]] = []
    memory: list[dict[str, Any]] = []
    try:
        with Store.in_home(home) as store:
            rss_start = rss_mb(server.pid)
            memory.append({"t_s": 0.0, "rss_mb": rss_start})
            began = time.perf_counter()
            round_no = 0
            while True:
                started = time.perf_counter()
                cpu = resource.getrusage(resource.RUSAGE_SELF)
                server_cpu = cpu_s(server.pid)
                out = asyncio.run(
                    run_load(server.url, store, "demo", args.sessions, args.turns,
                             offset=(round_no * args.sessions) % 900, secret=secret)
                )  # fmt: skip
                row = {"round": round_no, "sessions": args.sessions, "turns": args.turns,
                       "llm": args.llm}  # fmt: skip
                row.update(summarise(out, time.perf_counter() - started))
                used = resource.getrusage(resource.RUSAGE_SELF)
                row["client_cpu_s"] = round(
                    used.ru_utime + used.ru_stime - cpu.ru_utime - cpu.ru_stime, 1
                )
                row["server_cpu_ms_per_turn"] = round(
                    (cpu_s(server.pid) - server_cpu) * 1000 / max(out.ok, 1), 2
                )
                row["rss_mb"] = round(rss_mb(server.pid) or 0, 1)
                rows.append(row)
                memory.append(
                    {"t_s": round(time.perf_counter() - began, 1), "rss_mb": row["rss_mb"]}
                )
                row["p95_ms_by_turn"] = [
                    round(sorted(v)[int(0.95 * len(v))] * 1000)
                    for _, v in sorted(out.by_turn.items())
                ]
                for problem in (out.errors + out.violations)[:5]:
                    print("  !", problem)
                print_table([row], list(row))
                round_no += 1
                if time.perf_counter() - began >= args.soak_seconds:
                    break
    finally:
        server.stop()
        if tmp is not None:
            tmp.cleanup()
    total = {
        "rounds": len(rows),
        "turns_ok": sum(r["turns_ok"] for r in rows),
        "errors": sum(r["errors"] for r in rows),
        "rate_limited_429": sum(r["rate_limited_429"] for r in rows),
        "busy_503": sum(r["busy_503"] for r in rows),
        "refused": sum(r["refused"] for r in rows),
        "isolation_violations": sum(r["isolation_violations"] for r in rows),
        "p95_ms_worst_round": max((r["p95_ms"] or 0) for r in rows),
        "rss_start_mb": round(memory[0]["rss_mb"] or 0, 1),
        "rss_end_mb": memory[-1]["rss_mb"],
    }
    print()
    print_table([total], list(total))
    name = args.name or ("load" if args.llm == "none" else f"load-{args.llm}")
    path = write_results(name, rows, total=total, memory=memory)
    print(f"\nwrote {path}")


if __name__ == "__main__":
    main()
