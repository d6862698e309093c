"""``separation policy``: run a pack's worked examples, list its rules, show what a new version changes."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table
from rich.text import Text

from separation.cli._app import EXIT_FOUND, EXIT_OK, app, guarded, out_console
from separation.cli.triage_commands import open_input
from separation.errors import InputError, NotFoundError
from separation.policy import Request, load_pack, packs_root, parse_pack_ref
from separation.policy.diff import diff_versions
from separation.policy.intake import iter_requests, parse_request
from separation.policy.scenarios import run_scenarios

__all__ = ["policy_app"]

policy_app = typer.Typer(
    help="Policy packs: scenario tests, rules, and the effect of a change.", no_args_is_help=True
)
app.add_typer(policy_app, name="policy")


def _bundled() -> list[str]:
    return sorted(p.name for p in packs_root().iterdir() if (p / "pack.yaml").is_file())


@policy_app.command("test")
@guarded
def policy_test(
    packs: Annotated[
        list[str] | None, typer.Argument(help="Packs to test (default: every bundled pack).")
    ] = None,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="List passing scenarios too.")] = False,
) -> None:
    """Run each pack's scenario suite; exit 1 if any scenario fails."""
    failed = 0
    total = 0
    for name in packs or _bundled():
        pack = load_pack(name)
        results = run_scenarios(pack)
        if not results:
            raise NotFoundError(f"pack '{name}' has no scenarios")
        table = Table(title=f"{pack.name} ({pack.id}): {len(results)} scenarios", title_justify="left")
        table.add_column("result")
        table.add_column("scenario")
        table.add_column("outcome")
        table.add_column("version")
        table.add_column("problems")
        for result in results:
            total += 1
            if not result.passed:
                failed += 1
            if result.passed and not verbose:
                continue
            table.add_row(
                Text("pass", "green") if result.passed else Text("FAIL", "bold red"),
                f"{result.file}: {result.name}",
                result.decision.outcome.value if result.decision else "-",
                result.decision.pack.version if result.decision else "-",
                "; ".join(result.problems),
            )
        passed = sum(r.passed for r in results)
        if table.row_count:
            out_console.print(table)
        out_console.print(f"{pack.id}: {passed} passed, {len(results) - passed} failed")
    out_console.print(f"{total - failed} passed, {failed} failed")
    raise typer.Exit(EXIT_FOUND if failed else EXIT_OK)


@policy_app.command("rules")
@guarded
def policy_rules(
    pack_ref: Annotated[
        str, typer.Argument(help="Pack name, or NAME@DATE for the version in force then.")
    ] = "minneapolis",
    pending: Annotated[bool, typer.Option("--pending", help="Only rules whose citation is pending.")] = False,
) -> None:
    """List the rules in force in a pack version, with their citations."""
    name, day = parse_pack_ref(pack_ref)
    pack = load_pack(name)
    version = pack.versions[-1] if day is None else pack.version_for(day)
    table = Table(title=f"{pack.id} version {version.id}: {version.title}", title_justify="left")
    for column in ("order", "rule", "asks", "effect", "citation"):
        table.add_column(column)
    for rule in sorted(version.rules.values(), key=lambda r: (r.order, r.id)):
        if pending and not rule.ref.citation_pending:
            continue
        effect = (
            "obligations"
            if rule.outcome is None
            else f"{'concurs ' if rule.concur else ''}{rule.outcome.value}"
        )
        asks = "all" if len(rule.asks) > 10 else ", ".join(sorted(rule.asks))
        citation = rule.ref.citation + (" (pending)" if rule.ref.citation_pending else "")
        table.add_row(str(rule.order), rule.id, asks, effect, citation)
    out_console.print(table)


@policy_app.command("diff")
@guarded
def policy_diff(
    before: Annotated[str, typer.Argument(help="NAME@DATE: the version in force on DATE.")],
    after: Annotated[str, typer.Argument(help="NAME@DATE: the version to compare with.")],
    requests: Annotated[
        str | None,
        typer.Option("--requests", help="Requests (JSON, JSON list or JSON Lines) to decide under both."),
    ] = None,
) -> None:
    """Rules added, removed or changed between two versions, and requests whose answer would change."""
    before_name, before_day = parse_pack_ref(before)
    after_name, after_day = parse_pack_ref(after)
    if before_day is None or after_day is None:
        raise InputError("give both versions as NAME@YYYY-MM-DD", field="pack")
    before_pack = load_pack(before_name)
    after_pack = before_pack if after_name == before_name else load_pack(after_name)
    parsed: list[Request] = []
    if requests:
        with open_input(requests) as stream:
            parsed = [
                parse_request(item, where=where) for where, item in iter_requests(stream, source=requests)
            ]
    diff = diff_versions(before_pack, before_day, after_pack, after_day, parsed)
    out_console.print(
        f"[bold]{before_pack.id} {diff.before.id}[/] → [bold]{after_pack.id} {diff.after.id}[/]"
        f"  ({diff.after.title})"
    )
    for label, ids, style in (
        ("added", diff.added, "green"),
        ("removed", diff.removed, "red"),
        ("changed", diff.changed, "yellow"),
    ):
        out_console.print(f"[{style}]{label}[/] ({len(ids)}): {', '.join(ids) if ids else 'none'}")
    if requests:
        out_console.print(
            f"\n{len(diff.changes)} of {diff.requests_compared} requests would get a different answer"
        )
        if diff.changes:
            table = Table("#", "request", "before", "after", "asks changed")
            for change in diff.changes:
                asks = "; ".join(f"{a}: {x} → {y}" for a, x, y in change.asks)
                table.add_row(
                    str(change.position), change.request_id or "-", change.before, change.after, asks
                )
            out_console.print(table)
