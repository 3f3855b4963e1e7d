"""One registration per content type: a small extra type (procedures, tests/extra_type/) is a
model, its migration and one `register` call, and every door of the API serves it with no
edit to the API's code. It runs under its own settings in a subprocess (a page model must be
installed, with its migration, for a whole session), so this suite's enums, query budgets and
migration check never see it."""

import os
import subprocess
import sys

from django.conf import settings


def test_an_extra_type_is_served_by_every_door_with_one_registration(heavy):
    command = [
        sys.executable,
        "-m",
        "pytest",
        "-q",
        "-n",
        "0",
        "-p",
        "no:cacheprovider",
        "--ds=tests.extra_type.settings",
        "-o",
        "python_files=check_*.py",
        "tests/extra_type/",
    ]
    env = {key: value for key, value in os.environ.items() if not key.startswith("PYTEST_")}
    result = subprocess.run(  # noqa: S603 - our own interpreter and arguments
        command, cwd=settings.BASE_DIR, env=env, capture_output=True, text=True, timeout=900
    )
    assert result.returncode == 0, result.stdout[-8000:] + result.stderr[-4000:]
    assert " passed" in result.stdout and " failed" not in result.stdout
