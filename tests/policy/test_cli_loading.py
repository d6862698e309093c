"""The CLI loads only the module of the command it runs; the map of commands stays complete."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import typer

from separation.cli import COMMAND_MODULES, app

ROOT = Path(__file__).resolve().parents[2]


def test_every_registered_command_is_in_the_map() -> None:
    group = typer.main.get_command(app)
    assert isinstance(group, typer.core.TyperGroup)
    assert set(group.commands) == set(COMMAND_MODULES)


def test_triage_does_not_import_the_data_stack() -> None:
    code = (
        "import sys; sys.argv = ['separation', 'triage', 'examples/requests.jsonl', '--json']\n"
        "import separation.cli as c\n"
        "try:\n    c.main()\nexcept SystemExit:\n    pass\n"
        "heavy = [m for m in ('duckdb', 'pyarrow', 'fastapi', 'sqlalchemy') if m in sys.modules]\n"
        "print('heavy:' + ','.join(heavy))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, cwd=ROOT)
    assert out.stdout.splitlines()[-1] == "heavy:"
    assert len(out.stdout.splitlines()) == 7  # the six decisions were printed
