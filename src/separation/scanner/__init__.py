"""The firewall at scale: scan files, folders and databases for immigration-status data; write clean copies.

    from separation.scanner import scan, ScanOptions, clean, CleanOptions, load_allow_list

    report = scan(["exports/"], ScanOptions(allow=load_allow_list("allow.yaml")))
    report.to_dict()        # the shape of `separation scan --json` (CONTRACTS.md §4)

Detection itself is ``separation.firewall``'s; this package reads data stores in bounded batches,
classifies columns (name, values, text), and reports positions, kinds and counts — never a value.
"""

from __future__ import annotations

from separation.scanner.allow import AllowEntry, AllowList, load_allow_list
from separation.scanner.classify import ClassifyOptions
from separation.scanner.clean import CleanLog, CleanOptions, clean, write_log
from separation.scanner.engine import Progress, ScanOptions, scan, scan_source, scan_sources
from separation.scanner.render import render_html, render_rich
from separation.scanner.report import ColumnReport, ScanReport, SourceError, SourceReport
from separation.scanner.targets import Source, discover

__all__ = [
    "AllowEntry",
    "AllowList",
    "ClassifyOptions",
    "CleanLog",
    "CleanOptions",
    "ColumnReport",
    "Progress",
    "ScanOptions",
    "ScanReport",
    "Source",
    "SourceError",
    "SourceReport",
    "clean",
    "discover",
    "load_allow_list",
    "render_html",
    "render_rich",
    "scan",
    "scan_source",
    "scan_sources",
    "write_log",
]
