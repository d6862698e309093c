"""The public shapes as JSON Schema files (``schemas/*.schema.json``), generated from the models.

``separation schemas --write`` regenerates them; a test fails when the files drift from the models.
Other shapes (Finding, scan reports) are added to ``PUBLIC_SHAPES`` as they become public.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from separation.policy.model import Decision, Request

__all__ = ["PUBLIC_SHAPES", "render_schema", "schema_files"]

PUBLIC_SHAPES: dict[str, Callable[[], type[BaseModel]]] = {
    "request": lambda: Request,
    "decision": lambda: Decision,
}


def render_schema(name: str) -> str:
    model = PUBLIC_SHAPES[name]()
    mode: Any = "validation" if name == "request" else "serialization"
    schema = model.model_json_schema(mode=mode)
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = f"https://separation.invalid/schemas/{name}.schema.json"
    return json.dumps(schema, indent=2, sort_keys=True) + "\n"


def schema_files(directory: Path) -> dict[Path, str]:
    """Each schema file's path and the text it must hold."""
    return {directory / f"{name}.schema.json": render_schema(name) for name in PUBLIC_SHAPES}
