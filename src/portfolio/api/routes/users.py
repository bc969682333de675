"""/api/v1/users: create, read, list (cursor pages), partial update and delete.

Updates and deletes require ``If-Match`` with the version's ETag, so two
writers can never silently overwrite each other. Writes check the API key
before the body is read, so an anonymous caller learns nothing about the body
rules (401, never 422).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Header, Path, Query, Request, Response, status

from portfolio.api import offload
from portfolio.api.audit import record_role_change
from portfolio.api.deps import AuthFirstRoute, StoreDep, WriterDep, identify
from portfolio.api.preconditions import IfMatch, choose_version, parse_if_match
from portfolio.api.problems import ProblemError
from portfolio.api.runtime import Runtime
from portfolio.api.schemas import UserCreate, UserPublic, UsersPage, UserUpdate
from portfolio.api.user_json import user_json, users_page_json
from portfolio.names import USERS_PATH
from portfolio.store.protocols import Store
from portfolio.store.records import NewUser, Role, User, UserChanges

router = APIRouter(prefix=USERS_PATH, tags=["users"], route_class=AuthFirstRoute)

USER_ID_PATTERN = r"^[0-9A-Za-z]{1,64}$"
"""Server-made ids are 26-character ULIDs; anything longer or stranger names no user and
must never reach a store key (DynamoDB refuses keys over 2,048 bytes)."""

UserId = Annotated[str, Path(pattern=USER_ID_PATTERN, description="A user id (ULID).")]
WRITE: dict[str, Any] = {"security": [{"bearer": []}]}
READ: dict[str, Any] = {"security": [{}, {"bearer": []}]}
"""Reads need no key; with a valid one, the answer shows emails."""

_PROBLEMS: dict[int | str, dict[str, str]] = {
    401: {"description": "No or unknown API key."},
    403: {"description": "Read-only API key."},
    404: {"description": "No such user."},
    409: {"description": "Email already in use."},
}
_PRECONDITIONS: dict[int | str, dict[str, str]] = {
    400: {"description": "If-Match is malformed."},
    412: {"description": "If-Match does not match the current version (strong comparison)."},
    428: {"description": "If-Match missing."},
}


def _reader(request: Request) -> tuple[Runtime, bool]:
    """The worker's runtime, and whether the caller may see emails (a valid key; 401 if not).

    Read straight from the request rather than through dependencies: FastAPI solves each
    dependency per request, and these two reads are the API's hot path.
    """
    runtime: Runtime = request.app.state.runtime
    return runtime, identify(runtime, request.headers.get("authorization")).authenticated


def etag(user: User) -> str:
    return f'"{user.version}"'


def _user_response(user: User, *, show_email: bool, status_code: int = 200) -> Response:
    """One user's JSON with its ETag, serialized once (see ``portfolio.api.user_json``)."""
    return Response(
        user_json(user, show_email=show_email),
        status_code=status_code,
        media_type="application/json",
        headers={"ETag": etag(user)},
    )


def _expected_version(store: Store, user_id: str, wanted: IfMatch) -> int:
    """The version the write is made against; 412 when If-Match names none of the current.

    One tag is handed to the store, which compares and writes atomically; ``*`` and
    lists need the current version first (a change in between is still caught there).
    """
    if not wanted.any and len(wanted.versions) == 1:
        return next(iter(wanted.versions))
    return _matching(wanted, store.get_user(user_id))


def _matching(wanted: IfMatch, current: User) -> int:
    version = choose_version(wanted, current.version)
    if version is None:
        raise ProblemError(
            412,
            f"If-Match does not name the current version ({current.version})",
            slug="version-mismatch",
        )
    return version


# The routes are ``async def``: a plain ``def`` route costs a thread hop for the handler
# and another for validating its return value, each several times the cost of the
# query itself. Store work goes through ``offload``: local reads inline, the rest to the
# thread pool in one trip.


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=UserPublic,
    response_model_exclude_none=True,
    responses=_PROBLEMS,
    openapi_extra=WRITE,
)
async def create_user(body: UserCreate, store: StoreDep, _: WriterDep) -> Response:
    new = NewUser(
        name=body.name,
        email=str(body.email),
        role=body.role,
        title=body.title,
        bio=body.bio,
        links=tuple(str(link) for link in body.links),
    )
    user = await offload.write(store.create_user, new)
    response = _user_response(user, show_email=True, status_code=status.HTTP_201_CREATED)
    response.headers["Location"] = f"{USERS_PATH}/{user.id}"
    return response


@router.get("", response_model=UsersPage, responses={401: _PROBLEMS[401]}, openapi_extra=READ)
async def list_users(
    request: Request,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    cursor: Annotated[str | None, Query(max_length=512)] = None,
) -> Response:
    runtime, show_email = _reader(request)
    store = runtime.store

    async def read() -> bytes:
        page = await offload.read(store, store.list_users, limit=limit, cursor=cursor)
        return users_page_json(page, show_email=show_email)

    body = await runtime.user_reads.get(("page", limit, cursor, show_email), read)
    return Response(body, media_type="application/json")


@router.get(
    "/{user_id}",
    response_model=UserPublic,
    response_model_exclude_none=True,
    responses=_PROBLEMS,
    openapi_extra=READ,
)
async def get_user(request: Request, user_id: UserId) -> Response:
    runtime, show_email = _reader(request)
    store = runtime.store

    async def read() -> tuple[bytes, str]:
        user = await offload.read(store, store.get_user, user_id)
        return user_json(user, show_email=show_email), etag(user)

    body, tag = await runtime.user_reads.get(("user", user_id, show_email), read)
    return Response(body, media_type="application/json", headers={"ETag": tag})


@router.patch(
    "/{user_id}",
    response_model=UserPublic,
    response_model_exclude_none=True,
    responses=_PROBLEMS | _PRECONDITIONS,
    openapi_extra=WRITE,
)
async def update_user(
    user_id: UserId,
    body: UserUpdate,
    store: StoreDep,
    caller: WriterDep,
    if_match: Annotated[str | None, Header()] = None,
) -> Response:
    wanted = parse_if_match(if_match)
    actor = caller.key.key_id if caller.key is not None else None
    user = await offload.write(_update, store, user_id, body.changes(), wanted, actor)
    return _user_response(user, show_email=True)


def _update(
    store: Store, user_id: str, changes: UserChanges, wanted: IfMatch, actor: str | None
) -> User:
    """The update's store calls, in one trip to the thread pool."""
    old_role: Role | None = None
    if "role" in changes:  # the old role is needed for the 権限変更 record
        current = store.get_user(user_id)
        old_role = current.role
        version = _matching(wanted, current)
    else:
        version = _expected_version(store, user_id, wanted)
    user = store.update_user(user_id, changes, expected_version=version)
    if old_role is not None and actor is not None:
        record_role_change(store, user_id=user_id, old=old_role, new=user.role, actor=actor)
    return user


@router.delete(
    "/{user_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=_PROBLEMS | _PRECONDITIONS,
    openapi_extra=WRITE,
)
async def delete_user(
    user_id: UserId,
    store: StoreDep,
    _: WriterDep,
    if_match: Annotated[str | None, Header()] = None,
) -> Response:
    wanted = parse_if_match(if_match)
    await offload.write(_delete, store, user_id, wanted)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


def _delete(store: Store, user_id: str, wanted: IfMatch) -> None:
    store.delete_user(user_id, expected_version=_expected_version(store, user_id, wanted))
