"""The site's words for one and for none: "1 person", and an empty state that is no list item.

A store with one member and no probes, served for real and read in English.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from playwright.sync_api import Page, expect

from portfolio.store.records import NewUser
from portfolio.store.sqlite import SQLiteStore
from tests.browser.conftest import Watch
from tests.server import ServerProcess

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def one_member(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    db = tmp_path_factory.mktemp("one") / "one.db"
    store = SQLiteStore(db)
    store.create_user(NewUser(name="Hanako Sato", email="hanako@example.com"))
    store.close()
    server = ServerProcess(db, PORTFOLIO_TELEMETRY__ENABLED="false")
    server.start()
    try:
        yield server
    finally:
        server.terminate()


def _english(open_page: Callable[..., tuple[Page, Watch]], url: str) -> tuple[Page, Watch]:
    p, watch = open_page(locale="en-US")
    p.goto(url)
    return p, watch


def test_one_member_is_one_person(
    one_member: ServerProcess, open_page: Callable[..., tuple[Page, Watch]]
) -> None:
    p, watch = _english(open_page, one_member.base_url + "/")
    expect(p.locator("#people .card")).to_have_count(1, timeout=15000)
    expect(p.locator("#people-state")).to_have_text("1 person")
    watch.assert_clean()


def test_no_incidents_is_a_sentence_not_a_numbered_item(
    one_member: ServerProcess, open_page: Callable[..., tuple[Page, Watch]]
) -> None:
    p, watch = _english(open_page, one_member.base_url + "/status.html")
    expect(p.locator("body[data-loaded=true]")).to_have_count(1, timeout=15000)
    expect(p.locator("#incidents-none")).to_have_text("No incidents in this period")
    expect(p.locator("#incidents li")).to_have_count(0)
    expect(p.locator("#incidents")).to_be_hidden()
    watch.assert_clean()
