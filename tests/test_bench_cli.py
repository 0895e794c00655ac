"""`shopassist bench`: suite selection, the report writer and the quick-mode floors.
(The suites themselves run for real in CI through `make bench-quick`.)"""

from __future__ import annotations

import json

from benchmarks.bench_shoppers import Episode, Outcome, _row
from benchmarks.report import write_report
from benchmarks.suites import BY_NAME, SUITES
from shopassist.cli import main


def _shoppers_json(directory, hit_turns: list[int | None], failed: int = 0) -> None:
    outcomes = [
        (Episode(f"u{i}", f"p{i}", "en", i), Outcome(t, t if i % 2 else None, 5, []))
        for i, t in enumerate(hit_turns)
    ]
    rows = [_row("demo", system, outcomes, 5, 1.0, k=3) for system in ("recommender", "agent")]
    rows.append(_row("gift_cards", "agent", outcomes, 5, 1.0, k=3))
    payload = {
        "benchmark": "shoppers",
        "date": "2026-01-01 00:00:00",
        "machine": {"cpus": 2, "cpu_model": "test cpu"},
        "rows": rows,
        "turns": 5,
        "mode": "needs",
        "audit": {"explanations": 10, "sentences": 30, "failed": failed},
        "explanation_sample": [
            {
                "dataset": "demo",
                "language": "en",
                "message": "headphones",
                "product": "p1",
                "title": "Some headphones",
                "sentences": ["It costs 10 USD. [P1]"],
                "evidence": {"P1": "price 10"},
            }
        ],
    }
    (directory / "shoppers.json").write_text(json.dumps(payload))


def test_unknown_suite_is_a_clear_error(capsys):
    assert main(["bench", "no-such-suite"]) == 2
    err = capsys.readouterr().err
    assert "unknown suite 'no-such-suite'" in err and "shoppers" in err


def test_list_names_every_suite(capsys):
    assert main(["bench", "list"]) == 0
    out = capsys.readouterr().out
    assert all(s.name in out for s in SUITES)


def test_report_has_headline_rows_sections_and_the_sample(tmp_path):
    _shoppers_json(tmp_path, [1, 2, None, 3])
    report = write_report(tmp_path).read_text()
    assert "| simulated shoppers (needs), demo | agent Hit@3 within 5 turns 75.0 %" in report
    assert "0 of 30 shown sentences fail" in report
    assert "Machine: test cpu, 2 cores" in report
    assert "1. **Some headphones**" in report and "`[P1]` price 10" in report
    # Suites without results are listed, not invented.
    assert report.count("No results yet.") == len(SUITES) - 1


def test_quick_floors_catch_a_broken_pipeline(tmp_path):
    from benchmarks.suites import load_results

    floors = BY_NAME["shoppers"].floors
    _shoppers_json(tmp_path, [1, 2, 3, 1])
    assert floors(load_results(tmp_path)) == []
    _shoppers_json(tmp_path, [None, None, None, 2])  # Hit@3 25 %: below both floors
    problems = floors(load_results(tmp_path))
    assert any("demo agent Hit@3" in p for p in problems)
    assert any("gift_cards agent Hit@3" in p for p in problems)
    _shoppers_json(tmp_path, [1, 2, 3, 1], failed=2)
    assert any("faithfulness" in p for p in floors(load_results(tmp_path)))


def _write(directory, name: str, rows: list[dict], **extra) -> None:
    payload = {"benchmark": name, "date": "2026-01-01 00:00:00", "rows": rows, **extra}
    (directory / f"{name}.json").write_text(json.dumps(payload))


def test_recommender_headlines_and_the_graph_filter_floors(tmp_path):
    from benchmarks.suites import GFCF_GOWALLA_FLOORS, load_results

    row = {"model": "bspm", "settings": "validation grid", "recall@20": 0.1931,
           "ndcg@20": 0.1612, "fit_seconds": 210.0, "peak_rss_mb": 2100.0,
           "p99_ms_filtered": 1.5, "cpu_p99_ms_filtered": 1.2}  # fmt: skip
    _write(tmp_path, "graph_filters_gowalla", [row, {**row, "model": "als", "ndcg@20": 0.13}])
    auto = {
        "demo": {"chosen": "gfcf", "gap": 0.0, "best": "gfcf"},
        "beauty": {"chosen": "bspm", "gap": 0.012, "best": "gfcf"},
    }
    _write(tmp_path, "recommender_accuracy", [], auto=auto)
    report = write_report(tmp_path).read_text()
    assert (
        "| Gowalla on 2 CPU cores, best model | bspm (validation grid): Recall@20 0.1931" in report
    )
    assert "bspm p99 1.50 ms (CPU 1.20)" in report and "als p99 1.50 ms" in report
    assert "demo: gfcf = best; beauty: bspm, 1.2 % below gfcf" in report

    floors = BY_NAME["graph_filters_gowalla"].floors
    _write(tmp_path, "graph_filters_gowalla_quick", [{"model": "gfcf", **GFCF_GOWALLA_FLOORS}])
    assert floors(load_results(tmp_path)) == []
    _write(tmp_path, "graph_filters_gowalla_quick", [{"model": "gfcf", "recall@20": 0.12}])
    problems = floors(load_results(tmp_path))
    assert any("recall@20 = 0.12 is below" in p for p in problems)
    assert any("ndcg@20 = None" in p for p in problems)


