"""The API fixtures, for tests that open what the API serves in a browser."""

from tests.api.conftest import api, get

__all__ = ["api", "get"]
