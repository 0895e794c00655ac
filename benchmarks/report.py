"""REPORT.md from the result files: headline figures, one section per suite with
its command, date and status, tables, and plots (learning curves, latency
distributions, hit rate by turn). Every figure is read from a result file; a
suite that did not run in the last `shopassist bench` keeps its earlier
results, shown with their own date."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

from benchmarks.suites import SUITES, load_results

Results = dict[str, dict[str, Any]]
_SKIP_COLUMNS = {"benchmark", "unsupported_examples", "p95_ms_by_turn", "latencies_ms"}


def write_report(directory: Path, status: dict[str, dict[str, Any]] | None = None) -> Path:
    status = status if status is not None else _read_status(directory)
    results = load_results(directory)
    plots = _plots(results, directory)
    lines = ["# Benchmark report", ""]
    lines += _preamble(results, status)
    lines += ["## Headline figures", "", *_headline(results), ""]
    for suite in SUITES:
        lines += _section(suite, results, status.get(suite.name), plots)
    path = directory / "REPORT.md"
    path.write_text("\n".join(lines).rstrip() + "\n", encoding="utf-8")
    return path


def _read_status(directory: Path) -> dict[str, dict[str, Any]]:
    path = directory / "status.json"
    return json.loads(path.read_text()) if path.is_file() else {}


def _preamble(results: Results, status: dict[str, dict[str, Any]]) -> list[str]:
    machines = [r.get("machine") for r in results.values() if r.get("machine")]
    m = max(machines, key=lambda x: len(x)) if machines else {}
    ran = sorted(s["started"] for s in status.values() if s.get("status") == "ok")
    lines = [
        f"Written {time.strftime('%Y-%m-%d %H:%M')} by `shopassist bench` from the JSON files"
        " beside this report.",
    ]
    if ran:
        lines.append(f"Suites of the last run started between {ran[0]} and {ran[-1]}.")
    lines += [
        "",
        "Machine: "
        + ", ".join(
            str(x)
            for x in (
                m.get("cpu_model"),
                m.get("cpus") and f"{m['cpus']} cores",
                m.get("memory_gb") and f"{m['memory_gb']} GB RAM",
                m.get("cuda") or "no GPU",
                m.get("platform"),
                m.get("python") and f"Python {m['python']}",
                m.get("torch") and f"torch {m['torch']}",
            )
            if x
        ),
        "",
        "Each section names the command that produced it and the date of its own run; timings"
        " are only comparable within one table.",
        "",
    ]
    return lines


def _fmt(v: Any) -> str:
    if isinstance(v, float):
        return f"{v:.4f}" if abs(v) < 10 else f"{v:,.1f}"
    if isinstance(v, int):
        return f"{v:,}"
    if isinstance(v, list) and len(v) == 2 and all(isinstance(x, float) for x in v):
        return f"[{v[0]:.3f}, {v[1]:.3f}]"
    return "" if v is None else str(v).replace("|", "/")


def table(rows: list[dict[str, Any]], columns: list[str] | None = None) -> list[str]:
    if not rows:
        return ["(no rows)"]
    if columns is None:
        columns = []
        for r in rows:
            for k, v in r.items():
                if k in _SKIP_COLUMNS or k in columns:
                    continue
                if isinstance(v, dict) or (isinstance(v, list) and len(v) != 2):
                    continue
                columns.append(k)
    out = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    out += ["| " + " | ".join(_fmt(r.get(c)) for c in columns) + " |" for r in rows]
    return out


def _pct(v: float | None) -> str:
    return "–" if v is None else f"{100 * v:.1f} %"


def _ci(lo_hi: list[float]) -> str:
    return f"[{100 * lo_hi[0]:.1f}, {100 * lo_hi[1]:.1f}]"


_SYSTEM_NAMES = {
    "oracle": "facts read from the answer key (a reference)",
    "agent_tokens": "the agent told needs in the catalog's words (a reference)",
    "reader": "every need read right, look-alikes in a random order (a reference)",
}


def _shopper_lines(shoppers: dict[str, Any], name: str, mode: str) -> list[str]:
    """Per data set: the agent's Hit@k (k products shown a turn) against the others',
    questions answered and budget changes followed (needs mode), and the audit."""
    lines = []
    rows = [r for r in shoppers["rows"] if r["language"] == "all"]
    for dataset in dict.fromkeys(r["dataset"] for r in rows):
        by = {r["system"]: r for r in rows if r["dataset"] == dataset}
        agent = by.get("agent")
        if agent is None:
            continue
        k = agent.get("k", 5)
        others = ", ".join(
            f"{_SYSTEM_NAMES.get(system, system)} {_pct(by[system][f'hit{k}'])}"
            for system in ("recommender", "search", "oracle", "reader", "agent_tokens")
            if system in by
        )
        extra = ""
        if agent.get("questions"):
            extra += (
                f"; questions answered from the record {_pct(agent['questions_correct'])}"
                f" of {agent['questions']}"
            )
        if agent.get("changes"):
            extra += (
                f"; budget changes followed {_pct(agent['changes_respected'])}"
                f" of {agent['changes']}"
            )
        lines.append(
            f"| simulated shoppers ({mode}), {dataset} | agent Hit@{k} within"
            f" {shoppers['turns']} turns {_pct(agent[f'hit{k}'])} {_ci(agent[f'hit{k}_ci'])},"
            f" Hit@1 {_pct(agent['hit1'])}, {agent['turns_to_success']:.2f} turns; {others}"
            f"{extra} ({agent['episodes']} episodes) | {name} |"
        )
    audit = shoppers.get("audit", {})
    lines.append(
        f"| faithfulness audit ({mode}) | {audit.get('failed', '?')} of"
        f" {audit.get('sentences', '?')} shown sentences fail the checks"
        f" ({audit.get('explanations', '?')} explanations); request claims"
        f" {audit.get('request_failed', '?')} failing of {audit.get('request_claims', '?')}"
        f" | {name} |"
    )
    return lines


def _headline(results: Results) -> list[str]:
    lines = ["| area | figure | source |", "|---|---|---|"]
    for name, label in (("shoppers", "needs"), ("shoppers_literal", "literal")):
        shoppers = results.get(name)
        if shoppers:
            lines += _shopper_lines(shoppers, name, shoppers.get("mode", label))
    g = results.get("lightgcn_gowalla_cpu")
    if g and g["rows"]:
        last = g["rows"][-1]
        lines.append(
            f"| LightGCN, Gowalla, paper settings | Recall@20 {last['recall@20']:.4f},"
            f" NDCG@20 {last['ndcg@20']:.4f} after {last['epoch']} epochs (paper, converged:"
            " 0.1824 / 0.1547) | lightgcn_gowalla |"
        )
    t = results.get("lightgcn_gowalla_time_to_quality")
    if t and t["rows"]:
        hit = next((r for r in t["rows"] if r["recall@20"] >= 0.15), None)
        figure = (
            f"Recall@20 {hit['recall@20']:.4f} after {hit['wall_seconds']:.0f} s"
            f" ({hit['epoch']} epochs)"
            if hit
            else f"not reached: {t['rows'][-1]['recall@20']:.4f} after"
            f" {t['rows'][-1]['wall_seconds']:.0f} s"
        )
        lines.append(f"| time to Recall@20 0.15 on CPU | {figure} | time_to_quality |")
    lines += _recommender_headlines(results)
    lines += _gpu_headlines(results)
    p = results.get("lightgcn_peers")
    if p:
        rows = {r["implementation"]: r for r in p["rows"] if r.get("run", 0) == _last_run(p)}
        if "ours" in rows:
            ours = rows["ours"]
            epoch = ours["epoch_seconds_est"]
            vs = ", ".join(
                f"{name} {r['epoch_seconds_est']:.0f} s ({r['epoch_seconds_est'] / epoch:.1f}x)"
                for name, r in rows.items()
                if name != "ours"
            )
            lines.append(
                f"| LightGCN epoch on Gowalla, batch 2048 | ours {epoch:.0f} s, full evaluation"
                f" {ours['eval_seconds']:.1f} s, peak RSS {ours['peak_rss_mb']:,.0f} MB;"
                f" {vs} | peers |"
            )
    s = results.get("search_quality")
    if s:
        best = {r["method"]: r for r in s["rows"] if r.get("embedder") == s["rows"][0]["embedder"]}
        lines.append(
            "| next-item search, Industrial & Scientific | HitRate@10 "
            + ", ".join(f"{m} {r['HitRate@10']:.4f}" for m, r in best.items())
            + " | search_quality |"
        )
    for name, label, suite in (
        ("agent_latency_none", "templates", "agent_latency"),
        ("agent_latency_default", "packaged LLM", "agent_latency_llm"),
    ):
        rows = results.get(name, {}).get("rows") or [{}]
        r = rows[0]
        if "p95_ms" not in r:
            continue
        written = (
            f", first sentence p50 {r['first_sentence_p50_ms']:.0f} ms, {r['model_shown']} of"
            f" {r['sentences_shown']} sentences model-written"
            if r.get("model_written")
            else ""
        )
        lines.append(
            f"| chat turn, 3 explained products, {label} | p50 {r['p50_ms']:.1f} ms,"
            f" p95 {r['p95_ms']:.1f} ms{written} | {suite} |"
        )
    load = results.get("load")
    if load and load["rows"]:
        r = load["rows"][0]
        lines.append(
            f"| HTTP API, {r['sessions']} concurrent shoppers | p95 {r['p95_ms']:.0f} ms per turn,"
            f" {r['errors']} errors | load |"
        )
    inj = results.get("injection")
    if inj:
        tot = inj.get("total", {})
        lines.append(
            f"| prompt injection | {tot.get('succeeded')} of {tot.get('attacks')} attacks"
            " followed | injection |"
        )
    rc = results.get("request_claims")
    if rc and rc["rows"] and rc["rows"][0].get("precision") is not None:
        r = rc["rows"][0]
        lines.append(
            f'| request claims ("You asked for ..."), {r["labelled"]} labelled, {r["part"]} part'
            f" | precision {_pct(r['precision'])} of {r['shown']} shown, coverage"
            f" {_pct(r['coverage'])}, threshold {rc.get('threshold')} | request_claims |"
        )
    x = results.get("xrec_explanations")
    if x and len(x["rows"]) >= 2:
        ours, xrec = x["rows"][0], x["rows"][1]
        lines.append(
            f"| explanations vs XRec (3,000 pairs) | similarity ours {ours['cosine']:.3f} vs"
            f" XRec {xrec['cosine']:.3f}; USR {ours['usr']:.2f} vs {xrec['usr']:.2f} | xrec |"
        )
    return lines


def _recommender_headlines(results: Results) -> list[str]:
    """The graph filters on Gowalla, their serving latency, and auto's choices."""
    lines = []
    gf = results.get("graph_filters_gowalla")
    rows = [r for r in (gf or {}).get("rows", []) if r.get("ndcg@20") is not None]
    if rows:
        top = max(rows, key=lambda r: r["ndcg@20"])
        lines.append(
            f"| Gowalla on 2 CPU cores, best model | {top['model']} ({top['settings']}):"
            f" Recall@20 {top['recall@20']:.4f}, NDCG@20 {top['ndcg@20']:.4f}, fit"
            f" {top['fit_seconds']:.0f} s, peak RSS {top['peak_rss_mb']:,.0f} MB (LightGCN"
            " paper, GPU: 0.1824 / 0.1547) | graph_filters_gowalla |"
        )
        served = [r for r in rows if r.get("p99_ms_filtered") is not None]
        if served:
            text = ", ".join(
                f"{r['model']} p99 {r['p99_ms_filtered']:.2f} ms"
                f" (CPU {r['cpu_p99_ms_filtered']:.2f})"
                for r in served
            )
            lines.append(
                f"| recommend with filters, Gowalla (40,981 items) | {text}"
                " | graph_filters_gowalla |"
            )
    auto: dict[str, Any] = {}
    for name in ACCURACY_RUNS:  # the run of all sets, and the sets run on their own after it
        auto.update((results.get(name) or {}).get("auto") or {})
    if auto:
        text = "; ".join(
            f"{d}: {a['chosen']}"
            + (" = best" if a["gap"] <= 0 else f", {100 * a['gap']:.1f} % below {a['best']}")
            for d, a in auto.items()
        )
        lines.append(
            f"| auto's choice against the best model on test NDCG@20 | {text}"
            " | recommender_accuracy |"
        )
    return lines


