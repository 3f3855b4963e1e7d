"""The README's receivers (clients/webhooks/receiver.py and receiver.mjs) verify real
deliveries with the Standard Webhooks libraries of each language, refuse a wrong secret, and
drop a redelivery's duplicate."""

import json
import shutil
import socket
import subprocess
import sys
import time

import pytest

from tests.servers import BASE_DIR, free_port
from webhooks import delivery, outbox, signing
from webhooks.models import Delivery, Endpoint

pytestmark = pytest.mark.django_db
CLIENTS = BASE_DIR / "clients" / "webhooks"


def run_receiver(command, secret):
    port = free_port()
    env = {"WEBHOOK_SECRET": secret, "PORT": str(port), "PATH": "/usr/bin:/bin"}
    process = subprocess.Popen(
        command, cwd=CLIENTS, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    deadline = time.monotonic() + 20
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return process, f"http://127.0.0.1:{port}/hooks"
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(process.stderr.read()) from None
            time.sleep(0.1)


def deliver_to(url, secret):
    endpoint = Endpoint.objects.create(url=url, secret=secret)
    outbox.emit([("page.published", {"id": 7, "keys": ["page-7", "collection-conditions"]})])
    delivery.deliver_due()
    return Delivery.objects.get(endpoint=endpoint)


def check_receiver(command):
    secret = signing.new_secret()
    process, url = run_receiver(command, secret)
    try:
        item = deliver_to(url, secret)
        assert (item.status, item.last_status_code) == (Delivery.Status.SUCCEEDED, 204)
        assert delivery.redeliver(item) is None
        delivery.deliver_due()  # the same webhook-id again: accepted, not processed twice
        item.refresh_from_db()
        assert item.log.filter(status_code=204).count() == 2

        Endpoint.objects.update(is_active=False)
        wrong = deliver_to(url, signing.new_secret())  # an endpoint that signs otherwise
        assert wrong.last_status_code == 401 and wrong.status == Delivery.Status.PENDING
    finally:
        process.terminate()
        out, _ = process.communicate(timeout=10)
    [line] = out.splitlines()  # one event processed: the duplicate and the forgery were not
    assert json.loads(line)["type"] == "page.published"
    assert json.loads(line)["keys"] == ["page-7", "collection-conditions"]


def test_the_python_receiver():
    check_receiver([sys.executable, "receiver.py"])


def test_the_node_receiver(heavy):
    node = shutil.which("node")
    assert node, "Node.js 20+ is needed for the Node receiver (CI has it)"
    if not (CLIENTS / "node_modules" / "standardwebhooks").exists():
        subprocess.run(["npm", "ci", "--no-audit", "--no-fund"], cwd=CLIENTS, check=True)
    check_receiver([node, "receiver.mjs"])
