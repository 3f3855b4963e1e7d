"""`make run` starts the web server and the worker as one command (worker/management/commands/
run_local.py): both run, both agree on one origin, and Ctrl-C stops both. A real-process
suite: runs in CI's PostgreSQL pass (it makes its own SQLite database either way)."""

import os
import signal
import subprocess
import sys
from pathlib import Path

from tests.servers import BASE_DIR, free_port, manage, wait_until_serving


def children(pid):
    """The command lines of `pid`'s child processes."""
    found = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        for child in (task / "children").read_text().split():
            found.append(Path(f"/proc/{child}/cmdline").read_bytes().replace(b"\0", b" ").decode())
    return found


def test_make_run_serves_and_works_and_ctrl_c_stops_both(heavy, tmp_path):
    port = free_port()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "cms.settings.dev",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "API_BASE_URL": f"http://127.0.0.1:{port}",
    }
    manage(env, "migrate", "--noinput")
    process = subprocess.Popen(  # noqa: S603 - our own interpreter and arguments
        [sys.executable, "manage.py", "run_local", f"127.0.0.1:{port}"],
        cwd=BASE_DIR,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    try:
        status, _, body = wait_until_serving(f"http://127.0.0.1:{port}/api/v1/", process, 60)
        assert status == 200 and f"http://127.0.0.1:{port}/api/v1/docs/".encode() in body
        running = children(process.pid)
        assert any("runserver" in line for line in running), running
        assert any("run_worker" in line for line in running), running
        os.killpg(process.pid, signal.SIGINT)  # Ctrl-C in a terminal: the whole group
        output, _ = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
    assert process.returncode == 0, output[-3000:]
    assert "Ctrl-C stops both" in output
