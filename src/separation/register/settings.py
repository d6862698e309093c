"""Settings of the register and its web service: one table of name, default and environment variable."""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from pathlib import Path

__all__ = ["DEFAULT_DB", "Settings", "default_key_path", "normalise_db_url"]

DEFAULT_DB = "sqlite:///./separation.db"


def default_key_path() -> Path:
    """Where the ledger's signing key lives unless told otherwise: outside the database and the work tree."""
    env = os.environ.get("SEPARATION_LEDGER_KEY")
    if env:
        return Path(env)
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "separation" / "ledger-ed25519.pem"


def normalise_db_url(url: str) -> str:
    """Accept a plain file path for SQLite and ``postgresql://`` for PostgreSQL (psycopg 3 driver)."""
    if "://" not in url:
        return f"sqlite:///{url}"
    if url.startswith("postgresql://") or url.startswith("postgres://"):
        return "postgresql+psycopg://" + url.split("://", 1)[1]
    return url


@dataclass(frozen=True)
class Settings:
    """How one register (database, pack, key) is run. ``from_env`` reads the ``SEPARATION_*`` variables."""

    db_url: str = DEFAULT_DB
    pack: str = "minneapolis"
    key_path: Path = field(default_factory=default_key_path)
    max_body_bytes: int = 1_000_000
    timezone: str = "America/Chicago"
    migrate: bool = True
    # PostgreSQL schema to work in (tests isolate themselves in a fresh one); None: the default search path.
    db_schema: str | None = None
    # SQLite ``synchronous`` pragma. In WAL mode NORMAL keeps every committed transaction through a crash
    # of the process (SIGKILL included) but may lose the last ones on power loss; FULL survives power loss
    # too, at one fsync per request (~4 ms here, which caps one SQLite file near 220 writes/s).
    sqlite_synchronous: str = "NORMAL"

    def __post_init__(self) -> None:
        object.__setattr__(self, "db_url", normalise_db_url(self.db_url))

    @classmethod
    def from_env(cls, **overrides: object) -> Settings:
        env = os.environ
        base = cls(
            db_url=env.get("SEPARATION_DB", DEFAULT_DB),
            pack=env.get("SEPARATION_PACK", "minneapolis"),
            key_path=default_key_path(),
            max_body_bytes=int(env.get("SEPARATION_MAX_BODY", "1000000")),
            timezone=env.get("SEPARATION_TIMEZONE", "America/Chicago"),
            migrate=env.get("SEPARATION_MIGRATE", "1") != "0",
            db_schema=env.get("SEPARATION_DB_SCHEMA") or None,
            sqlite_synchronous=env.get("SEPARATION_SQLITE_SYNCHRONOUS", "NORMAL"),
        )
        return replace(base, **overrides)  # type: ignore[arg-type]

    def to_env(self) -> dict[str, str]:
        """The environment that makes ``from_env`` rebuild these settings in a worker process."""
        env = {
            "SEPARATION_DB": self.db_url,
            "SEPARATION_PACK": self.pack,
            "SEPARATION_LEDGER_KEY": str(self.key_path),
            "SEPARATION_MAX_BODY": str(self.max_body_bytes),
            "SEPARATION_TIMEZONE": self.timezone,
            "SEPARATION_MIGRATE": "1" if self.migrate else "0",
            "SEPARATION_SQLITE_SYNCHRONOUS": self.sqlite_synchronous,
        }
        if self.db_schema:
            env["SEPARATION_DB_SCHEMA"] = self.db_schema
        return env
