"""Static checks of accessibility: colour pairs meet WCAG AA contrast, every form control has a label."""

from __future__ import annotations

import re
from importlib import resources

import pytest

from .test_security import _file

CSS = (resources.files("separation.web.pages") / "static" / "app.css").read_text()
VARS = dict(re.findall(r"--([a-z-]+):\s*(#[0-9a-f]{6})", CSS))


def _luminance(hex_colour: str) -> float:
    channels = [int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    lin = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


def contrast(a: str, b: str) -> float:
    hi, lo = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


# (text, background) pairs the stylesheet uses for text.
PAIRS = [
    ("ink", "paper"),
    ("brand", "paper"),
    ("muted", "paper"),
    ("alert", "paper"),
    ("alert", "alert-bg"),
    ("ok", "ok-bg"),
    ("ink", "warn-bg"),
    ("#5a3b00", "warn-bg"),
    ("#ffffff", "brand"),
    ("ink", "#ffe08a"),  # highlighted finding
    ("ink", "#ffd0d6"),
    ("ink", "#d6e4ff"),
    ("ink", "#f2f2f2"),  # tags
    ("ink", "#f7f7f7"),  # the letter
]


@pytest.mark.parametrize(("text", "background"), PAIRS)
def test_text_colours_meet_wcag_aa(text: str, background: str) -> None:
    fg = VARS.get(text, text)
    bg = VARS.get(background, background)
    assert contrast(fg, bg) >= 4.5, (text, background, round(contrast(fg, bg), 2))


def test_every_control_is_labelled(make_client) -> None:
    client, csrf = make_client("attorney")
    rid = _file(client, csrf)
    for path in (
        "/requests/new",
        f"/requests/{rid}",
        "/requests",
        "/obligations",
        "/complaints/new",
        "/screen",
        "/reports",
        "/public/complaint",
        "/public/complaint?lang=es",
        "/login",
    ):
        html = client.get(path).text
        labelled = set(re.findall(r'<label[^>]*for="([^"]+)"', html))
        for tag in re.finditer(r"<(input|select|textarea)\b([^>]*)>", html):
            attrs = tag.group(2)
            if 'type="hidden"' in attrs:
                continue
            control_id = re.search(r'id="([^"]+)"', attrs)
            wrapped = html.rfind("<label", 0, tag.start()) > html.rfind("</label>", 0, tag.start())
            assert wrapped or (control_id and control_id.group(1) in labelled), (path, attrs)
