"""Recommender commands: `train` and `evaluate`.

`train` fits a model on a catalog, prints validation/test metrics, stores the
model in the data dir and activates it for the catalog (unless
`--no-activate`); `--model auto` first chooses the model on validation data
and prints the table of candidates, which `evaluate` prints again later.
Under `torchrun --nproc_per_node N -m shopassist train ...
--distributed` each process trains on its shard (DDP). `evaluate` measures a
stored model with full ranking on the catalog's test (or validation) split.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from catalog.store import Store
from recommender import registry
from recommender.data import load_interactions
from recommender.selection import AUTO
from recommender.training import evaluate_model, train_model
from shopassist.settings import Settings

HYPER_FLAGS = {
    "epochs": int,
    "dim": int,
    "layers": int,
    "lr": float,
    "reg": float,
    "batch_size": int,
    "eval_every": int,
    "patience": int,
    "seed": int,
    "neighbors": int,
    "factors": int,
    "iterations": int,
    "alpha": float,
    "beta": float,
    "sharpen_time": float,
}


def add_commands(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "train",
        help="train a recommender on a catalog and make it the active one",
        description="Train a model (" + ", ".join(sorted(registry.MODELS)) + ") on a catalog,"
        " or choose one on validation data with --model auto.",
    )
    p.add_argument("--dataset", required=True, help="catalog name, e.g. demo or gowalla")
    p.add_argument("--model", help="model name or auto (default: settings recommender.model, auto)")
    p.add_argument(
        "--budget",
        type=float,
        help="seconds --model auto may spend fitting candidates (default: settings"
        " recommender.auto_budget_s)",
    )
    for flag, kind in HYPER_FLAGS.items():
        p.add_argument(
            f"--{flag.replace('_', '-')}", type=kind, dest=flag, help=f"hyperparameter {flag}"
        )
    p.add_argument(
        "--device", choices=["auto", "cpu", "cuda"], help="default: settings recommender.device"
    )
    p.add_argument("--resume", action="store_true", help="continue from the last checkpoint")
    p.add_argument(
        "--no-activate", action="store_true", help="store the model but keep the active one"
    )
    p.add_argument(
        "--distributed", action="store_true", help="DDP under torchrun (NCCL on GPU, gloo on CPU)"
    )
    p.add_argument("--json", action="store_true", help="print the metrics as JSON on stdout")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.set_defaults(handler=run_train)

    p = sub.add_parser("evaluate", help="full-ranking metrics of a trained model")
    p.add_argument("--dataset", required=True)
    p.add_argument("--model", help="model name (default: the catalog's active model)")
    p.add_argument("--split", choices=["test", "valid"], default="test")
    p.add_argument("--json", action="store_true", help="print the metrics as JSON on stdout")
    p.set_defaults(handler=run_evaluate)


def run_train(args: argparse.Namespace, settings: Settings) -> int:
    model = args.model or settings.recommender.model
    allowed = {"device"} if model == AUTO else set(registry.model_class(model).defaults)
    hyper: dict[str, Any] = {
        k: getattr(args, k) for k in HYPER_FLAGS if getattr(args, k) is not None
    }
    ignored = sorted(set(hyper) - allowed)
    if ignored:
        print(f"shopassist: note: {model} ignores --{', --'.join(ignored)}", file=sys.stderr)
    hyper = {k: v for k, v in hyper.items() if k in allowed}
    if "device" in allowed:
        hyper["device"] = args.device or settings.recommender.device
    progress = not args.quiet and sys.stderr.isatty()
    with Store(settings.db_path) as store:
        result = train_model(
            store,
            args.dataset,
            settings.home,
            model,
            hyperparameters=hyper,
            activate=not args.no_activate,
            progress=progress,
            resume=args.resume,
            distributed=args.distributed,
            on_epoch=None if args.json else _print_epoch,
            budget_s=args.budget or settings.recommender.auto_budget_s,
            log=None if args.json else _print_note,
        )
    if result.directory is None:  # a non-zero rank of a distributed run
        return 0
    payload = {
        "dataset": args.dataset,
        "model": result.model.name,
        "hyperparameters": result.model.hyper,
        "seconds": result.seconds,
        "directory": str(result.directory),
        "activated": result.activated,
        **result.metrics,
    }
    if args.json:
        print(json.dumps(payload, indent=2))
    else:
        _print_metrics(payload)
    return 0


def run_evaluate(args: argparse.Namespace, settings: Settings) -> int:
    with Store(settings.db_path) as store:
        name = args.model or registry.active_name(settings.home, args.dataset)
        if name is None or name == AUTO:
            name = registry.active_or_explain(settings.home, args.dataset)
        model = registry.load_saved(settings.home, args.dataset, name)
        data = load_interactions(store, args.dataset)
        metrics = evaluate_model(model, data, args.split)
    payload = {"dataset": args.dataset, "model": name, "split": args.split, **metrics}
    selection = model.metrics.get("selection")
    if selection:
        payload["selection"] = selection
    if args.json:
        print(json.dumps(payload, indent=2))
    else:
        _print_metrics(payload)
    return 0


def _print_epoch(record: dict[str, Any]) -> None:
    line = f"epoch {record['epoch']:>3}  loss {record['loss']:.4f}  {record['seconds']:.1f}s"
    if "recall@20" in record:
        line += f"  valid recall@20 {record['recall@20']:.4f} ndcg@20 {record['ndcg@20']:.4f}"
    print(line, file=sys.stderr, flush=True)


def _print_note(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


def _print_metrics(payload: dict[str, Any]) -> None:
    for key, value in payload.items():
        if key == "selection":
            print_selection(value)
        elif isinstance(value, dict):
            shown = {k: v for k, v in value.items() if "@" in k}
            print(f"{key:<16} " + "  ".join(f"{k} {v:.4f}" for k, v in shown.items()))
        elif key != "hyperparameters":
            print(f"{key:<16} {value}")


def print_selection(table: dict[str, Any]) -> None:
    """The candidates `--model auto` tried, as stored with the chosen model."""
    print(
        f"chosen by auto: {table['chosen']} (best validation {table['metric']};"
        f" validation data: {table['validation']}; budget {table['budget_s']:.0f} s,"
        f" took {table['seconds']:.0f} s)"
    )
    print(f"  {'model':<11} {'status':<8} {'NDCG@20':>8} {'Recall@20':>9} {'fit s':>7}  settings")
    for row in table["candidates"]:
        ndcg, recall = row.get("ndcg@20"), row.get("recall@20")
        shown = f"{ndcg:>8.4f} {recall:>9.4f}" if ndcg is not None else f"{'':>8} {'':>9}"
        fit = f"{row['fit_s']:>7.1f}" if "fit_s" in row else f"{'':>7}"
        extra = row.get("note") or ", ".join(f"{k}={v}" for k, v in row["hyperparameters"].items())
        print(f"  {row['model']:<11} {row['status']:<8} {shown} {fit}  {extra}")
