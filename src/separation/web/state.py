"""What one running app holds: its settings, its database and its compiled pack (loaded once)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from separation.register.db import Database
from separation.register.settings import Settings
from separation.web.security import PrincipalCache

__all__ = ["RegisterState"]


@dataclass
class RegisterState:
    settings: Settings
    db: Database
    pack: Any  # separation.policy.Pack
    pack_id: str
    pack_dir: Path | None
    jurisdiction: str
    principals: PrincipalCache = field(default_factory=PrincipalCache)

    @classmethod
    def open(cls, settings: Settings) -> RegisterState:
        from separation.policy import load_pack

        pack = load_pack(settings.pack)
        db = Database.from_settings(settings)
        return cls(
            settings=settings,
            db=db,
            pack=pack,
            pack_id=str(pack.id),
            pack_dir=getattr(pack, "root", None),
            jurisdiction=str(getattr(pack, "name", None) or getattr(pack, "jurisdiction", pack.id)),
        )
