"""Conversation commands: `chat` (terminal, streaming) and `ask` (one turn, JSON)."""

from __future__ import annotations

import argparse
import json
import sys

from agent.agent import Reply, new_state, product_text, reply_to_dict
from catalog.store import Store
from shopassist.assistant import build_assistant
from shopassist.settings import Settings

CHAT_HELP = "commands: /why N  /profile  /reset  /quit"


def add_commands(sub: argparse._SubParsersAction) -> None:
    for name, helptext in (
        ("chat", "chat with the assistant in the terminal"),
        ("ask", "answer one message and print the reply"),
    ):
        p = sub.add_parser(name, help=helptext)
        p.add_argument("--dataset", default="demo", help="catalog name (default demo)")
        p.add_argument("--shopper", help="shopper id (new ids are new shoppers)")
        p.add_argument(
            "--llm",
            help="none | default | qwen2.5-coder-0.5b | gemma3-270m | URL of an "
            "OpenAI-compatible server",
        )
        add_planner_flag(p)
        if name == "ask":
            p.add_argument("message")
            p.add_argument("--json", action="store_true", help="print the reply as JSON")
            p.set_defaults(handler=run_ask)
        else:
            p.set_defaults(handler=run_chat)


def add_planner_flag(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--planner",
        choices=["rules", "llm", "auto"],
        help="how messages become tool calls: rules (rules and the router), llm (the "
        "configured model chooses among the tools), auto (llm for an OpenAI-compatible "
        "endpoint, else rules); default from settings ([agent] planner)",
    )
    p.set_defaults(settings_overrides=lambda a: {"agent.planner": a.planner})


def run_ask(args: argparse.Namespace, settings: Settings) -> int:
    with Store(settings.db_path) as store:
        assistant = build_assistant(settings, store, args.dataset, args.llm)
        reply = assistant.agent.turn(new_state(), args.message, args.shopper)
        if args.json:
            out = reply_to_dict(reply)
            out["notes"] = assistant.notes
            print(json.dumps(out, ensure_ascii=False, indent=2, default=str))
        else:
            _print_reply(reply)
            if reply.trace:
                steps = ", ".join(f"{s.tool} {s.ms:.0f} ms" for s in reply.trace)
                print(f"[steps: {steps}]", file=sys.stderr)
    return 0


def run_chat(args: argparse.Namespace, settings: Settings) -> int:
    with Store(settings.db_path) as store:
        assistant = build_assistant(settings, store, args.dataset, args.llm)
        for note in assistant.notes:
            print(f"note: {note}", file=sys.stderr)
        agent, state = assistant.agent, new_state()
        print(f"shopassist on {args.dataset!r}. {CHAT_HELP}")
        while True:
            try:
                line = input("you> ").strip()
            except (EOFError, KeyboardInterrupt):
                print()
                return 0
            if line in ("/quit", "/exit"):
                return 0
            message = _command(line)
            if message is None:
                print(CHAT_HELP)
                continue
            print("assistant> ", end="", flush=True)
            for piece in agent.stream(state, message, args.shopper):
                if isinstance(piece, str):
                    print(piece, end="" if piece.endswith("\n") else "\n", flush=True)


def _command(line: str) -> str | None:
    if not line.startswith("/"):
        return line
    parts = line.split()
    if parts[0] == "/why" and len(parts) == 2 and parts[1].isdigit():
        return f"why number {parts[1]}"
    if parts[0] == "/profile":
        return "my profile"
    if parts[0] == "/reset":
        return "start over"
    return None


def _print_reply(reply: Reply) -> None:
    print(reply.text)
    if reply.answer and reply.evidence:
        cited = dict.fromkeys(c for s in reply.answer for c in s.citations)
        for cid in cited:
            record = reply.evidence.get(cid)
            if record is not None:
                print(f"   [{cid}] {record.text}")
    for n, product in enumerate(reply.products, start=1):
        print(product_text(n, product, reply.language), end="")
