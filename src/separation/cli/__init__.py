"""The ``separation`` command. Each command group lives in its own module and registers on ``app``."""

from __future__ import annotations

import sys

from separation.cli import (
    access_commands,
    firewall_commands,
    policy_commands,
    register_commands,
    report_commands,
    scanner_commands,
    schema_commands,
    triage_commands,
)
from separation.cli._app import EXIT_USAGE, app, err_console

__all__ = ["app", "main"]

# Imported for their side effect of registering commands on ``app``.
_COMMAND_MODULES = (
    access_commands,
    firewall_commands,
    triage_commands,
    policy_commands,
    schema_commands,
    register_commands,
    report_commands,
    scanner_commands,
)


def main() -> None:
    """Console-script entry point: never shows a traceback."""
    try:
        app()
    except SystemExit:
        raise
    except KeyboardInterrupt:
        err_console.print("interrupted")
        sys.exit(130)
    except Exception as exc:  # last resort: a type name only, since messages may carry input values
        err_console.print(f"error: unexpected {type(exc).__name__}; please report it")
        sys.exit(EXIT_USAGE if isinstance(exc, ValueError) else 1)
