"""The worker's heartbeat (worker/heartbeat.py): `run_worker` writes it as each round begins;
`manage.py worker_health`, the worker's health check in docker-compose.yml, passes while it is
fresh and fails when it is stale or missing."""

import datetime
import logging

from django.core.management import call_command
from django.core.management.base import CommandError

import pytest

from worker import heartbeat

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture
def beat_file(settings, tmp_path):
    settings.WORKER_HEARTBEAT_FILE = tmp_path / "heartbeat"
    return settings.WORKER_HEARTBEAT_FILE


def test_each_round_beats_and_the_health_check_reads_it(beat_file, freezer, capsys):
    with pytest.raises(CommandError, match="No worker heartbeat"):
        call_command("worker_health")  # no worker has run yet

    call_command("run_worker", "--once", verbosity=0)
    assert beat_file.exists()
    freezer.tick(datetime.timedelta(seconds=299))
    call_command("worker_health")
    assert "Worker alive" in capsys.readouterr().out

    freezer.tick(datetime.timedelta(seconds=2))  # 301 s without a round: stuck or stopped
    with pytest.raises(CommandError, match="stopped or stuck"):
        call_command("worker_health")
    call_command("worker_health", "--max-age", "600")

    call_command("run_worker", "--once", verbosity=0)
    call_command("worker_health")


def test_a_heartbeat_that_cannot_be_written_is_logged_once_and_the_worker_goes_on(
    settings, tmp_path, caplog, monkeypatch
):
    monkeypatch.setattr(heartbeat, "failing", False)
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    settings.WORKER_HEARTBEAT_FILE = blocker / "heartbeat"  # its folder is a file
    with caplog.at_level(logging.ERROR, logger="worker.heartbeat"):
        call_command("run_worker", "--once", verbosity=0)
        call_command("run_worker", "--once", verbosity=0)
    assert [r.message.startswith("Worker heartbeat not written") for r in caplog.records] == [True]
    with pytest.raises(CommandError):
        call_command("worker_health")
