"""GET /livez: liveness, apart from readiness (/health).

ECS replaces a task whose container health check fails. If that check asked /health,
a DynamoDB blip (503 there) would make ECS replace every task at once, turning a
store fault into an outage. /livez answers 200 whenever the event loop runs, so only a
hung or dead process is replaced; the ALB keeps using /health to route around tasks
that cannot reach the store.
"""

from __future__ import annotations

from fastapi import APIRouter, Response

from portfolio.names import LIVENESS_PATH

router = APIRouter(tags=["health"])

_BODY = b'{"status":"alive"}'


@router.get(LIVENESS_PATH, responses={200: {"description": "The process serves requests."}})
async def livez() -> Response:
    return Response(_BODY, media_type="application/json", headers={"Cache-Control": "no-store"})
