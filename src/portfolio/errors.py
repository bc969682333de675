"""The exception tree of portfolio.

Library code raises these; only the API layer turns them into HTTP status codes
(api/problems.py) and only the CLI turns them into exit codes (cli/main.py)::

    PortfolioError
    ├── ConfigError              settings that cannot be used (exit 2)
    ├── InputError               a bad value given by a person or a client (422 / exit 2)
    ├── NotFoundError            the thing asked for does not exist (404)
    ├── ConflictError            the write would break a rule of the data
    │   ├── DuplicateEmailError  another user has that email (409)
    │   └── VersionMismatchError the If-Match version is stale (412)
    ├── StoreError               the store failed
    │   ├── StoreUnavailableError  it cannot be reached now; retry later (503)
    │   └── ItemTooLargeError      the item exceeds what the store accepts (413/422)
    ├── SourceError              a report source could not deliver observations
    ├── RenderError              a report format could not be produced (the PDF's browser)
    └── InfraError               the CDK app could not be synthesized or read (exit 2)
"""


class PortfolioError(Exception):
    """Base of every error this package raises on purpose."""


class ConfigError(PortfolioError):
    """Settings are missing or invalid."""


class InputError(PortfolioError):
    """A value given by the caller is not acceptable."""


class NotFoundError(PortfolioError):
    """The requested item does not exist."""


class ConflictError(PortfolioError):
    """The write conflicts with data already stored."""


class DuplicateEmailError(ConflictError):
    """Another user already has this email."""


class VersionMismatchError(ConflictError):
    """The caller's expected version is not the stored version."""

    def __init__(self, message: str, *, current_version: int | None = None) -> None:
        super().__init__(message)
        self.current_version = current_version


class StoreError(PortfolioError):
    """The store failed to carry out an operation."""


class StoreUnavailableError(StoreError):
    """The store cannot be reached; the operation may succeed later.

    ``reason`` is the failure in one word (``store-unreachable``, ``disk-full``,
    ``store-busy``), what an anonymous readiness answer may say of it.
    """

    def __init__(self, message: str, *, reason: str = "store-unreachable") -> None:
        super().__init__(message)
        self.reason = reason


class ItemTooLargeError(StoreError):
    """The item is larger than the store accepts."""


class SourceError(PortfolioError):
    """A report source could not produce observations."""


class RenderError(PortfolioError):
    """A renderer's external tool (Chromium for the PDF) failed."""


class InfraError(PortfolioError):
    """The CDK app could not be synthesized, or its cloud assembly could not be read."""
