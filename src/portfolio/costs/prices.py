"""The dated price table: load it, look prices up, and refuse a table that is not sourced.

The table is data (`prices.toml` beside this module) so a price change is a one-line
diff that names its source page and date, and the estimator never holds a figure.
"""

from __future__ import annotations

import datetime as dt
import tomllib
from importlib import resources
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from portfolio.errors import ConfigError, InputError

PRICES_FILE = "prices.toml"


class Price(BaseModel):
    """One unit price, where it comes from and how sure we are of it."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    key: str
    service: str = Field(min_length=1, description="Cost Explorer SERVICE dimension value.")
    description: str = Field(min_length=1)
    unit: str = Field(min_length=1)
    usd: float = Field(ge=0)
    free_per_month: float = Field(default=0, ge=0, description="Always-free monthly allowance.")
    source: str
    as_of: dt.date
    verified: bool
    evidence: str = ""

    @field_validator("source")
    @classmethod
    def _aws_page(cls, value: str) -> str:
        if not value.startswith("https://aws.amazon.com/"):
            raise ValueError(f"source must be an AWS pricing page, got {value!r}")
        return value


class PriceTable(BaseModel):
    """All prices of one region, keyed by a stable name the estimator uses."""

    model_config = ConfigDict(frozen=True)

    region: str
    currency: str
    as_of: dt.date
    prices: dict[str, Price]

    def __getitem__(self, key: str) -> Price:
        try:
            return self.prices[key]
        except KeyError:
            raise InputError(f"price table has no row {key!r}") from None

    def usd(self, key: str) -> float:
        return self[key].usd

    def unverified(self) -> list[Price]:
        """Rows whose figure the lookup could not confirm; reports list them as caveats."""
        return [price for price in self.prices.values() if not price.verified]


def parse_prices(text: str) -> PriceTable:
    """Parse a price table from TOML text; ConfigError names the first bad row."""
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        raise ConfigError(f"price table is not valid TOML: {err}") from err
    meta = raw.get("meta", {})
    rows = raw.get("prices", {})
    try:
        prices = {key: Price(key=key, **row) for key, row in rows.items()}
        return PriceTable(
            region=meta["region"],
            currency=meta["currency"],
            as_of=meta["as_of"],
            prices=prices,
        )
    except KeyError as err:
        raise ConfigError(f"price table [meta] lacks {err.args[0]!r}") from err
    except ValidationError as err:
        first = err.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise ConfigError(f"price table row invalid at {where}: {first['msg']}") from err


def load_prices(path: Path | None = None) -> PriceTable:
    """The packaged Tokyo price table, or the table at ``path``."""
    if path is None:
        text = resources.files("portfolio.costs").joinpath(PRICES_FILE).read_text("utf-8")
    else:
        try:
            text = path.read_text("utf-8")
        except OSError as err:
            raise ConfigError(f"cannot read price table {path}: {err.strerror}") from err
    return parse_prices(text)
