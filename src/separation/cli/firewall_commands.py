"""``separation detect | redact | lint | eval``: the data firewall on the command line.

Input for detect/redact is JSON Lines ``{"id": ..., "text": ...}``; output keeps input order. Errors
name the line and the problem, never the text.

``redact`` prints one line per input record. In its plain-text output a text's own line breaks are
written as ``\n`` (and ``\r``), and a backslash as ``\\``, so that line N of the output is always
record N; ``--json`` prints ``{id, text, log}`` objects with the text unescaped.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Annotated, Any

import orjson
import typer

from separation.cli._app import EXIT_FOUND, EXIT_OK, app, guarded
from separation.errors import InputError

__all__ = [
    "MAX_LINE_BYTES",
    "detect_command",
    "eval_command",
    "lint_command",
    "one_line",
    "redact_command",
]

MAX_LINE_BYTES = 10 << 20
_BATCH = 2048


def _open(path: str) -> IO[bytes]:
    if path == "-":
        return sys.stdin.buffer
    p = Path(path)
    if not p.is_file():
        raise InputError("no such file", where=path)
    return p.open("rb")


def _records(path: str) -> Iterator[tuple[int, Any, str]]:
    """(line number, id, text) per non-blank line; bad lines raise InputError naming the line."""
    stream = _open(path)
    try:
        number = 0
        while True:
            raw = stream.readline(MAX_LINE_BYTES + 1)
            if not raw:
                return
            number += 1
            where = f"line {number}"
            if len(raw) > MAX_LINE_BYTES and not raw.endswith(b"\n"):
                raise InputError(f"longer than {MAX_LINE_BYTES} bytes", where=where)
            if b"\x00" in raw:
                raise InputError("contains NUL bytes (binary input?)", where=where)
            if not raw.strip():
                continue
            try:
                raw.decode("utf-8")
            except UnicodeDecodeError:
                raise InputError("not valid UTF-8", where=where) from None
            try:
                doc = orjson.loads(raw)
            except orjson.JSONDecodeError:
                raise InputError("not a JSON object", where=where) from None
            if not isinstance(doc, dict):
                raise InputError("not a JSON object", where=where)
            text = doc.get("text")
            if not isinstance(text, str):
                raise InputError("must be a string", field="text", where=where)
            yield number, doc.get("id"), text
    finally:
        if stream is not sys.stdin.buffer:
            stream.close()


def _batches(path: str) -> Iterator[list[tuple[int, Any, str]]]:
    batch: list[tuple[int, Any, str]] = []
    size = 0
    for item in _records(path):
        batch.append(item)
        size += len(item[2])
        if len(batch) >= _BATCH or size >= (8 << 20):
            yield batch
            batch, size = [], 0
    if batch:
        yield batch


def one_line(text: str) -> str:
    """A text on one output line: backslash, CR and LF escaped as in JSON strings (reversible)."""
    if "\\" not in text and "\n" not in text and "\r" not in text:
        return text
    return text.replace("\\", "\\\\").replace("\n", "\\n").replace("\r", "\\r")


def _write(data: bytes) -> None:
    sys.stdout.buffer.write(data)


def _check_lang(lang: str | None) -> None:
    if lang is not None and lang not in ("en", "es"):
        raise InputError("must be 'en' or 'es'", field="--lang")


LangOpt = Annotated[str | None, typer.Option("--lang", help="en or es (default: both)")]


@app.command("detect")
@guarded
def detect_command(
    file: Annotated[str, typer.Argument(help="JSON Lines file of {id, text}, or - for stdin")],
    lang: LangOpt = None,
) -> None:
    """Find immigration-status information: one {id, findings} line per input line, in order."""
    from separation.firewall import detect_many

    _check_lang(lang)
    for batch in _batches(file):
        found = detect_many([t for _, _, t in batch], lang)
        out = bytearray()
        for (_, rid, _), findings in zip(batch, found, strict=True):
            out += orjson.dumps({"id": rid, "findings": [f.to_dict() for f in findings]})
            out += b"\n"
        _write(bytes(out))
    sys.stdout.flush()


@app.command("redact")
@guarded
def redact_command(
    file: Annotated[str, typer.Argument(help="JSON Lines file of {id, text}, or - for stdin")],
    lang: LangOpt = None,
    operator: Annotated[str, typer.Option(help="placeholder, mask, remove or hash")] = "placeholder",
    key_env: Annotated[
        str | None, typer.Option("--key-env", help="environment variable holding the key for --operator hash")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="print {id, text, log} JSON lines")] = False,
) -> None:
    """Print each text with every finding replaced (default placeholder [REDACTED] for every kind).

    One output line per input record: line breaks inside a text are printed as \\n (a backslash as
    \\\\); --json prints {id, text, log} objects instead.
    """
    from separation.firewall import OPERATORS, detect_many, redact

    _check_lang(lang)
    if operator not in OPERATORS:
        raise InputError(f"must be one of {', '.join(OPERATORS)}", field="--operator")
    key: bytes | None = None
    if key_env is not None:
        value = os.environ.get(key_env)
        if not value:
            raise InputError("environment variable is not set", field="--key-env")
        key = value.encode("utf-8")
    if operator == "hash" and key is None:
        raise InputError("the hash operator needs --key-env", field="--operator")
    for batch in _batches(file):
        found = detect_many([t for _, _, t in batch], lang)
        out = bytearray()
        for (_, rid, text), findings in zip(batch, found, strict=True):
            result = redact(text, findings, operator=operator, key=key)
            if as_json:
                out += orjson.dumps({"id": rid, "text": result.text, "log": result.log.to_dict()})
            else:
                out += one_line(result.text).encode("utf-8")
            out += b"\n"
        _write(bytes(out))
    sys.stdout.flush()


@app.command("lint")
@guarded
def lint_command(
    files: Annotated[list[str], typer.Argument(help="forms: .html, .json (JSON Schema), .csv, .sql, .txt")],
    allow: Annotated[
        str | None, typer.Option("--allow", help="YAML allow-list: source, field, legal basis")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="one JSON object with every flag")] = False,
) -> None:
    """Flag form questions and fields that ask about immigration or citizenship status (exit 1 if any)."""
    from separation.firewall.lint import (
        MAX_FORM_BYTES,
        AllowRule,
        apply_allow_list,
        lint_text,
        load_allow_list,
    )

    allow_rules: tuple[AllowRule, ...] = ()
    if allow is not None:
        path = Path(allow)
        if not path.is_file():
            raise InputError("no such file", where=allow)
        allow_rules = load_allow_list(_read_text(path, MAX_FORM_BYTES), where=allow)
    flags = []
    for name in files:
        path = Path(name)
        if not path.is_file():
            raise InputError("no such file", where=name)
        flags.extend(lint_text(name, _read_text(path, MAX_FORM_BYTES)))
    flags = apply_allow_list(flags, allow_rules)
    blocking = [f for f in flags if not f.allowed]
    if as_json:
        summary = {"files": len(files), "flagged": len(blocking), "allowed": len(flags) - len(blocking)}
        _write(orjson.dumps({"flags": [f.to_dict() for f in flags], "summary": summary}) + b"\n")
        sys.stdout.flush()
    else:
        lines = []
        for f in flags:
            field = f" field {f.field!r}" if f.field else ""
            verdict = f" — allowed: {f.basis}" if f.allowed else ""
            lines.append(
                f"{f.source}:{f.line}:{field} asks for {f.kind} ({', '.join(f.reasons)}; {f.rule}){verdict}"
            )
        lines.append(f"{len(blocking)} flagged, {len(flags) - len(blocking)} allowed")
        _write(("\n".join(lines) + "\n").encode("utf-8"))
        sys.stdout.flush()
    raise typer.Exit(EXIT_FOUND if blocking else EXIT_OK)


def _read_text(path: Path, limit: int) -> str:
    if path.stat().st_size > limit:
        raise InputError(f"larger than {limit} bytes", where=str(path))
    data = path.read_bytes()
    if b"\x00" in data:
        raise InputError("contains NUL bytes (binary file?)", where=str(path))
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InputError("not valid UTF-8", where=str(path)) from None


@app.command("eval")
@guarded
def eval_command(
    corpus: Annotated[
        str, typer.Argument(help="labelled JSON Lines: {id, text, spans, lang, genre, hard_negative}")
    ],
    as_json: Annotated[bool, typer.Option("--json", help="print the figures as one JSON object")] = False,
    min_targets: Annotated[
        bool, typer.Option("--min-targets", help="exit 1 when a figure is below the issue's targets")
    ] = False,
    engine: Annotated[
        str | None, typer.Option(help="hyperscan or re2 (default: hyperscan if installed)")
    ] = None,
) -> None:
    """Detector accuracy on a labelled corpus: P/R/F1/F2 per kind, per language and genre, hard negatives."""
    from separation.firewall import Detector, detector
    from separation.firewall.evaluate import evaluate, parse_record

    if engine not in (None, "hyperscan", "re2"):
        raise InputError("must be 'hyperscan' or 're2'", field="--engine")
    det = detector() if engine is None else Detector(engine=engine)
    records = []
    stream = _open(corpus)
    try:
        for number, raw in enumerate(iter(lambda: stream.readline(MAX_LINE_BYTES + 1), b""), 1):
            if not raw.strip():
                continue
            if len(raw) > MAX_LINE_BYTES and not raw.endswith(b"\n"):
                raise InputError(f"longer than {MAX_LINE_BYTES} bytes", where=f"line {number}")
            try:
                doc = orjson.loads(raw)
            except orjson.JSONDecodeError:
                raise InputError("not valid JSON", where=f"line {number}") from None
            records.append(parse_record(doc, f"line {number}"))
    finally:
        if stream is not sys.stdin.buffer:
            stream.close()
    if not records:
        raise InputError("no records", where=corpus)
    report = evaluate(records, det.detect_many)
    data = report.to_dict()
    data["engine"] = det.engine
    if as_json:
        _write(orjson.dumps(data) + b"\n")
        sys.stdout.flush()
    else:
        _print_report(data)
    if min_targets and report.failures():
        raise typer.Exit(EXIT_FOUND)


def _fmt(v: Any) -> str:
    return "  -  " if v is None else f"{v:.3f}"


def _print_report(data: dict[str, Any]) -> None:
    def p(line: str, markup: bool = False) -> None:
        _write(line.encode("utf-8") + b"\n")

    p(f"{data['documents']} documents, engine {data['engine']}", markup=False)
    p("kind        precision recall  F1     F2     predicted gold  doc-P  doc-R", markup=False)
    for kind, f in data["kinds"].items():
        p(
            f"{kind:<11} {_fmt(f['precision'])}     {_fmt(f['recall'])}  {_fmt(f['f1'])}  {_fmt(f['f2'])}  "
            f"{f['predicted']:>9} {f['gold']:>5}  {_fmt(f['doc_precision'])}  {_fmt(f['doc_recall'])}",
            markup=False,
        )
    for title, key in (("language", "by_lang"), ("genre", "by_genre")):
        p(f"by {title} (precision/recall per kind):", markup=False)
        for group, kinds in data[key].items():
            cells = "  ".join(f"{k} {_fmt(v['precision'])}/{_fmt(v['recall'])}" for k, v in kinds.items())
            p(f"  {group:<10} {cells}", markup=False)
    p(
        f"hard negatives: {data['hard_negatives']}, "
        f"false-positive rate {_fmt(data['hard_negative_fp_rate'])}",
        markup=False,
    )
    failed = data["targets_failed"]
    p("targets: all met" if not failed else "targets not met: " + "; ".join(failed), markup=False)