def _gpu_headlines(results: Results) -> list[str]:
    """The GPU check and the LightGCN run on a GPU, where one was lent."""
    lines = []
    check = results.get("gpu_check")
    if check and check.get("device") != "cpu":
        gpu = check.get("machine", {}).get("cuda") or check["device"]
        text = ", ".join(f"{name} {c['status']}" for name, c in check["checks"].items())
        gf = check["checks"].get("graph_filters", {})
        fits = "; ".join(
            f"{m} fit {gf[m]['fit_seconds']:.1f} s, Recall@20 {gf[m]['recall@20']:.4f}"
            for m in ("gfcf", "bspm")
            if m in gf
        )
        lines.append(f"| GPU check, {gpu}, {check['dataset']} | {text}; {fits} | gpu_check |")
    g = results.get("lightgcn_gowalla_gpu")
    evals = [r for r in (g or {}).get("rows", []) if r.get("recall@20") is not None]
    if evals:
        best, last = max(evals, key=lambda r: r["ndcg@20"]), g["rows"][-1]
        epoch = g["summary"]["median_epoch_seconds"]
        lines.append(
            f"| LightGCN, Gowalla, paper settings, {g['machine'].get('cuda', 'GPU')} |"
            f" best Recall@20 {best['recall@20']:.4f}, NDCG@20 {best['ndcg@20']:.4f} at"
            f" epoch {best['epoch']} of {last['epoch']}, {last['wall_seconds']:.0f} s of"
            f" training ({epoch:.2f} s an epoch) | lightgcn_gowalla_gpu |"
        )
    return lines


