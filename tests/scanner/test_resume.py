"""Interrupting a scan on purpose and re-running with the state file continues where it stopped."""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.scanner.conftest import make_rows, write_csv

from separation.errors import InputError
from separation.scanner import Progress, ScanOptions, Source, SourceReport, scan
from separation.scanner import engine as engine_mod


class Interrupt(Exception):
    pass


class StopAfterSources(Progress):
    def __init__(self, n: int) -> None:
        self.n = n
        self.seen: list[str] = []

    def source_done(self, source: Source, report: SourceReport) -> None:
        self.seen.append(source.name)
        if len(self.seen) == self.n:
            raise Interrupt


class CountBatches(Progress):
    def __init__(self, stop_at: int | None = None) -> None:
        self.batches: list[str] = []
        self.stop_at = stop_at

    def batch(self, source: Source, rows: int, fraction: float) -> None:
        self.batches.append(source.name)
        if self.stop_at is not None and len(self.batches) == self.stop_at:
            raise Interrupt


def _folder(tmp_path: Path, n: int = 5) -> Path:
    root = tmp_path / "store"
    root.mkdir()
    for i in range(n):
        write_csv(root / f"part{i}.csv", make_rows(40))
    return root


def test_resume_after_interruption_between_sources(tmp_path: Path) -> None:
    root = _folder(tmp_path)
    state = tmp_path / "scan.state"
    expected = scan([str(root)]).to_dict()
    hook = StopAfterSources(2)
    with pytest.raises(Interrupt):
        scan([str(root)], progress=hook, state_path=state)
    assert state.exists()
    counter = CountBatches()
    resumed = scan([str(root)], progress=counter, state_path=state).to_dict()
    assert resumed == expected
    assert set(counter.batches) == {
        "part2.csv",
        "part3.csv",
        "part4.csv",
    }  # parts 0 and 1 were not read again


def test_resume_inside_a_source(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(engine_mod, "_CHECKPOINT_SECONDS", -1.0)  # checkpoint after every batch
    root = tmp_path / "one"
    root.mkdir()
    write_csv(root / "big.csv", make_rows(100))
    options = ScanOptions(batch_rows=10)
    expected = scan([str(root)], options).to_dict()
    state = tmp_path / "scan.state"
    with pytest.raises(Interrupt):
        scan([str(root)], options, progress=CountBatches(stop_at=4), state_path=state)
    counter = CountBatches()
    resumed = scan([str(root)], options, progress=counter, state_path=state).to_dict()
    assert resumed == expected
    assert len(counter.batches) == 10 - 4  # the first four batches were classified before the stop


def test_state_of_another_scan_is_refused(tmp_path: Path) -> None:
    root = _folder(tmp_path, 1)
    state = tmp_path / "scan.state"
    scan([str(root)], state_path=state)
    with pytest.raises(InputError, match="different scan"):
        scan([str(root)], ScanOptions(sample=0.5), state_path=state)
    state.write_text("{", encoding="utf-8")
    with pytest.raises(InputError, match="not a readable"):
        scan([str(root)], state_path=state)
