"""The API fixtures, for tests that open what the API serves in a browser, and Debian's
chromium (never a downloaded browser)."""

from pathlib import Path

import pytest

from tests.api.conftest import api, get

CHROMIUM = "/usr/bin/chromium"

__all__ = ["api", "get"]


@pytest.fixture
def chromium(heavy):
    if not Path(CHROMIUM).exists():
        pytest.fail("chromium is missing: apt-get install chromium (.ci/run does)")
    return CHROMIUM
