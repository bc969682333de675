"""Concurrent writers never lose an update: one winner per version, the rest 412."""

from __future__ import annotations

import asyncio

import httpx

from portfolio.api.app import create_app
from portfolio.config import Settings
from portfolio.store.protocols import Store
from tests.conftest import auth


def test_50_concurrent_patches_with_the_same_if_match_have_one_winner(
    settings: Settings, store: Store
) -> None:
    app = create_app(settings, store=store, configure_logs=False)

    async def scenario() -> tuple[list[int], str, dict[str, object]]:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            created = await client.post(
                "/api/v1/users", json={"name": "start", "email": "c@example.com"}, headers=auth()
            )
            url = f"/api/v1/users/{created.json()['id']}"

            async def patch(i: int) -> httpx.Response:
                return await client.patch(
                    url, json={"name": f"writer-{i}"}, headers={**auth(), "If-Match": '"1"'}
                )

            responses = await asyncio.gather(*(patch(i) for i in range(50)))
            winners = [r for r in responses if r.status_code == 200]
            stored = (await client.get(url)).json()
            return (
                [r.status_code for r in responses],
                winners[0].json()["name"] if winners else "",
                stored,
            )

    statuses, winner_name, stored = asyncio.run(scenario())
    assert statuses.count(200) == 1
    assert statuses.count(412) == 49
    assert stored["name"] == winner_name
    assert stored["version"] == 2
