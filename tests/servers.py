"""Real servers for tests: a free loopback port, a fresh database, waiting for a server."""

import os
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit

import psycopg

BASE_DIR = Path(__file__).resolve().parents[1]


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def production_env(database_url, **overrides):
    """The environment of a gunicorn (or manage.py) process with the production settings, on
    loopback, plain HTTP."""
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "cms.settings.production",
        "SECRET_KEY": "a-long-random-secret-only-for-tests-on-loopback",
        "ALLOWED_HOSTS": "127.0.0.1",
        "REDIS_URL": os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/15"),
        "DATABASE_URL": database_url,
        "SECURE_SSL_REDIRECT": "false",
        **overrides,
    }


def run_python(env, *args, timeout=600):
    """Run `python args` with `env` in the project's folder; the finished process."""
    return subprocess.run(
        [sys.executable, *args],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def manage(env, *args, timeout=600):
    """Run `manage.py args` with `env` in the project's folder; its output (it must succeed)."""
    result = run_python(env, "manage.py", *args, timeout=timeout)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return result.stdout


def database_url_of(connection):
    """The URL of the database a Django `connection` uses (a test's own database), for the
    processes a test starts and the connections it opens beside Django's."""
    db = connection.settings_dict
    host = db["HOST"] or "127.0.0.1"
    port = db["PORT"] or 5432
    return f"postgres://{db['USER']}@{host}:{port}/{db['NAME']}"


def fetch(url, timeout=5):
    with urllib.request.urlopen(url, timeout=timeout) as response:  # noqa: S310 (loopback only)
        return response.status, response.headers, response.read()


def wait_until_serving(url, process, seconds=30):
    """Poll `url` until it answers; fail early if `process` exits."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            return fetch(url)
        except OSError:
            if time.monotonic() > deadline or process.poll() is not None:
                raise
            time.sleep(0.2)


def with_bind(argv, address):
    """A gunicorn command line `argv` binding `address` instead of whatever it binds."""
    if "--bind" in argv:
        at = argv.index("--bind")
        return [*argv[:at], *argv[at + 2 :], "--bind", address]
    return [*argv, "--bind", address]


def venv_gunicorn(argv):
    return [str(Path(sys.executable).with_name("gunicorn")), *argv[1:]]


@contextmanager
def gunicorn(
    env,
    port=None,
    workers=1,
    stderr=subprocess.DEVNULL,
    argv=None,
    cwd=BASE_DIR,
    launch=venv_gunicorn,
):
    """gunicorn serving the project on loopback `port` (a free one by default) with `env`, from
    `cwd` (the project's folder by default, so gunicorn.conf.py applies). `argv`: the gunicorn
    command line (docker-compose.yml's, say), its --bind replaced; `launch` turns it into the
    process's argv (tests/image.py runs it from the image's files). Yields (base URL,
    /healthz/'s first answer); stops the server afterwards."""
    port = port or free_port()
    argv = argv or ["gunicorn", "cms.wsgi:application", "--workers", str(workers)]
    server = subprocess.Popen(
        launch(with_bind(argv, f"127.0.0.1:{port}")),
        cwd=cwd,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=stderr,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        yield base, wait_until_serving(f"{base}/healthz/", server)
    finally:
        server.terminate()
        server.wait(timeout=20)


@contextmanager
def fresh_database(tmp_path):
    """A database URL of an empty database of the same kind as DATABASE_URL's (a new PostgreSQL
    database on the same server, named after DATABASE_URL's and dropped afterwards; else an
    SQLite file in `tmp_path`)."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        yield f"sqlite:///{tmp_path / f'server-{uuid.uuid4().hex[:12]}.sqlite3'}"
        return
    parts = urlsplit(url)
    name = f"{parts.path.strip('/')[:40] or 'cms'}_{uuid.uuid4().hex[:12]}"
    admin_url = parts._replace(path="/postgres").geturl()
    with psycopg.connect(admin_url, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    try:
        yield parts._replace(path=f"/{name}").geturl()
    finally:
        with psycopg.connect(admin_url, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def start_worker(env, *args, log):
    """`manage.py run_worker` (looping unless `args` say --once) with `env`, from the project's
    folder, its output appended to the file `log`."""
    with open(log, "ab") as output:
        return subprocess.Popen(
            [sys.executable, "manage.py", "run_worker", *args],
            cwd=BASE_DIR,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
