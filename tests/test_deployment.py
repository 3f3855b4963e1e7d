"""docker-compose.yml can't run here (no Docker engine): check every service against the code and
deploy/nginx.conf, and run its health checks. tests/test_image.py runs its commands (migrate,
gunicorn, run_worker) from the image's files, and nginx with deploy/nginx.conf in front."""

import ipaddress
import re
import shlex
import subprocess
import sys
import time
from pathlib import Path

from django.conf import settings as django_settings
from django.core.management import get_commands

import pytest
import yaml

from tests.servers import production_env

BASE_DIR = Path(__file__).resolve().parents[1]
NGINX = BASE_DIR / "deploy" / "nginx.conf"
APP_SERVICES = {"migrate", "web", "worker"}


@pytest.fixture(scope="module")
def compose():
    return yaml.safe_load((BASE_DIR / "docker-compose.yml").read_text())


def command_of(service):
    command = service["command"]
    return shlex.split(command) if isinstance(command, str) else command


def test_stack_has_the_production_services(compose):
    assert set(compose["services"]) == APP_SERVICES | {"postgres", "redis", "proxy"}
    for name in APP_SERVICES:
        env = compose["services"][name]["environment"]
        assert env["DJANGO_SETTINGS_MODULE"] == "cms.settings.production"
        assert env["DATABASE_URL"].startswith("postgres://")
        assert env["REDIS_URL"].startswith("redis://redis:")
        assert "SECRET_KEY" in env and "ALLOWED_HOSTS" in env
        assert "API_TRUSTED_PROXIES" in env


def default_of(value):
    """The default of a `${NAME:-default}` value."""
    return re.fullmatch(r"\$\{\w+:-(.*)\}", value).group(1)


def test_the_default_trusted_proxies_are_the_stack_private_networks(compose):
    """The web port is not published, so only the proxy and the stack's own containers, on
    its private network, reach the web processes: those are the trusted peers."""
    trusted = default_of(compose["services"]["web"]["environment"]["API_TRUSTED_PROXIES"])
    networks = [ipaddress.ip_network(entry) for entry in trusted.split(",")]  # as settings do
    assert networks and all(network.is_private for network in networks)


def test_manage_py_commands_exist(compose):
    commands = get_commands()
    for name in ("migrate", "worker"):
        argv = command_of(compose["services"][name])
        assert argv[:2] == ["python", "manage.py"]
        assert argv[2] in commands, f"{name}: manage.py {argv[2]} does not exist"
    assert command_of(compose["services"]["worker"])[2] == "run_worker"
    health = compose["services"]["worker"]["healthcheck"]["test"]
    assert health[:3] == ["CMD", "python", "manage.py"] and health[3] in commands


def test_gunicorn_app_path_imports(compose):
    argv = command_of(compose["services"]["web"])
    assert argv[0] == "gunicorn"
    module, attr = argv[1].split(":")
    app = getattr(__import__(module, fromlist=[attr]), attr)
    assert callable(app)
    dockerfile = (BASE_DIR / "Dockerfile").read_text()
    assert f'"gunicorn", "{argv[1]}"' in dockerfile


def test_web_health_check_targets_an_endpoint_that_exists(compose, client):
    test = " ".join(compose["services"]["web"]["healthcheck"]["test"])
    path = re.search(r"http://127\.0\.0\.1:8000(/[^'\" ]*)", test).group(1)
    assert client.get(path).status_code == 200


def test_every_service_that_keeps_running_has_a_health_check(compose):
    services = compose["services"]
    for name, service in services.items():
        if service.get("restart") == "no":  # a one-off: the others wait for it to complete
            for other in services.values():
                condition = other.get("depends_on", {}).get(name, {}).get("condition")
                assert condition in (None, "service_completed_successfully"), name
            continue
        test = service.get("healthcheck", {}).get("test")
        assert test and test[0] in ("CMD", "CMD-SHELL"), f"{name} has no health check"
    assert services["postgres"]["healthcheck"]["test"][1] == "pg_isready"
    assert services["redis"]["healthcheck"]["test"][1:] == ["redis-cli", "ping"]


