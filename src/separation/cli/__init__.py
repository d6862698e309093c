"""The ``separation`` command. Each command group lives in its own module and registers on ``app``.

A command only imports what it needs: ``main`` loads the one module that defines the command named
on the command line (so ``separation triage`` does not pay for DuckDB, Arrow or the web stack), and
everything for ``--help`` or anything it does not know. ``from separation.cli import app`` loads
every command (tests and embedding callers get the whole application).
"""

from __future__ import annotations

import importlib
import sys
from typing import Any

from separation.cli import _app
from separation.cli._app import EXIT_USAGE, err_console

__all__ = ["COMMAND_MODULES", "app", "load_commands", "main"]

# Which module registers each top-level command or command group (a test keeps this complete).
COMMAND_MODULES: dict[str, str] = {
    "triage": "triage_commands",
    "policy": "policy_commands",
    "schemas": "schema_commands",
    "detect": "firewall_commands",
    "redact": "firewall_commands",
    "lint": "firewall_commands",
    "eval": "firewall_commands",
    "scan": "scanner_commands",
    "clean": "scanner_commands",
    "access": "access_commands",
    "serve": "register_commands",
    "token": "register_commands",
    "ledger": "register_commands",
    "db": "register_commands",
    "report": "report_commands",
    "version": "",  # defined with the application itself
}


def load_commands(names: list[str] | None = None) -> None:
    """Import the modules that register ``names`` (every command when None)."""
    wanted = COMMAND_MODULES.values() if names is None else (COMMAND_MODULES[n] for n in names)
    for module in sorted({m for m in wanted if m}):
        importlib.import_module(f"separation.cli.{module}")


def __getattr__(name: str) -> Any:
    if name == "app":
        load_commands()
        return _app.app
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def main() -> None:
    """Console-script entry point: never shows a traceback."""
    try:
        command = next((arg for arg in sys.argv[1:] if not arg.startswith("-")), None)
        load_commands([command] if command in COMMAND_MODULES else None)
        _app.app()
    except SystemExit:
        raise
    except KeyboardInterrupt:
        err_console.print("interrupted")
        sys.exit(130)
    except Exception as exc:  # last resort: a type name only, since messages may carry input values
        err_console.print(f"error: unexpected {type(exc).__name__}; please report it")
        sys.exit(EXIT_USAGE if isinstance(exc, ValueError) else 1)
