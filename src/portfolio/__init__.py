"""portfolio: runs the AWS Portfolio Infrastructure's API and operates it.

The package measures the service, checks it, costs it and writes its monthly
operations report (運用報告書). See README.md for the map of the code.
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("portfolio")
except PackageNotFoundError:  # running from a source tree without installation
    __version__ = "0.0.0+local"

__all__ = ["__version__"]
