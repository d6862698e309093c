"""The JSON Schema files under schemas/ are exactly what the models generate."""

from __future__ import annotations

from pathlib import Path

from separation.schemas import schema_files

SCHEMAS = Path(__file__).resolve().parents[2] / "schemas"


def test_schema_files_match_the_models() -> None:
    for path, text in schema_files(SCHEMAS).items():
        assert path.exists(), f"{path.name} missing: run `separation schemas --write`"
        assert path.read_text(encoding="utf-8") == text, (
            f"{path.name} drifted: run `separation schemas --write`"
        )