def test_web_and_worker_start_after_healthy_data_services_and_the_migration(compose):
    for name in ("web", "worker"):
        depends = compose["services"][name]["depends_on"]
        assert depends["postgres"]["condition"] == "service_healthy"
        assert depends["redis"]["condition"] == "service_healthy"
        assert depends["migrate"]["condition"] == "service_completed_successfully"
    assert compose["services"]["proxy"]["depends_on"]["web"]["condition"] == "service_healthy"


def test_only_the_proxy_is_reachable_from_outside(compose):
    for name, service in compose["services"].items():
        assert service.get("network_mode") != "host", name
        if name != "proxy":
            assert not service.get("ports"), f"{name} publishes a port: clients must use the proxy"
    (published,) = compose["services"]["proxy"]["ports"]
    assert published.endswith(":80")  # the port deploy/nginx.conf listens on
    assert "listen 80;" in NGINX.read_text()


def test_the_proxy_serves_media_from_the_volume_the_app_writes(compose):
    """deploy/nginx.conf, mounted into the official nginx image, answers /media/ from the same
    volume the web processes write MEDIA_ROOT to, and everything else from the web service at
    the port its gunicorn binds."""
    services = compose["services"]
    proxy = services["proxy"]
    assert proxy["image"].startswith("nginx:")
    mounts = dict(volume.split(":", 1) for volume in proxy["volumes"])
    assert mounts["./deploy/nginx.conf"] == "/etc/nginx/conf.d/default.conf:ro"
    assert (BASE_DIR / "deploy" / "nginx.conf").is_file()

    web = services["web"]
    media_root = web["environment"]["MEDIA_ROOT"]
    (volume,) = [v.split(":")[0] for v in web["volumes"] if v.split(":")[1] == media_root]
    assert volume in compose["volumes"]
    served_from = mounts[volume].removesuffix(":ro")
    assert mounts[volume].endswith(":ro")  # the proxy only reads it
    config = NGINX.read_text()
    media = re.search(r"location /media/ \{\s*alias ([^;]+);", config)
    assert media and media.group(1).rstrip("/") == served_from.rstrip("/")
    assert django_settings.MEDIA_URL == "/media/"

    argv = command_of(web)
    bind_port = argv[argv.index("--bind") + 1].rsplit(":", 1)[1]
    assert f"set $web http://web:{bind_port};" in config
    assert re.search(r"location / \{\s*proxy_pass \$web;", config)
    assert "proxy_set_header X-Forwarded-For $remote_addr;" in config  # written afresh


@pytest.mark.heavy
def test_the_worker_health_check_runs_and_reads_the_heartbeat(heavy, compose, tmp_path, settings):
    """docker-compose.yml's health check of the worker, as a real process: failing before any
    round, passing after one, failing once the heartbeat is older than its limit."""
    from worker import heartbeat

    settings.WORKER_HEARTBEAT_FILE = tmp_path / "heartbeat"
    env = production_env(
        f"sqlite:///{tmp_path / 'db.sqlite3'}", WORKER_HEARTBEAT_FILE=str(tmp_path / "heartbeat")
    )
    argv = compose["services"]["worker"]["healthcheck"]["test"][1:]
    assert argv[0] == "python"

    def check():
        run = [sys.executable, *argv[1:]]
        return subprocess.run(run, cwd=BASE_DIR, env=env, capture_output=True, text=True)

    assert check().returncode != 0  # no round yet
    heartbeat.beat()
    assert check().returncode == 0
    max_age = float(argv[argv.index("--max-age") + 1])
    (tmp_path / "heartbeat").write_text(f"{time.time() - max_age - 5}\n")
    stale = check()
    assert stale.returncode != 0 and "stopped or stuck" in stale.stderr
