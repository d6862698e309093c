"""Reading real-world exports: profiles, header order, BOM, two-line cells, dates, malformed rows."""

from __future__ import annotations

import csv
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from separation.access.profiles import builtin_profiles, detect_profile, load_profile, resolve_profile
from separation.access.reader import open_source
from separation.errors import InputError

from .conftest import FIXTURES, OKALOOSA, classified, profile_for


@pytest.mark.parametrize(
    ("name", "profile"),
    [
        ("network-audit.csv", "flock.network_audit"),
        ("org-audit.csv", "flock.org_audit"),
        ("export-13.csv", "flock.export_13"),
        ("portal-search-audit.csv", "flock.transparency_portal"),
        ("no-hits.csv", "flock.network_audit"),
        ("malformed.csv", "flock.network_audit"),
    ],
)
def test_profile_is_detected_from_headers(name: str, profile: str) -> None:
    assert open_source(FIXTURES / name, None).profile.id == profile


def test_okaloosa_layout_has_its_own_profile() -> None:
    assert open_source(OKALOOSA, None).profile.id == "okaloosa.converted"


def test_every_builtin_profile_is_exercised() -> None:
    detected = {
        open_source(FIXTURES / n, None).profile.id
        for n in ("network-audit.csv", "org-audit.csv", "export-13.csv", "portal-search-audit.csv")
    }
    detected.add(open_source(OKALOOSA, None).profile.id)
    assert detected == set(builtin_profiles())


def test_columns_are_found_by_name_in_any_order_and_any_case(tmp_path: Path) -> None:
    rows = list(csv.reader((FIXTURES / "network-audit.csv").open(encoding="utf-8-sig", newline="")))
    order = list(reversed(range(len(rows[0]))))
    target = tmp_path / "shuffled.csv"
    with target.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow([rows[0][i].upper().replace(" ", "_") for i in order])
        writer.writerows([[r[i] for i in order] for r in rows[1:]])
    original = classified("network-audit.csv")
    source = open_source(target, None)
    assert source.profile.id == "flock.network_audit"
    table = pa.Table.from_batches(list(source.batches()))
    assert table.column("reason").to_pylist() == [o["reason"] for o in original]


def test_utf8_bom_does_not_hide_the_first_column() -> None:
    assert (FIXTURES / "network-audit.csv").read_bytes().startswith(b"\xef\xbb\xbf")
    source = open_source(FIXTURES / "network-audit.csv", None)
    assert "user" in source.mapping and source.mapping["user"] == "Name"


def test_two_line_time_frame_stays_one_cell_and_rows_stay_whole() -> None:
    source = open_source(FIXTURES / "network-audit.csv", None)
    table = pa.Table.from_batches(list(source.batches()))
    assert table.num_rows == 14
    frames = table.column("time_frame").to_pylist()
    assert all(f is not None and f.count("\n") == 1 for f in frames)
    assert table.column("row").to_pylist() == list(range(1, 15))


def test_redacted_case_number_is_not_a_missing_one() -> None:
    out = {o["row"]: o for o in classified("network-audit.csv")}
    assert out[2]["case_number"] == "***" and out[2]["how_rule"] is None
    assert out[3]["case_number"] == "" and out[3]["how_rule"] == "how.case.missing"


