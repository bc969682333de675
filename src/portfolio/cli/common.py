"""What every command shares: settings loading and the error-to-exit-code rule."""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError
from rich.console import Console

from portfolio.config import Settings
from portfolio.errors import ConfigError

console = Console()
err_console = Console(stderr=True)


def load_settings(**overrides: Any) -> Settings:
    """Settings from the environment, with command-line values on top; ConfigError if invalid."""
    try:
        base = Settings()
        if not overrides:
            return base
        data = base.model_dump()
        for dotted, value in overrides.items():
            if value is None:
                continue
            group, _, name = dotted.partition("__")
            if name:
                data[group][name] = value
            else:
                data[group] = value
        return Settings(**data)
    except ValidationError as err:
        first = err.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "settings"
        raise ConfigError(f"invalid setting {where}: {first['msg']}") from err
