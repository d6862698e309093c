"""separation: the separation ordinance as code.

Decisions on requests from outside agencies (``separation.policy``), a data firewall for immigration-
and citizenship-status information (``separation.firewall``), and oversight (register, ledger, reports).
"""

from __future__ import annotations

__version__ = "0.1.0"

__all__ = ["__version__"]
