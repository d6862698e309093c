"""The folded shadow buffer: one ASCII byte per code point, so offsets need no map.

Hyperscan refuses ``\\b`` in Unicode mode, and accented Spanish ("deportación") must match the same
patterns as unaccented text ("deportacion"). Each code point is folded to exactly one ASCII byte:
accents stripped (NFKD), typographic quotes and dashes to their ASCII forms, anything else outside
ASCII to a space. Because the fold is one-to-one, an offset in the buffer is the offset in the
Python string, and no offset map has to be kept.
"""

from __future__ import annotations

import codecs
import unicodedata

__all__ = ["fold_pattern", "fold_text"]

_ERROR_HANDLER = "separation-firewall-fold"


def _fold_run(exc: UnicodeError) -> tuple[str, int]:
    """Fold one run of non-ASCII code points: the encoder calls this only where the text leaves ASCII,
    so mostly-ASCII text costs an ``encode`` and nothing more."""
    if not isinstance(exc, UnicodeEncodeError):
        raise exc
    run = exc.object[exc.start : exc.end].translate(_TABLE)
    if not run.isascii():  # code points the table does not cover (symbols, CJK, lone surrogates)
        run = "".join(c if c.isascii() else " " for c in run)
    return run, exc.end


_PUNCT = {
    "\u2018": "'",
    "\u2019": "'",
    "\u201a": "'",
    "\u201b": "'",
    "\u2032": "'",
    "\u00b4": "'",
    "\u201c": '"',
    "\u201d": '"',
    "\u201e": '"',
    "\u00ab": '"',
    "\u00bb": '"',
    "\u2010": "-",
    "\u2011": "-",
    "\u2012": "-",
    "\u2013": "-",
    "\u2014": "-",
    "\u2015": "-",
    "\u2212": "-",
    "\u00bf": "?",  # ¿ opens a Spanish question: kept as "?" so a question can be told from a statement
    "\u00a1": " ",
    "\u00ba": "o",
    "\u00aa": "a",
    "\u00df": "s",
    "\u00e6": "a",
    "\u00c6": "A",
    "\u0153": "o",
    "\u0152": "O",
    "\u00f8": "o",
    "\u00d8": "O",
    "\u0142": "l",
    "\u0141": "L",
    "\u0111": "d",
    "\u0110": "D",
    "\u2026": ".",
    # Check boxes read as an empty bracket, so a form's option list can be told from a statement.
    "\u2610": "[",
    "\u2611": "X",
    "\u2612": "X",
    "\u25a1": "[",
    "\u25cb": "[",
    "\u25ef": "[",
    "\u274f": "[",
    "\u2116": "#",
    # An arrow after a label introduces its answer, as a colon does ("Alien Registration Number → …").
    "\u2192": ":",
    "\u21d2": ":",
    "\u27a1": ":",
}


def _build_table() -> dict[int, str]:
    # Characters past the range below (check boxes, arrows) are listed in _PUNCT explicitly.
    table: dict[int, str] = {ord(ch): out for ch, out in _PUNCT.items()}
    for code in range(0x80, 0x2500):
        ch = chr(code)
        if ch in _PUNCT:
            table[code] = _PUNCT[ch]
            continue
        base = "".join(c for c in unicodedata.normalize("NFKD", ch) if not unicodedata.combining(c))
        if len(base) == 1 and base.isascii() and base.isprintable():
            table[code] = base
        elif unicodedata.category(ch) in ("Zs", "Zl", "Zp", "Cc", "Cf"):
            table[code] = " "
        elif base[:1].isascii() and base[:1].isalnum():
            table[code] = base[0]
        else:
            table[code] = " "
    return table


_TABLE = _build_table()
codecs.register_error(_ERROR_HANDLER, _fold_run)


# Latin-1 covers the Spanish accents, "¿" and "¡": those text is encoded byte for byte and folded by
# one table lookup per byte in C; only code points past U+00FF reach the (Python) error handler.
_LATIN1 = bytes(ord(_TABLE.get(b, chr(b))) if b >= 0x80 else b for b in range(256))


def fold_text(text: str) -> bytes:
    """Fold ``text`` to ASCII bytes of exactly ``len(text)`` bytes."""
    return text.encode("latin-1", _ERROR_HANDLER).translate(_LATIN1)


def fold_pattern(pattern: str) -> str:
    """Fold the non-ASCII letters of a pattern the same way, leaving regex syntax alone."""
    if pattern.isascii():
        return pattern
    return pattern.translate(_TABLE)
