"""/api/v1/users: create, read, list (cursor pages), partial update and delete.

Updates and deletes require ``If-Match`` with the version's ETag, so two
writers can never silently overwrite each other.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, Query, Response, status

from portfolio.api.deps import CallerDep, StoreDep, WriterDep
from portfolio.api.problems import ProblemError
from portfolio.api.schemas import UserCreate, UserPublic, UsersPage, UserUpdate
from portfolio.names import USERS_PATH
from portfolio.store.records import NewUser, User

router = APIRouter(prefix=USERS_PATH, tags=["users"])

_PROBLEMS: dict[int | str, dict[str, str]] = {
    401: {"description": "No or unknown API key."},
    403: {"description": "Read-only API key."},
    404: {"description": "No such user."},
    409: {"description": "Email already in use."},
    412: {"description": "If-Match does not match the current version."},
    413: {"description": "Body too large."},
    422: {"description": "Invalid fields."},
    428: {"description": "If-Match missing."},
}


def etag(user: User) -> str:
    return f'"{user.version}"'


def parse_if_match(value: str | None) -> int:
    """The version named by If-Match; 428 when absent, 412 when it names no version."""
    if value is None:
        raise ProblemError(
            428,
            "send 'If-Match' with the user's ETag (from GET) so changes are not lost",
            slug="if-match-required",
        )
    candidate = value.strip().removeprefix("W/").strip('"')
    if not candidate.isdigit():
        raise ProblemError(
            412,
            f'If-Match {value!r} is not a version ETag of this API (like "3")',
            slug="version-mismatch",
        )
    return int(candidate)


def _public(user: User, caller_has_key: bool, response: Response) -> UserPublic:
    response.headers["ETag"] = etag(user)
    return UserPublic.of(user, show_email=caller_has_key)


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=UserPublic,
    response_model_exclude_none=True,
    responses=_PROBLEMS,
)
def create_user(body: UserCreate, store: StoreDep, _: WriterDep, response: Response) -> UserPublic:
    user = store.create_user(
        NewUser(
            name=body.name,
            email=str(body.email),
            role=body.role,
            title=body.title,
            bio=body.bio,
            links=tuple(str(link) for link in body.links),
        )
    )
    response.headers["Location"] = f"{USERS_PATH}/{user.id}"
    return _public(user, True, response)


@router.get("", response_model=UsersPage, response_model_exclude_none=True)
def list_users(
    store: StoreDep,
    caller: CallerDep,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    cursor: Annotated[str | None, Query(max_length=512)] = None,
) -> UsersPage:
    page = store.list_users(limit=limit, cursor=cursor)
    return UsersPage(
        items=[UserPublic.of(u, show_email=caller.authenticated) for u in page.items],
        next_cursor=page.next_cursor,
    )


@router.get(
    "/{user_id}", response_model=UserPublic, response_model_exclude_none=True, responses=_PROBLEMS
)
def get_user(user_id: str, store: StoreDep, caller: CallerDep, response: Response) -> UserPublic:
    return _public(store.get_user(user_id), caller.authenticated, response)


@router.patch(
    "/{user_id}", response_model=UserPublic, response_model_exclude_none=True, responses=_PROBLEMS
)
def update_user(
    user_id: str,
    body: UserUpdate,
    store: StoreDep,
    _: WriterDep,
    response: Response,
    if_match: Annotated[str | None, Header()] = None,
) -> UserPublic:
    version = parse_if_match(if_match)
    user = store.update_user(user_id, body.changes(), expected_version=version)
    return _public(user, True, response)


@router.delete("/{user_id}", status_code=status.HTTP_204_NO_CONTENT, responses=_PROBLEMS)
def delete_user(
    user_id: str,
    store: StoreDep,
    _: WriterDep,
    if_match: Annotated[str | None, Header()] = None,
) -> Response:
    store.delete_user(user_id, expected_version=parse_if_match(if_match))
    return Response(status_code=status.HTTP_204_NO_CONTENT)