ACCURACY_RUNS = (
    "recommender_accuracy", "recommender_accuracy_more", "recommender_accuracy_industrial",
)  # fmt: skip


def _last_run(p: dict[str, Any]) -> int:
    return max((r.get("run", 0) for r in p["rows"]), default=0)


def _section(suite, results: Results, status: dict[str, Any] | None, plots) -> list[str]:
    present = [results[n] for n in suite.results if n in results]
    lines = [f"## {suite.title}", ""]
    cmd = " ".join(["python -m benchmarks." + suite.module, *suite.args])
    lines.append(f"Suite `{suite.name}` (`shopassist bench {suite.name}`): `{cmd}`.")
    if status:
        note = status["status"]
        if status.get("reason"):
            note += f" ({status['reason']})"
        if status.get("seconds") is not None:
            note += f" in {status['seconds']} s"
        lines.append(
            f"Last `shopassist bench` run of this suite: {note}, started {status['started']}."
        )
    lines.append("")
    if not present:
        return [*lines, "No results yet.", ""]
    for data in present:
        lines.append(f"Results from {data.get('date', '?')} (`{data['benchmark']}.json`):")
        lines.append("")
        lines += table(data["rows"])
        lines.append("")
        for extra in ("summary", "total", "audit"):
            if isinstance(data.get(extra), dict):
                flat = {k: v for k, v in data[extra].items() if not isinstance(v, list | dict)}
                lines += [f"{extra}: " + ", ".join(f"{k} {_fmt(v)}" for k, v in flat.items()), ""]
        for png in plots.get(data["benchmark"], []):
            lines += [f"![{data['benchmark']}]({png})", ""]
    if suite.name == "shoppers":
        lines += _samples(results.get("shoppers", {}))
    return lines