def test_a_quick_run_without_the_data_fails_where_data_is_required(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("SHOPASSIST_SHARED_DATA", str(tmp_path / "no-data"))
    monkeypatch.delenv("SHOPASSIST_REQUIRE_DATA", raising=False)
    out = tmp_path / "results"
    # Elsewhere a suite without its data is skipped, with the reason.
    assert main(["bench", "shoppers", "--quick", "--out", str(out)]) == 0
    assert f"[shoppers] skipped: no data at {tmp_path / 'no-data'}" in capsys.readouterr().out
    monkeypatch.setenv("SHOPASSIST_REQUIRE_DATA", "1")
    assert main(["bench", "shoppers", "--quick", "--out", str(out)]) == 1
    assert "shoppers: skipped (no data at" in capsys.readouterr().err


def test_a_stale_result_file_meets_no_floor(tmp_path, monkeypatch, capsys):
    import os

    import benchmarks.suites as suites

    _shoppers_json(tmp_path, [1, 2, 3, 1])  # a good result from an earlier run
    os.utime(tmp_path / "shoppers.json", (1e9, 1e9))
    ok = {"suite": "shoppers", "status": "ok", "seconds": 1.0, "started": "2026-01-01"}
    monkeypatch.setattr(suites, "run_suite", lambda *a: ok)  # a suite that writes nothing
    assert main(["bench", "shoppers", "--quick", "--out", str(tmp_path)]) == 1
    assert "demo agent Hit@5 = None is below the floor" in capsys.readouterr().err


def test_each_quick_run_gets_a_fresh_results_folder(monkeypatch, capsys):
    import benchmarks.suites as suites

    skipped = {"suite": "planner", "status": "skipped", "reason": "test", "started": "now"}
    monkeypatch.setattr(suites, "run_suite", lambda *a: skipped)
    monkeypatch.delenv("SHOPASSIST_REQUIRE_DATA", raising=False)  # CI sets it
    folders = []
    for _ in range(2):
        assert main(["bench", "planner", "--quick"]) == 0
        folders.append(capsys.readouterr().out.split("wrote ")[-1].split("/REPORT.md")[0])
    assert folders[0] != folders[1]


# The quick run's measured figures (benchmarks/suites.py writes them beside the floors).
MEASURED = {
    "planner": [{"slot_accuracy": 155 / 156, "intent_accuracy": 1.0}],
    "routing": [
        {"planner": "rules", "tool_accuracy": 0.8731, "argument_accuracy": 0.9202,
         "no_tool_wrongly_routed": 0.1139}
    ],
    "qa": [{"catalogs": "all", "answerable_cited_gold": 102 / 152,
            "not_answerable_said_so": 78 / 103, "reviews_cited_gold": 28 / 53,
            "yes_no_right": 8 / 72, "yes_no_wrong": 0,
            "unsupported_sentences": 0, "false_silences": 0}],
    "recommender_accuracy": [{"model": "popularity", "recall@20": 0.047027},
                             {"model": "itemknn", "recall@20": 0.089908}],
    "lightgcn_gowalla_quick": [{"epoch": 1, "recall@20": 0.003304}],
    "graph_filters_gowalla_quick": [{"model": "gfcf", "recall@20": 0.186676, "ndcg@20": 0.153482}],
    "request_claims": [{"precision": 309 / 378, "coverage": 233 / 276, "unlabelled_shown": 0}],
}  # fmt: skip


def test_every_floor_holds_on_the_measured_figures_and_not_one_step_below(tmp_path):
    from benchmarks.suites import load_results

    for name, rows in MEASURED.items():
        _write(tmp_path, name, rows)
    _write(tmp_path, "injection", [], total={"attacks": 88, "succeeded": 0})
    _shoppers_json(tmp_path, [1] * 60)
    for suite in SUITES:
        if suite.floors is not None:
            assert suite.floors(load_results(tmp_path)) == [], suite.name
    # One row, message, question or user fewer than measured fails the deterministic floors.
    below = {
        ("planner", "slot_accuracy"): 154 / 156,
        ("routing", "tool_accuracy"): 467 / 536,
        ("routing", "argument_accuracy"): 299 / 326,
        ("qa", "not_answerable_said_so"): 77 / 103,
        ("qa", "reviews_cited_gold"): 27 / 53,
        ("qa", "answerable_cited_gold"): 101 / 152,
        ("qa", "yes_no_right"): 7 / 72,
        ("recommender_accuracy", "recall@20"): 0.089908 - 1 / 8442,
        ("request_claims", "precision"): 308 / 378,
        ("request_claims", "coverage"): 232 / 276,
    }
    for (name, key), value in below.items():
        rows = [dict(r) for r in MEASURED[name]]
        rows[-1][key] = value
        _write(tmp_path, name, rows)
        assert BY_NAME[name].floors(load_results(tmp_path)), (name, key)
        _write(tmp_path, name, MEASURED[name])
    _write(tmp_path, "routing", [{**MEASURED["routing"][0], "no_tool_wrongly_routed": 10 / 79}])
    assert BY_NAME["routing"].floors(load_results(tmp_path))
    _write(tmp_path, "qa", [{**MEASURED["qa"][0], "false_silences": 1}])
    assert BY_NAME["qa"].floors(load_results(tmp_path)) == ["questions: 1 false silences"]
    _write(tmp_path, "qa", [{**MEASURED["qa"][0], "yes_no_wrong": 1}])
    assert BY_NAME["qa"].floors(load_results(tmp_path)) == ["questions: 1 wrong yes or no"]
    _write(tmp_path, "qa", MEASURED["qa"])
    _write(tmp_path, "injection", [], total={"attacks": 6, "succeeded": 0})
    assert BY_NAME["injection"].floors(load_results(tmp_path)) == [
        "6 injection attacks ran, not 88"
    ]
    _shoppers_json(tmp_path, [1] * 30 + [None] * 30)  # 30 of 60: below the demo floor
    assert any("demo agent Hit@3" in p for p in BY_NAME["shoppers"].floors(load_results(tmp_path)))
