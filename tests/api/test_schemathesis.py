"""The OpenAPI document and the server agree exactly: schemathesis, with every check, against a
real gunicorn serving the seed content with production settings.

Heavy (about three minutes): runs in CI's PostgreSQL pass (HEAVY_TESTS=1), where the database is
PostgreSQL and the cache Redis, as in production.
"""

import json
import os
import subprocess
import sys
import time
import urllib.request
import uuid
from pathlib import Path

import pytest

from tests.servers import free_port, fresh_database, gunicorn, production_env

BASE_DIR = Path(__file__).resolve().parents[2]
MAX_SECONDS = int(os.environ.get("SCHEMATHESIS_SECONDS", "180"))


@pytest.mark.heavy
@pytest.mark.server
def test_the_server_does_what_the_schema_says(tmp_path, heavy):
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with fresh_database(tmp_path) as database_url:
        env = production_env(
            database_url,
            CACHE_KEY_PREFIX=f"schemathesis-{uuid.uuid4().hex[:8]}",
            MEDIA_ROOT=str(tmp_path / "media"),
            API_BASE_URL=base,
            API_ANONYMOUS_RATE="100000000/min",  # thousands of requests from one address
        )
        manage = [sys.executable, "manage.py"]
        for command in (["migrate", "--noinput", "-v0"], ["seed_content"]):
            subprocess.run([*manage, *command], cwd=BASE_DIR, env=env, check=True)
        # a key that may also mint preview tokens, so POST /preview/tokens/ is fuzzed past 401
        made = subprocess.run(
            [*manage, "create_api_key", "Schemathesis", "--scopes", "read,preview"],
            cwd=BASE_DIR,
            env=env,
            check=True,
            capture_output=True,
            text=True,
        )
        key = next(line for line in made.stdout.split() if line.startswith("cms_"))
        log = (tmp_path / "gunicorn.log").open("w")
        with gunicorn(env, port, workers=2, stderr=log):
            with urllib.request.urlopen(f"{base}/api/v1/schema/?format=json") as response:
                schema = json.loads(response.read())
            operations = {
                (method.upper(), path)
                for path, item in schema["paths"].items()
                for method in item
                if method in ("get", "head", "post", "put", "patch", "delete")
            }
            started = time.monotonic()
            run = subprocess.run(
                [
                    str(Path(sys.executable).with_name("schemathesis")),
                    "run",
                    f"{base}/api/v1/schema/",
                    "--checks",
                    "all",
                    "--max-time",
                    str(MAX_SECONDS),
                    # one worker: Python 3.11.7 can fail parsing in two threads at once
                    # ("AST constructor recursion depth mismatch", fixed in 3.11.8)
                    "--workers",
                    "1",
                    "--header",
                    f"Authorization: Bearer {key}",
                    "--report",
                    "junit",
                    "--report-dir",
                    str(tmp_path),
                    "--no-color",
                ],
                cwd=BASE_DIR,
                env={**env, "SCHEMATHESIS_HOOKS": ""},
                capture_output=True,
                text=True,
                timeout=MAX_SECONDS * 3 + 120,
                check=False,
            )
            took = time.monotonic() - started
    output = run.stdout[-15000:] + run.stderr[-3000:]
    assert run.returncode == 0, f"schemathesis found problems ({took:.0f} s):\n{output}"
    covered = operations_in_report(tmp_path)
    assert covered == operations, (
        f"schemathesis tested {len(covered)} of the {len(operations)} documented operations; "
        f"missing: {sorted(operations - covered)}\n{output}"
    )


def operations_in_report(report_dir):
    """(METHOD, path) of every operation the JUnit report has a test case for."""
    import xml.etree.ElementTree as ElementTree  # noqa: S405 (our own report file)

    found = set()
    for report in Path(report_dir).glob("*.xml"):
        for case in ElementTree.parse(report).iter("testcase"):  # noqa: S314
            method, _, path = case.get("name", "").partition(" ")
            if method in ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE") and path:
                found.add((method.upper(), path))
    return found
