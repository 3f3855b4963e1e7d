"""`manage.py run_local [addr:port]`: what `make run` starts on a laptop, the development server
and the worker together (scheduled publishing, expiry into sync, webhook deliveries, review
reminders), as one command: Ctrl-C stops both, and when one stops the other is stopped too.

Both get this process's environment, so they agree on one origin (API_BASE_URL, which `make
run` derives from HOST and PORT)."""

import os
import signal
import subprocess
import sys
import time

from django.conf import settings
from django.core.management.base import BaseCommand

POLL_SECONDS = 0.5
STOP_SECONDS = 10  # how long each process has to stop before it is killed


class Command(BaseCommand):
    help = "Run the development server and the worker together (Ctrl-C stops both)."

    def add_arguments(self, parser):
        parser.add_argument("addrport", nargs="?", default="127.0.0.1:8000")

    def handle(self, addrport, **options):
        manage = [sys.executable, str(settings.BASE_DIR / "manage.py")]
        commands = {
            "web": [*manage, "runserver", addrport],
            "worker": [*manage, "run_worker"],
        }
        self.stdout.write(
            f"Starting the web server on http://{addrport}/ and the worker "
            f"(API_BASE_URL={settings.API_BASE_URL}); Ctrl-C stops both."
        )
        processes = {name: subprocess.Popen(command) for name, command in commands.items()}  # noqa: S603
        stopping = []
        signal.signal(signal.SIGTERM, lambda *_: stopping.append("SIGTERM"))
        try:
            while not stopping:
                ended = {
                    name: p.returncode for name, p in processes.items() if p.poll() is not None
                }
                if ended:
                    name, code = next(iter(ended.items()))
                    self.stderr.write(f"The {name} stopped (exit code {code}): stopping the rest.")
                    return self.stop(processes, code or 1)
                time.sleep(POLL_SECONDS)
        except KeyboardInterrupt:
            pass
        return self.stop(processes, 0)

    def stop(self, processes, code):
        for process in processes.values():
            if process.poll() is None:
                process.send_signal(signal.SIGINT if os.name == "posix" else signal.SIGTERM)
        for process in processes.values():
            try:
                process.wait(STOP_SECONDS)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        if code:
            sys.exit(code)
