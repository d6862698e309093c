"""The Typer application and the mapping from the project's errors to exit codes.

The CLI only parses, calls the library and maps errors: 0 success, 1 a check found something,
2 bad input or usage. Tracebacks are never shown (they could carry input values); an unexpected
error prints one line naming its type.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from functools import wraps
from typing import ParamSpec, TypeVar

import typer
from rich.console import Console

from separation.errors import InputError, NotFoundError, PackError, SeparationError

__all__ = ["EXIT_FOUND", "EXIT_OK", "EXIT_USAGE", "app", "err_console", "fail", "guarded", "out_console"]

EXIT_OK = 0
EXIT_FOUND = 1
EXIT_USAGE = 2

app = typer.Typer(
    name="separation",
    help="The separation ordinance as code: decisions, data firewall, oversight.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    pretty_exceptions_show_locals=False,
)
out_console = Console(highlight=False, soft_wrap=False)
err_console = Console(stderr=True, highlight=False)

P = ParamSpec("P")
R = TypeVar("R")


def fail(message: str, code: int = EXIT_USAGE) -> typer.Exit:
    """Print one line to stderr and return the Exit to raise."""
    err_console.print(f"[bold red]error:[/] {message}", markup=True, highlight=False, soft_wrap=True)
    return typer.Exit(code)


def guarded(func: Callable[P, R]) -> Callable[P, R]:
    """Map the project's errors to one-line messages and exit codes."""

    @wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return func(*args, **kwargs)
        except (InputError, PackError, NotFoundError) as exc:
            raise fail(_escape(str(exc))) from None
        except SeparationError as exc:
            raise fail(_escape(str(exc))) from None
        except BrokenPipeError:
            sys.stderr.close()
            raise typer.Exit(EXIT_OK) from None

    return wrapper


def _escape(text: str) -> str:
    return text.replace("[", "\\[")


@app.callback()
def _root() -> None:
    """The separation ordinance as code: decisions, data firewall, oversight."""


@app.command("version")
def version() -> None:
    """Print the package version."""
    from separation import __version__

    out_console.print(__version__)
