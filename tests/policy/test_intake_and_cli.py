"""Bad input gets one line naming the field and the problem, exit 2, never a traceback; triage and
policy commands behave as CONTRACTS.md section 4 says."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from separation.cli import app
from separation.errors import InputError
from separation.policy.intake import parse_request

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples" / "requests.jsonl"
runner = CliRunner()

GOOD = {"received_at": "2026-01-06T10:00:00-06:00", "requester": {"agency": "ICE"}, "asks": ["hold"]}


@pytest.mark.parametrize(
    ("raw", "field", "problem"),
    [
        ('{"requester": {"agency": "ICE"}, "asks": ["hold"]}', "received_at", "is required"),
        (
            '{"received_at": "2026-01-06T10:00:00", "requester": {}, "asks": ["hold"]}',
            "received_at",
            "needs a UTC offset",
        ),
        ('{"received_at": "yesterday", "requester": {}, "asks": ["hold"]}', "received_at", "ISO 8601"),
        ('{"received_at": "2026-01-06T10:00:00Z", "requester": {}, "asks": []}', "asks", "at least one ask"),
        (
            '{"received_at": "2026-01-06T10:00:00Z", "requester": {}, "asks": ["detain"]}',
            "asks.0",
            "allowed: 'hold'",
        ),
        (
            '{"received_at": "2026-01-06T10:00:00Z", "requester": {}, "asks": ["hold"], "purpose": "civil"}',
            "purpose",
            "unknown value 'civil'",
        ),
        (
            '{"received_at": "2026-01-06T10:00:00Z", "requester": {}, "asks": ["hold"], "purpsoe": "x"}',
            "purpsoe",
            "not a field",
        ),
        ('{"received_at": "2026-01-06T10:00:00Z", "asks": ["hold"]}', "requester", "is required"),
        ('{"received_at": ', "(request)", "not valid JSON"),
    ],
)
def test_bad_request_names_field_and_problem(raw: str, field: str, problem: str) -> None:
    with pytest.raises(InputError) as info:
        parse_request(raw)
    assert info.value.field == field
    assert problem in info.value.problem


def test_oversized_request_is_refused() -> None:
    huge = json.dumps(GOOD | {"description": "x" * 1_100_000})
    with pytest.raises(InputError, match="larger than"):
        parse_request(huge)


def test_free_text_values_are_not_echoed_in_errors() -> None:
    raw = json.dumps(GOOD | {"offenses": "SECRET-SUBJECT-NAME"})
    with pytest.raises(InputError) as info:
        parse_request(raw)
    assert "SECRET-SUBJECT-NAME" not in str(info.value)


def test_triage_json_lines_in_input_order() -> None:
    result = runner.invoke(app, ["triage", str(EXAMPLES), "--json"])
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [d["request_id"] for d in lines] == ["EX-1", "EX-2", "EX-3", "EX-4", "EX-5", "EX-6"]
    assert [d["outcome"] for d in lines] == ["decline", "decline", "comply", "refer", "refer", "comply"]
    assert all("trace" not in d for d in lines)


def test_triage_reads_a_json_list_and_a_single_object_from_stdin() -> None:
    as_list = json.dumps([GOOD, GOOD | {"asks": ["perimeter"]}])
    result = runner.invoke(app, ["triage", "-", "--json"], input=as_list)
    assert result.exit_code == 0 and len(result.stdout.splitlines()) == 2
    pretty = json.dumps(GOOD, indent=2)
    result = runner.invoke(app, ["triage", "-", "--json"], input=pretty)
    assert result.exit_code == 0 and len(result.stdout.splitlines()) == 1


def test_triage_human_output_shows_outcome_reasons_and_obligations() -> None:
    result = runner.invoke(app, ["triage", str(EXAMPLES)], env={"COLUMNS": "160"})
    assert result.exit_code == 0
    for text in (
        "DECLINE",
        "EX-1",
        "19.30(a)(3)",
        "Report to the City Council",
        "2026-01-13",
        "citation pending",
    ):
        assert text in result.stdout


def test_triage_explain_adds_the_trace() -> None:
    result = runner.invoke(app, ["triage", str(EXAMPLES), "--json", "--explain"])
    first = json.loads(result.stdout.splitlines()[0])
    assert first["trace"] and {"ask", "rule", "matched", "effect", "why"} <= set(first["trace"][0])


def test_triage_as_of_and_pinned_pack_version() -> None:
    a = runner.invoke(app, ["triage", str(EXAMPLES), "--json", "--as-of", "2025-11-01"])
    b = runner.invoke(app, ["triage", str(EXAMPLES), "--json", "--pack", "minneapolis@2025-11-01"])
    assert a.exit_code == b.exit_code == 0
    assert a.stdout == b.stdout
    assert json.loads(a.stdout.splitlines()[0])["pack"]["version"] == "2025-06-30"


def test_a_bad_line_is_reported_and_the_rest_still_decided() -> None:
    lines = [json.dumps(GOOD), json.dumps(GOOD | {"asks": ["detain"]}), json.dumps(GOOD)]
    result = runner.invoke(app, ["triage", "-", "--json"], input="\n".join(lines) + "\n")
    assert result.exit_code == 2
    out = [json.loads(line) for line in result.stdout.splitlines()]
    assert "outcome" in out[0] and "outcome" in out[2]
    assert out[1]["error"]["field"] == "asks.0" and out[1]["error"]["where"] == "- line 2"
    assert "line 2" in result.stderr and "asks.0" in result.stderr


@pytest.mark.parametrize(
    ("args", "stdin", "message"),
    [
        (["triage", "nope.json"], None, "nope.json: no such file"),
        (["triage", "-"], "", "no requests in the input"),
        (["triage", "-"], "[1, 2", "not valid JSON"),
        (["triage", "-", "--pack", "atlantis"], json.dumps(GOOD), "no pack named 'atlantis'"),
        (["triage", "-", "--as-of", "someday"], json.dumps(GOOD), "--as-of"),
        (["policy", "diff", "minneapolis", "minneapolis@2026-01-01"], None, "NAME@YYYY-MM-DD"),
    ],
)
def test_usage_errors_are_one_line_and_exit_2(args: list[str], stdin: str | None, message: str) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "separation", *args],
        input=stdin or "",
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr
    assert message in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1


def test_policy_test_passes_for_every_bundled_pack() -> None:
    result = runner.invoke(app, ["policy", "test"])
    assert result.exit_code == 0, result.stdout
    assert "0 failed" in result.stdout.splitlines()[-1]


def test_policy_test_exits_1_on_a_failing_scenario(tmp_path: Path) -> None:
    import shutil

    pack = tmp_path / "minimal"
    shutil.copytree(Path(__file__).parent / "packs" / "minimal", pack)
    scenario = pack / "scenarios" / "s.yaml"
    scenario.write_text(scenario.read_text().replace("outcome: decline", "outcome: comply"))
    result = runner.invoke(app, ["policy", "test", str(pack)])
    assert result.exit_code == 1
    assert "FAIL" in result.stdout


def test_policy_diff_lists_rule_changes_and_changed_answers() -> None:
    result = runner.invoke(
        app,
        ["policy", "diff", "minneapolis@2025-11-01", "minneapolis@2026-01-01", "--requests", str(EXAMPLES)],
        env={"COLUMNS": "200"},
    )
    assert result.exit_code == 0, result.stdout
    assert "MPLS-2025-STG" in result.stdout and "removed (1): MPD-2025-06-NO-SUPPORT" in result.stdout
    assert "3 of 6 requests would get a different answer" in result.stdout
    assert "property_use: refer → decline" in result.stdout


def test_policy_rules_lists_pending_citations() -> None:
    result = runner.invoke(app, ["policy", "rules", "minneapolis", "--pending"], env={"COLUMNS": "250"})
    assert result.exit_code == 0
    assert "MPLS-2025-STG" in result.stdout and "MPLS-19.30-A3 " not in result.stdout
