"""`shopassist serve`: the web UI, the widget and the HTTP API in one process."""

from __future__ import annotations

import argparse
import sys

from catalog.store import Store
from shopassist.cmd_agent import add_planner_flag
from shopassist.settings import Settings


def add_commands(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("serve", help="serve the web UI, widget and HTTP API")
    p.add_argument("--dataset", default="demo", help="catalog name (default demo)")
    p.add_argument("--host", help="address to listen on (default 127.0.0.1)")
    p.add_argument("--port", type=int, help="port (default 7860)")
    p.add_argument(
        "--llm",
        help="none | default | qwen2.5-coder-0.5b | gemma3-270m | URL of an "
        "OpenAI-compatible server",
    )
    p.add_argument("--no-ui", action="store_true", help="the HTTP API and widget only")
    add_planner_flag(p)
    p.set_defaults(handler=run_serve, settings_overrides=_overrides)


def _overrides(args: argparse.Namespace) -> dict:
    return {"server.host": args.host, "server.port": args.port, "agent.planner": args.planner}


def run_serve(args: argparse.Namespace, settings: Settings) -> int:
    import uvicorn

    from ui.app import create_app

    store = Store(settings.db_path)
    try:
        app, service = create_app(settings, store, args.dataset, args.llm, ui=not args.no_ui)
        for note in service.assistant.notes:
            print(f"note: {note}", file=sys.stderr)
        host, port = settings.server.host, settings.server.port
        shown = "127.0.0.1" if host in ("0.0.0.0", "::") else host
        url = f"http://{shown}:{port}/"
        print(f"ShopAssist on {args.dataset!r}: open {url}", flush=True)
        print(f"  API docs {url}api/v1/docs   widget {url}widget.js", flush=True)
        # Access logs carry shopper ids in their paths: only when debugging.
        debug = settings.log_level == "debug"
        uvicorn.run(
            app, host=host, port=port, log_level=settings.log_level, access_log=debug,
            timeout_keep_alive=30,  # idle widget and API clients reuse their connections
        )  # fmt: skip
    finally:
        store.close()
    return 0
