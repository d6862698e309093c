"""``separation detect | redact | eval`` on the command line: order, formats, bad input."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from separation.cli import app

runner = CliRunner()
LINES = [
    {"id": "a", "text": "He is undocumented."},
    {"id": 2, "text": "Put ice on the sidewalk."},
    {"id": None, "text": "¿Cuál es su estatus migratorio?"},
]


def _jsonl(rows: list[dict[str, object]]) -> str:
    return "".join(json.dumps(r) + "\n" for r in rows)


def test_detect_keeps_order_and_ids() -> None:
    result = runner.invoke(app, ["detect", "-"], input=_jsonl(LINES))
    assert result.exit_code == 0, result.stderr
    out = [json.loads(line) for line in result.stdout.splitlines()]
    assert [o["id"] for o in out] == ["a", 2, None]
    assert out[0]["findings"][0] == {
        "start": 6,
        "end": 18,
        "kind": "status",
        "score": out[0]["findings"][0]["score"],
        "rule": "en.status.undocumented",
        "language": "en",
    }
    assert out[1]["findings"] == []
    assert out[2]["findings"][0]["kind"] == "question"


def test_redact_text_and_json(tmp_path: Path) -> None:
    path = tmp_path / "in.jsonl"
    path.write_text(_jsonl(LINES), encoding="utf-8")
    result = runner.invoke(app, ["redact", str(path)])
    assert result.stdout.splitlines()[0] == "He is [REDACTED]."
    result = runner.invoke(app, ["redact", "--json", str(path)])
    first = json.loads(result.stdout.splitlines()[0])
    assert first["log"] == {"total": 1, "by_kind": {"status": 1}, "by_rule": {"en.status.undocumented": 1}}


def test_redact_keeps_one_output_line_per_record() -> None:
    rows = _jsonl(
        [
            {"id": 1, "text": "Line one.\nShe is undocumented.\r\nPath C:\\temp"},
            {"id": 2, "text": "plain"},
        ]
    )
    result = runner.invoke(app, ["redact", "-"], input=rows)
    assert result.exit_code == 0
    lines = result.stdout.split("\n")
    assert lines[:2] == ["Line one.\\nShe is [REDACTED].\\r\\nPath C:\\\\temp", "plain"]
    assert lines[2:] == [""]


def test_redact_hash_needs_key_env(monkeypatch: object) -> None:
    rows = _jsonl([{"id": 1, "text": "A# A213456789"}])
    assert runner.invoke(app, ["redact", "--operator", "hash", "-"], input=rows).exit_code == 2
    result = runner.invoke(
        app,
        ["redact", "--operator", "hash", "--key-env", "FW_KEY", "-"],
        input=rows,
        env={"FW_KEY": "s3cret"},
    )
    assert result.exit_code == 0 and "ID-" in result.stdout


def test_bad_input_is_one_line_and_exit_2(tmp_path: Path) -> None:
    cases = {
        "utf8": b'{"id":1,"text":"\xff"}\n',
        "nul": b'{"id":1,"text":"a"}\x00\n',
        "json": b"not json\n",
        "text": b'{"id":1,"text":5}\n',
        "array": b"[1,2]\n",
    }
    for name, data in cases.items():
        path = tmp_path / f"{name}.jsonl"
        path.write_bytes(data)
        result = runner.invoke(app, ["detect", str(path)])
        assert result.exit_code == 2, name
        assert "Traceback" not in result.output and result.stderr.count("\n") == 1, name
        assert "line 1" in result.stderr
    assert runner.invoke(app, ["detect", str(tmp_path / "missing.jsonl")]).exit_code == 2
    assert runner.invoke(app, ["detect", "--lang", "fr", "-"], input="").exit_code == 2


def test_oversized_line_is_rejected(tmp_path: Path) -> None:
    path = tmp_path / "big.jsonl"
    with path.open("wb") as fh:
        fh.write(b'{"id":1,"text":"')
        fh.write(b"a" * (11 << 20))
        fh.write(b'"}\n')
    result = runner.invoke(app, ["detect", str(path)])
    assert result.exit_code == 2 and "longer than" in result.stderr


def test_eval_on_a_small_corpus(tmp_path: Path) -> None:
    rows = [
        {
            "id": "1",
            "text": "He is undocumented.",
            "spans": [{"start": 6, "end": 18, "kind": "status"}],
            "lang": "en",
            "genre": "police",
            "hard_negative": False,
        },
        {
            "id": "2",
            "text": "Ice on the sidewalk.",
            "spans": [],
            "lang": "en",
            "genre": "311",
            "hard_negative": True,
        },
    ]
    path = tmp_path / "c.jsonl"
    path.write_text(_jsonl(rows), encoding="utf-8")
    result = runner.invoke(app, ["eval", "--json", str(path)])
    assert result.exit_code == 0, result.stderr
    doc = json.loads(result.stdout)
    assert doc["kinds"]["status"]["precision"] == 1.0 and doc["kinds"]["status"]["recall"] == 1.0
    assert doc["hard_negative_fp_rate"] == 0.0
    assert doc["by_genre"]["police"]["status"]["f2"] == 1.0
    text = runner.invoke(app, ["eval", str(path)])
    assert "hard negatives: 1" in text.stdout
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"text": "x", "spans": [{"start": 0, "end": 9, "kind": "status"}]}\n', encoding="utf-8")
    assert runner.invoke(app, ["eval", str(bad)]).exit_code == 2