def test_redacted_reason_is_its_own_vague_rule() -> None:
    from separation.access.engine import classify_table, new_connection
    from separation.access.rules import default_rules

    table = pa.Table.from_batches(
        list(open_source(FIXTURES / "reasons-labelled.csv", profile_for("reasons-labelled.csv")).batches())
    )
    out = classify_table(
        new_connection(), table, default_rules(), frozenset({"reason"}), identifiers=True
    ).to_pylist()
    assert [o["why_rule"] for o in out if o["reason"] == "***"] == ["why.vague.redacted"]


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        (
            "org-audit.csv",
            [
                "2025-11-01T12:00:00",
                "2025-11-01T18:00:00",
                "2025-11-02T02:24:00",
                "2025-11-29T06:00:00",
                "2025-11-29T12:00:00",
                "2025-11-30T00:00:00",
            ],
        ),
        (
            "portal-search-audit.csv",
            # ISO with Z, epoch seconds, plain ISO, and an offset (+02:00, shown in UTC)
            [
                "2025-11-01T12:26:40",
                "2025-11-02T08:00:00",
                "2025-11-01T12:26:40",
                "2025-11-03T09:30:00",
                "2025-11-04T08:00:00",
            ],
        ),
        ("network-audit.csv", None),
    ],
)
def test_timestamps_in_every_seen_format(name: str, expected: list[str] | None) -> None:
    out = classified(name)
    stamps = [o["searched_at"] for o in out]
    assert all(stamps), "every timestamp parsed"
    if expected is not None:
        assert stamps == expected
    else:
        assert stamps[0] == "2025-10-02T09:53:36"  # "10/02/2025, 09:53:36 AM UTC"
        assert stamps[5] == "2025-11-03T14:00:00"  # "2025-11-03 14:00:00"
        assert stamps[6] == "2025-11-04T10:00:00"  # "2025-11-04T10:00:00Z"


def test_malformed_rows_are_counted_with_their_line_and_never_shift_row_numbers() -> None:
    source = open_source(FIXTURES / "malformed.csv", None)
    table = pa.Table.from_batches(list(source.batches()))
    assert table.column("row").to_pylist() == [1, 3, 5]
    assert table.column("reason").to_pylist() == ["ICE hold", "inv", "deport"]
    assert source.rows == 6
    assert source.malformed_count == 3
    assert [m.line for m in source.malformed] == [4, 7, 10]
    assert all("ZQX" not in m.problem and "Berg" not in m.problem for m in source.malformed)


def test_malformed_row_late_in_a_big_file_keeps_earlier_batches_exact(tmp_path: Path) -> None:
    lines = (FIXTURES / "malformed.csv").read_text(encoding="utf-8").splitlines(keepends=True)
    header, good = lines[0], "Ana Berg,Lakeview MN PD,1,12,x,P1,25-1,,theft,2025-11-01 10:00:00\r\n"
    target = tmp_path / "big.csv"
    target.write_text(header + good * 30_000 + "too,few\r\n" + good * 5, encoding="utf-8")
    source = open_source(target, None, batch_rows=4096)
    rows = [r for b in source.batches() for r in b.column("row").to_pylist()]
    assert rows == [*range(1, 30_001), *range(30_002, 30_007)]
    assert source.malformed_count == 1 and source.malformed[0].line == 30_002


def test_jsonl_malformed_lines_are_reported_by_line() -> None:
    source = open_source(FIXTURES / "generic.jsonl", profile_for("generic.jsonl"))
    table = pa.Table.from_batches(list(source.batches()))
    assert table.column("row").to_pylist() == [1, 2, 3, 6]
    assert [(m.line, m.problem) for m in source.malformed] == [
        (4, "not valid JSON"),
        (5, "not a JSON object"),
    ]


def test_parquet_source_with_a_mapping_file(tmp_path: Path) -> None:
    rows = [r for r in classified("generic.jsonl")]
    table = pa.table(
        {
            "ts": ["2025-11-01T10:00:00Z", "2025-11-02T10:00:00Z"],
            "department": ["Homeland Security Investigations", "Records Unit"],
            "purpose": ["records check", "deportation case"],
            "actor": ["Ola Sund", "Ola Sund"],
        }
    )
    path = tmp_path / "queries.parquet"
    pq.write_table(table, path)
    source = open_source(path, load_profile(FIXTURES / "generic.yaml"))
    assert source.fmt == "parquet"
    out = pa.Table.from_batches(list(source.batches()))
    assert out.column("reason").to_pylist() == ["records check", "deportation case"]
    assert rows[1]["why_rule"] == "why.immigration.removal"


def test_semicolon_csv_with_a_mapping_file() -> None:
    out = classified("generic-semicolon.csv")
    assert [o["category"] for o in out] == ["immigration_enforcement", "other", "vague_or_missing"]


