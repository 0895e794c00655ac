"""The `shopassist` command line: parses flags, builds the settings, runs a command.

This is the composition root: commands receive a `Settings` object and build
the components they need from it. Each command group lives in its own module
with an `add_commands(subparsers)` function; handlers return an exit code.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence

from catalog.errors import InputError, NotFoundError, ShopAssistError
from shopassist import (
    cmd_agent,
    cmd_bench,
    cmd_catalog,
    cmd_recommender,
    cmd_search,
    cmd_serve,
)
from shopassist.settings import Settings, load_settings

EXIT_OK, EXIT_FAILURE, EXIT_BAD_INPUT = 0, 1, 2
COMMAND_GROUPS = (cmd_catalog, cmd_recommender, cmd_search, cmd_agent, cmd_serve, cmd_bench)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="shopassist",
        description="Conversational shopping assistant with grounded, cited recommendations.",
    )
    parser.add_argument("--config", help="TOML settings file (default: shopassist.toml if present)")
    parser.add_argument("--home", help="data directory (default ./data or $SHOPASSIST_HOME)")
    parser.add_argument("--log-level", choices=["debug", "info", "warning", "error"])
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for group in COMMAND_GROUPS:
        group.add_commands(sub)
    return parser


def settings_from_args(args: argparse.Namespace) -> Settings:
    overrides = {"home": args.home, "log_level": args.log_level}
    overrides.update(getattr(args, "settings_overrides", lambda a: {})(args))
    return load_settings(args.config, overrides=overrides)


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        settings = settings_from_args(args)
        logging.basicConfig(
            level=settings.log_level.upper(), format="%(levelname)s %(name)s: %(message)s"
        )
        return int(args.handler(args, settings) or EXIT_OK)
    except (InputError, NotFoundError) as exc:
        print(f"shopassist: error: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except ShopAssistError as exc:
        print(f"shopassist: error: {exc}", file=sys.stderr)
        return EXIT_FAILURE
    except KeyboardInterrupt:
        print("shopassist: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
