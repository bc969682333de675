"""The contract suite runs every backend behind the seam's wrapper, as the service does."""

from __future__ import annotations

import pytest

from portfolio.store.measured import measured
from portfolio.store.protocols import Store


@pytest.fixture
def store(store: Store) -> Store:
    """The shared ``store`` fixture (every backend in turn), behind ``measured()``."""
    return measured(store)