def test_okaloosa_every_row_parsed() -> None:
    source = open_source(OKALOOSA, None)
    table = pa.Table.from_batches(list(source.batches()))
    assert table.num_rows == 7273 and source.malformed_count == 0
    assert table.column("row").to_pylist() == list(range(1, 7274))


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        (
            [
                "Name",
                "Org Name",
                "Total Networks Searched",
                "Total Devices Searched",
                "Time Frame",
                "Reason",
                "Search Date/Time",
            ],
            "flock.network_audit",
        ),
        (
            ["Name", "Total Networks Searched", "Time Frame", "Reason", "Search Date/Time", "Offense Type"],
            "flock.org_audit",
        ),
        (["search_guid", "user_guid", "timestamp", "camera_count", "reason"], "flock.transparency_portal"),
        (
            [
                "\ufeffID",
                "Org_Name",
                "Total_Networks_Searched",
                "Total_Devices_Searched",
                "Time_Frame_Start",
                "Time_Frame_End",
                "Reason",
                "Search_Time",
            ],
            "okaloosa.converted",
        ),
        (["when", "why"], None),
    ],
)
def test_detection_by_headers(headers: list[str], expected: str | None) -> None:
    found = detect_profile(headers)
    assert (found.id if found else None) == expected


def test_unknown_layout_and_unknown_profile_are_input_errors(tmp_path: Path) -> None:
    odd = tmp_path / "odd.csv"
    odd.write_text("when,why\n2025-01-01,x\n", encoding="utf-8")
    with pytest.raises(InputError, match="no known log profile"):
        open_source(odd, None)
    with pytest.raises(InputError, match="unknown profile"):
        resolve_profile("no.such.profile")
    with pytest.raises(InputError, match="missing column"):
        open_source(odd, builtin_profiles()["flock.network_audit"])
    empty = tmp_path / "empty.csv"
    empty.write_text("", encoding="utf-8")
    with pytest.raises(InputError, match="no header"):
        open_source(empty, None)


def test_bad_mapping_files_name_the_field(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("id: x\nformat: xlsx\ncolumns: {reason: R}\n", encoding="utf-8")
    with pytest.raises(InputError, match="format"):
        load_profile(bad)
    bad.write_text("id: x\ncolumns: {colour: R}\n", encoding="utf-8")
    with pytest.raises(InputError, match="colour"):
        load_profile(bad)
    bad.write_text("id: x\ncolumns: {org: R}\n", encoding="utf-8")
    with pytest.raises(InputError, match="reason"):
        load_profile(bad)


_CELL = st.text(alphabet=st.sampled_from(list('ab ,"\n\r\t*;ñé-1')), max_size=12)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(_CELL, _CELL, _CELL), min_size=1, max_size=30), st.booleans())
def test_any_quoted_content_reads_back_whole(rows: list[tuple[str, str, str]], bom: bool) -> None:
    """Commas, quotes, CR/LF inside cells: every row comes back whole and in order."""
    import io
    import tempfile

    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow(["Purpose", "Agency", "When"])
    writer.writerows(rows)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "log.csv"
        path.write_text(buffer.getvalue(), encoding="utf-8-sig" if bom else "utf-8", newline="")
        mapping = Path(folder) / "map.yaml"
        mapping.write_text(
            "id: t\ncolumns: {reason: Purpose, org: Agency, search_time: When}\n", encoding="utf-8"
        )
        source = open_source(path, load_profile(mapping))
        table = pa.Table.from_batches(list(source.batches()))
    expected = rows  # an all-empty record is written as ",,", so it is a row, not a blank line
    got = list(zip(*(table.column(c).to_pylist() for c in ("reason", "org", "search_time")), strict=True))
    assert source.malformed_count == 0
    assert [tuple(x.replace("\r\n", "\n") for x in g) for g in got] == [
        tuple(x.replace("\r\n", "\n") for x in r) for r in expected
    ]
