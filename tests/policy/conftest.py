from __future__ import annotations

from pathlib import Path

import pytest

from separation.policy import Pack, load_pack

HERE = Path(__file__).parent


@pytest.fixture(scope="session")
def minneapolis() -> Pack:
    return load_pack("minneapolis")


@pytest.fixture(scope="session")
def california() -> Pack:
    return load_pack("california")
