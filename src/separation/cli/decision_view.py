"""How a Decision looks to a person at a terminal: outcome first, then why, then what to do."""

from __future__ import annotations

from rich.console import Group, RenderableType
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from separation.policy import Decision

__all__ = ["render_decision"]

_STYLE = {"comply": "bold green", "decline": "bold red", "refer": "bold yellow", "partial": "bold magenta"}
_KIND_LABEL = {
    "document": "Document it",
    "report_council": "Report to the City Council",
    "notify_council": "Notify the City Council",
    "notify_department_head": "Tell the department head",
    "counsel_review": "City Attorney review",
    "chain_of_command_approval": "Chain-of-command approval",
    "log": "Log the request",
}


def render_decision(decision: Decision, *, flag_help: dict[str, str] | None = None) -> RenderableType:
    outcome = decision.outcome.value
    title = Text.assemble(
        (outcome.upper(), _STYLE.get(outcome, "bold")),
        "  ",
        (decision.request_id or "request", "bold"),
    )
    asks = Table.grid(padding=(0, 2))
    for ask in decision.asks:
        asks.add_row(
            ask.ask.value, Text(ask.outcome.value, _STYLE.get(ask.outcome.value, "")), ", ".join(ask.rules)
        )

    reasons = Table.grid(padding=(0, 1))
    for rule in decision.rules:
        pending = Text(" (citation pending)", "dim italic") if rule.citation_pending else Text("")
        reasons.add_row(Text("•"), Text.assemble((rule.id, "bold"), "  ", rule.citation, pending))
        reasons.add_row(Text(""), Text(rule.reason))

    parts: list[RenderableType] = [
        Text("Asks", "underline"),
        asks,
        Text(""),
        Text("Why", "underline"),
        reasons,
    ]
    if decision.obligations:
        todo = Table.grid(padding=(0, 2))
        for obligation in decision.obligations:
            due = obligation.due.isoformat() if obligation.due else "as soon as possible"
            todo.add_row(_KIND_LABEL.get(obligation.kind.value, obligation.kind.value), due, obligation.rule)
        parts += [Text(""), Text("What to do next", "underline"), todo]
    if decision.flags:
        flags = Table.grid(padding=(0, 1))
        for flag in decision.flags:
            flags.add_row(
                Text("!", "bold yellow"), Text.assemble((flag, "bold"), "  ", (flag_help or {}).get(flag, ""))
            )
        parts += [Text(""), Text("Take care", "underline"), flags]
    if decision.trace is not None:
        trace = Table("ask", "rule", "matched", "effect", "why", box=None, show_edge=False)
        for entry in decision.trace:
            trace.add_row(
                entry.ask.value if entry.ask else "(request)",
                entry.rule,
                "yes" if entry.matched else "no",
                entry.effect,
                "; ".join(entry.why),
            )
        parts += [Text(""), Text("Trace", "underline"), trace]
    pack = decision.pack
    subtitle = f"pack {pack.id} · version {pack.version} (in force from {pack.effective_from})"
    return Panel(Group(*parts), title=title, title_align="left", subtitle=subtitle, subtitle_align="right")
