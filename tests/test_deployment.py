"""docker-compose.yml can't run here (no Docker engine): check every service against the code,
and run the web service's real command (gunicorn, production settings) on a loopback port."""

import re
import shlex
import subprocess
import sys
from pathlib import Path

from django.core.management import get_commands

import pytest
import yaml

from tests.servers import fetch, gunicorn, production_env

BASE_DIR = Path(__file__).resolve().parents[1]
APP_SERVICES = {"migrate", "web", "worker"}


@pytest.fixture(scope="module")
def compose():
    return yaml.safe_load((BASE_DIR / "docker-compose.yml").read_text())


def command_of(service):
    command = service["command"]
    return shlex.split(command) if isinstance(command, str) else command


def test_stack_has_the_production_services(compose):
    assert set(compose["services"]) == APP_SERVICES | {"postgres", "redis"}
    for name in APP_SERVICES:
        env = compose["services"][name]["environment"]
        assert env["DJANGO_SETTINGS_MODULE"] == "cms.settings.production"
        assert env["DATABASE_URL"].startswith("postgres://")
        assert env["REDIS_URL"].startswith("redis://redis:")
        assert "SECRET_KEY" in env and "ALLOWED_HOSTS" in env


def test_manage_py_commands_exist(compose):
    commands = get_commands()
    for name in ("migrate", "worker"):
        argv = command_of(compose["services"][name])
        assert argv[:2] == ["python", "manage.py"]
        assert argv[2] in commands, f"{name}: manage.py {argv[2]} does not exist"
    assert command_of(compose["services"]["worker"])[2] == "run_worker"


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


def test_data_services_have_health_checks(compose):
    assert compose["services"]["postgres"]["healthcheck"]["test"][1] == "pg_isready"
    assert compose["services"]["redis"]["healthcheck"]["test"][1:] == ["redis-cli", "ping"]
    for name in ("web", "worker"):
        depends = compose["services"][name]["depends_on"]
        assert depends["migrate"]["condition"] == "service_completed_successfully"


@pytest.mark.server
def test_gunicorn_serves_health_and_a_styled_admin_with_production_settings(tmp_path):
    env = production_env(
        f"sqlite:///{tmp_path / 'db.sqlite3'}", STATIC_ROOT=str(tmp_path / "static")
    )
    manage = [sys.executable, "manage.py"]
    subprocess.run(
        [*manage, "collectstatic", "--noinput", "-v0"], cwd=BASE_DIR, env=env, check=True
    )
    subprocess.run([*manage, "migrate", "--noinput", "-v0"], cwd=BASE_DIR, env=env, check=True)
    with gunicorn(env) as (base, (status, _, body)):
        assert status == 200 and b'"ok"' in body
        status, _, body = fetch(f"{base}/readyz/")
        assert status == 200
        status, _, body = fetch(f"{base}/admin/login/")
        assert status == 200
        stylesheets = re.findall(rb'<link rel="stylesheet" href="([^"]+\.css)"', body)
        assert stylesheets, "the admin login page links no stylesheet"
        for href in stylesheets:
            assert b".css" in href and re.search(rb"\.[0-9a-f]{12}\.css$", href), href
            status, headers, css = fetch(base + href.decode())
            assert status == 200 and headers["Content-Type"].startswith("text/css") and css