def _samples(data: dict[str, Any]) -> list[str]:
    sample = data.get("explanation_sample") or []
    if not sample:
        return []
    lines = [
        f"### {len(sample)} explanations shown in these episodes, for a human to read",
        "",
        "Drawn at random (seeded) from every explanation the agent showed; each sentence is"
        " followed by the evidence records it cites.",
        "",
    ]
    for i, e in enumerate(sample, 1):
        lines.append(f"{i}. **{e['title'][:90]}** ({e['dataset']}, {e['language']}; shopper said:"
                     f" \"{e['message'][:80]}\")")  # fmt: skip
        for s in e["sentences"]:
            lines.append(f"   - {s}")
        for cid, text in e["evidence"].items():
            lines.append(f"     - `[{cid}]` {str(text)[:140]}")
    lines.append("")
    return lines


def _plots(results: Results, directory: Path) -> dict[str, list[str]]:
    """Plot files per result name (made here when the suite did not write one)."""
    out: dict[str, list[str]] = {}
    for name in results:
        png = directory / f"{name}.png"
        if png.is_file():
            out.setdefault(name, []).append(png.name)
    lat = _latency_plot(results, directory)
    if lat:
        out.setdefault("agent_latency_none", []).append(lat)
    return out


def _latency_plot(results: Results, directory: Path) -> str | None:
    """Latency distributions: the agent's turn times, and percentiles across the stack."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    samples = next(
        (r.get("latencies_ms") for r in results.get("agent_latency_none", {}).get("rows", [])),
        None,
    )
    bars: list[tuple[str, float, float]] = []
    lat = results.get("agent_latency_none", {}).get("rows", [])
    if lat:
        bars.append(("chat turn (agent)", lat[0]["p50_ms"], lat[0]["p95_ms"]))
    load = results.get("load", {}).get("rows", [])
    if load:
        bars.append(("HTTP turn, 50 shoppers", load[0]["p50_ms"], load[0]["p95_ms"]))
    serving = results.get("lightgcn_gowalla_serving", {}).get("summary", {}).get("serving")
    if serving:
        bars.append(("recommend, 41k items", serving["p50_ms"], serving["p99_ms"]))
    if not bars and not samples:
        return None
    fig, axes = plt.subplots(1, 2, figsize=(10, 3.4))
    if samples:
        axes[0].hist(samples, bins=40, color="#4c72b0")
        axes[0].set_xlabel("chat turn latency (ms)")
        axes[0].set_ylabel("turns")
        axes[0].set_title("agent turn, templates")
    else:
        axes[0].axis("off")
    names = [b[0] for b in bars]
    xs = range(len(bars))
    axes[1].barh([x + 0.2 for x in xs], [b[1] for b in bars], height=0.4, label="p50")
    axes[1].barh([x - 0.2 for x in xs], [b[2] for b in bars], height=0.4, label="p95 / p99")
    axes[1].set_yticks(list(xs), names)
    axes[1].set_xscale("log")
    axes[1].set_xlabel("ms (log)")
    axes[1].legend(fontsize=8)
    fig.tight_layout()
    name = "latency_distribution.png"
    fig.savefig(directory / name, dpi=110)
    plt.close(fig)
    return name
