"""The image, without Docker: what the Dockerfile copies from the build context (.dockerignore
applied as Docker applies it, tests/image.py) holds every package and file the project runs
and no secret; and a copy of exactly those files, run as the image runs it (with the editable
install of the checkout switched off), imports every app, passes `check --deploy`, collects its
static files and serves. Behind nginx with deploy/nginx.conf (heavy): the stack's commands from
docker-compose.yml, media from the volume the app writes, client addresses from the proxy."""

import http.client
import json
import os
import re
import secrets
import shlex
import shutil
import subprocess
import time
import tomllib
import uuid
from pathlib import Path

from django.conf import settings

import pytest
import yaml
from setuptools import find_packages

from tests import image
from tests.servers import (
    fetch,
    free_port,
    fresh_database,
    gunicorn,
    production_env,
    wait_until_serving,
)

BASE_DIR = image.BASE_DIR
# Top-level files the image reads: pip install '.[s3]' reads pyproject.toml and README.md (its
# `readme`), gunicorn reads gunicorn.conf.py from its working directory, manage.py runs the rest.
RUNTIME_FILES = ["pyproject.toml", "README.md", "gunicorn.conf.py", "manage.py"]
# What a build context might hold and no image may: secrets and local state.
NEVER_IN_THE_IMAGE = [
    ".env",
    ".env.production",
    "cms/.env",
    "deploy/.env.local",
    ".local-admin-password",
    "server.pem",
    "certs/tls.key",
    "db.sqlite3",
    "db.sqlite3-journal",
    "media/original_images/scan.jpg",
    "media/documents/private-report.pdf",
    "var/test-media/images/x.png",
    "var/test-worker-heartbeat",
    "static/admin/css/base.css",
    ".venv/bin/python",
    ".git/config",
    "node_modules/left-pad/index.js",
    "clients/typescript/node_modules/openapi-typescript/index.js",
    "api/__pycache__/auth.cpython-311.pyc",
]
# The Dockerfile before it copied the whole context (issue 20: `No module named 'webhooks'`).
PER_FOLDER_DOCKERFILE = """FROM python:3.11-slim
WORKDIR /app
COPY pyproject.toml README.md ./
COPY cms ./cms
COPY pages ./pages
COPY api ./api
COPY worker ./worker
COPY templates ./templates
COPY manage.py gunicorn.conf.py ./
"""


def project_files():
    """The project's own files: git's, or (outside a checkout) every file but caches."""
    listed = subprocess.run(
        ["git", "ls-files", "-z"], cwd=BASE_DIR, capture_output=True, check=False
    )
    if listed.returncode == 0:
        return [name for name in listed.stdout.decode().split("\0") if name]
    return [
        path.relative_to(BASE_DIR).as_posix()
        for path in BASE_DIR.rglob("*")
        if path.is_file() and "__pycache__" not in path.parts
    ]


def first_party_packages():
    """Every package pyproject's `packages.find` installs, and every INSTALLED_APPS entry that
    is the project's own (a folder of it)."""
    find = tomllib.loads((BASE_DIR / "pyproject.toml").read_text())["tool"]["setuptools"]
    packages = set(find_packages(where=BASE_DIR, include=find["packages"]["find"]["include"]))
    apps = {app for app in settings.INSTALLED_APPS if (BASE_DIR / app.split(".")[0]).is_dir()}
    return sorted(packages | apps)


def required_files():
    """The files the image must hold: every file of every first-party package and of the
    template folders, and the top-level files read at run time."""
    folders = {name.split(".")[0] for name in first_party_packages()}
    folders |= {
        Path(folder).relative_to(BASE_DIR).as_posix()
        for engine in settings.TEMPLATES
        for folder in engine["DIRS"]
    }
    folders |= {
        Path(folder).relative_to(BASE_DIR).as_posix()
        for folder in getattr(settings, "STATICFILES_DIRS", [])
    }
    files = project_files()
    inside = [f for f in files if f.split("/")[0] in folders]
    return sorted(set(inside) | set(RUNTIME_FILES))


def missing_from_image(dockerfile, dockerignore):
    """The required files that the Dockerfile (with .dockerignore) would not put in /app."""
    context = image.context_files(BASE_DIR, dockerignore)
    layout = image.image_layout(dockerfile, context)
    return sorted(
        f for f in required_files() if f not in layout or layout[f] != f or f not in context
    )


def read(name):
    return (BASE_DIR / name).read_text()


def test_the_image_holds_every_package_and_file_the_project_runs():
    required = required_files()
    for package in ("accounts", "api", "cms", "pages", "shapes", "webhooks", "worker"):
        assert f"{package}/__init__.py" in required
    assert "templates/base.html" in required
    assert missing_from_image(read("Dockerfile"), read(".dockerignore")) == []


def test_a_package_left_out_of_the_image_is_noticed():
    missing = missing_from_image(PER_FOLDER_DOCKERFILE, read(".dockerignore"))
    assert "webhooks/__init__.py" in missing and "accounts/__init__.py" in missing
    ignoring_templates = read(".dockerignore") + "\ntemplates\n"
    assert "templates/base.html" in missing_from_image(read("Dockerfile"), ignoring_templates)


def test_no_secret_or_local_state_can_be_baked_in(tmp_path):
    """Those files, dropped into a copy of the project's folder, stay out of the image; a new
    package dropped in goes in without anyone editing the Dockerfile."""
    for name in ("Dockerfile", ".dockerignore", "manage.py", "api/__init__.py"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(BASE_DIR / name, tmp_path / name)
    for name in [*NEVER_IN_THE_IMAGE, "newapp/__init__.py"]:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("secret")
    layout = image.image_layout(read("Dockerfile"), image.context_files(tmp_path))
    assert sorted(set(NEVER_IN_THE_IMAGE) & set(layout.values())) == []
    assert {"manage.py", "api/__init__.py", "newapp/__init__.py"} <= set(layout)


def test_git_ignores_secrets_and_local_state(tmp_path):
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    shutil.copy(BASE_DIR / ".gitignore", tmp_path / ".gitignore")
    names = [name for name in NEVER_IN_THE_IMAGE if not name.startswith(".git/")]
    checked = subprocess.run(
        ["git", "check-ignore", "--no-index", "--stdin"],
        cwd=tmp_path,
        input="\n".join([*names, ".env.example", "api/http/auth.py"]),
        capture_output=True,
        text=True,
        check=False,
    )
    assert sorted(checked.stdout.split()) == sorted(names)  # not .env.example nor the code


@pytest.mark.parametrize(
    ("pattern", "path", "left_out"),
    [  # moby's patternmatcher, as `docker build` applies .dockerignore
        ("*.pyc", "a.pyc", True),
        ("*.pyc", "api/a.pyc", False),  # unlike .gitignore: from the root only
        ("**/*.pyc", "api/views/a.pyc", True),
        ("**/.env", ".env", True),  # `**/` also matches no folder
        ("media", "media/images/a.jpg", True),  # a folder takes its contents along
        ("/media/", "media/a.jpg", True),
        ("media", "pages/media.py", False),
        ("*/media.py", "pages/media.py", True),
        ("docs\n!docs/keep.md", "docs/keep.md", False),  # the last pattern that applies wins
        ("docs\n!docs/keep.md", "docs/other.md", True),
        ("# media", "media/a.jpg", False),
    ],
)
def test_the_build_context_is_worked_out_as_docker_does(pattern, path, left_out):
    assert image.excluded(path, image.ignore_rules(pattern)) is left_out


@pytest.fixture(scope="module")
def image_dir(tmp_path_factory):
    """A copy of what the Dockerfile puts in /app."""
    folder = tmp_path_factory.mktemp("app")
    image.copy_image(folder)
    return folder


def run_in_image(folder, argv, env, timeout=300):
    result = subprocess.run(
        image.in_image(argv),
        cwd=folder,
        env=image.image_env(env),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    assert result.returncode == 0, (argv, result.stdout[-3000:], result.stderr[-3000:])
    return result.stdout


IMPORT_ALL = """
import importlib, json, os, django
django.setup()
here = os.getcwd() + os.sep
places = {}
for name in NAMES:
    module = importlib.import_module(name)
    places[name] = os.path.abspath(getattr(module, "__file__", None) or list(module.__path__)[0])
print(json.dumps({name: place.startswith(here) for name, place in places.items()}))
"""


@pytest.mark.heavy
def test_the_image_alone_imports_every_app_and_passes_the_deploy_checks(heavy, image_dir, tmp_path):
    env = production_env(
        f"sqlite:///{tmp_path / 'db.sqlite3'}",
        SECURE_SSL_REDIRECT="true",  # production's defaults, as the deploy checks expect
        SECRET_KEY=secrets.token_urlsafe(50),
    )
    names = first_party_packages()
    code = IMPORT_ALL.replace("NAMES", repr(names))
    out = run_in_image(image_dir, ["python", "-c", code], env)
    from_image = json.loads(out.strip().splitlines()[-1])
    assert from_image == dict.fromkeys(names, True)  # each from the image, none from elsewhere
    run_in_image(
        image_dir, ["python", "manage.py", "check", "--deploy", "--fail-level", "WARNING"], env
    )


def test_a_package_missing_from_the_image_cannot_be_imported_from_the_checkout(tmp_path):
    """The isolation the tests above rely on: with webhooks/ left out, the app fails to start
    as the image would, rather than finding the package in the virtualenv's editable install."""
    (tmp_path / "manage.py").write_text(read("manage.py"))
    env = image.image_env(production_env("sqlite://"))
    result = subprocess.run(
        image.in_image(["python", "-c", "import webhooks"]),
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode != 0 and "No module named 'webhooks'" in result.stderr


def dockerfile_runs():
    """The Dockerfile's ENV values and the `python ...` commands its RUN lines run (with the
    variables they set): the build steps that need the project's code."""
    env, commands = {}, []
    for word, arguments in image.dockerfile_instructions(read("Dockerfile")):
        if word == "ENV":
            env.update(pair.split("=", 1) for pair in shlex.split(arguments))
        elif word == "RUN":
            words = shlex.split(arguments)
            assigned = {}
            while words and re.fullmatch(r"[A-Z_]+=.*", words[0]):
                name, value = words.pop(0).split("=", 1)
                assigned[name] = value
            if words[:1] == ["python"]:
                commands.append((assigned, words))
    return env, commands


@pytest.fixture(scope="module")
def built_image(heavy, image_dir):
    """The copy after the Dockerfile's build steps (collectstatic into /app/static)."""
    env, commands = dockerfile_runs()
    assert [argv[:3] for _, argv in commands] == [["python", "manage.py", "collectstatic"]]
    clean = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}}
    for assigned, argv in commands:
        run_in_image(image_dir, argv, {**clean, **env, **assigned})
    assert (image_dir / "static" / "staticfiles.json").exists()
    return image_dir


@pytest.fixture(scope="module")
def compose():
    return yaml.safe_load(read("docker-compose.yml"))["services"]


def command(compose, service, *extra):
    argv = compose[service]["command"]
    return [*(shlex.split(argv) if isinstance(argv, str) else argv), *extra]


def stylesheets_served(base, body):
    stylesheets = re.findall(rb'<link rel="stylesheet" href="([^"]+\.css)"', body)
    assert stylesheets, "the admin login page links no stylesheet"
    for href in stylesheets:
        assert re.search(rb"\.[0-9a-f]{12}\.css$", href), href
        status, headers, css = fetch(base + href.decode())
        assert status == 200 and headers["Content-Type"].startswith("text/css") and css


@pytest.mark.heavy
@pytest.mark.server
def test_the_image_migrates_and_serves_a_styled_admin(heavy, built_image, compose, tmp_path):
    env = production_env(f"sqlite:///{tmp_path / 'db.sqlite3'}")
    run_in_image(built_image, command(compose, "migrate"), env)
    web = command(compose, "web")
    with gunicorn(env, argv=web, cwd=built_image, launch=image.in_image) as (base, first):
        status, _, body = first
        assert status == 200 and b'"ok"' in body
        assert fetch(f"{base}/readyz/")[0] == 200
        status, _, body = fetch(f"{base}/admin/login/")
        assert status == 200
        stylesheets_served(base, body)


# The stack behind nginx ---------------------------------------------------------------------

# nginx reaches gunicorn from 127.0.0.1; each client has an address of its own (every 127.x.x.x
# is this machine).
PROXY, READER, CLIENT, OTHER_CLIENT, BYPASSER = (f"127.0.0.{n}" for n in (1, 2, 3, 4, 5))


def request(base, path, source, method="GET", headers=None, body=None):
    """(status, headers, body) of one request to `base` sent from the loopback address
    `source` (every 127.x address is this machine: one per client)."""
    host, port = base.removeprefix("http://").split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=10, source_address=(source, 0))
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        return response.status, response.headers, response.read()
    finally:
        connection.close()


def nginx_config(binary, folder, listen, web, media):
    """deploy/nginx.conf, as the official image includes it, on loopback: its `listen`, the web
    service's address and the media volume's mount point replaced."""
    server = read("deploy/nginx.conf")
    for old, new in (
        ("listen 80;", f"listen {listen};"),
        ("set $web http://web:8000;", f"set $web http://{web};"),
        ("alias /srv/media/;", f"alias {media}/;"),
    ):
        assert server.count(old) == 1, old
        server = server.replace(old, new)
    (folder / "default.conf").write_text(server)
    conf_path = re.search(
        r"--conf-path=(\S+)", subprocess.run([binary, "-V"], capture_output=True, text=True).stderr
    ).group(1)
    temp = " ".join(
        f"{kind}_temp_path {folder}/{kind};" for kind in ("client_body", "proxy", "fastcgi")
    )
    (folder / "nginx.conf").write_text(
        f"""{"user root;" if os.geteuid() == 0 else ""}
worker_processes 1;
pid {folder}/nginx.pid;
error_log stderr warn;
events {{ worker_connections 64; }}
http {{
    include {Path(conf_path).parent}/mime.types;
    default_type application/octet-stream;
    access_log off;
    {temp} uwsgi_temp_path {folder}/uwsgi; scgi_temp_path {folder}/scgi;
    include {folder}/default.conf;
}}
"""
    )
    return folder / "nginx.conf"


@pytest.fixture
def nginx():
    found = shutil.which("nginx") or shutil.which("/usr/sbin/nginx")
    if not found:
        pytest.skip("needs nginx (apt-get install nginx; .ci/run installs it)")
    return found


def wait_for_new_minute_window():
    """The rate limit counts per clock minute: start a short burst well inside one."""
    if time.time() % 60 > 50:
        time.sleep(61 - time.time() % 60)


@pytest.mark.heavy
@pytest.mark.server
@pytest.mark.redis
def test_the_stack_behind_nginx(heavy, nginx, redis_url, built_image, compose, tmp_path):
    """docker-compose.yml's commands from the image's files: migrate, the worker (a round, then
    its health check), gunicorn; nginx with deploy/nginx.conf in front, the only address
    clients use. Media from the folder the app writes, documents' files withheld; client
    addresses from the proxy alone: a client cannot pick its own through it, and one that
    bypasses it is one client whatever X-Forwarded-For it sends."""
    proxy_port, web_port = free_port(), free_port()
    base = f"http://127.0.0.1:{proxy_port}"
    media = tmp_path / "media"
    with fresh_database(tmp_path) as database_url:
        env = production_env(
            database_url,
            REDIS_URL=redis_url,
            CACHE_KEY_PREFIX=f"stack-{uuid.uuid4().hex[:8]}",
            MEDIA_ROOT=str(media),
            API_BASE_URL=base,
            API_TRUSTED_PROXIES=f"{PROXY}/32",
            API_ANONYMOUS_RATE="5/min",
            API_RESPONSE_CACHE_SECONDS="0",
            CSRF_COOKIE_SECURE="false",
            SESSION_COOKIE_SECURE="false",
            WORKER_HEARTBEAT_FILE=str(tmp_path / "worker-heartbeat"),
        )
        run_in_image(built_image, command(compose, "migrate"), env)
        run_in_image(built_image, ["python", "manage.py", "seed_content", "-v", "0"], env)
        slug = run_in_image(built_image, ["python", "manage.py", "shell", "-c", HERO], env)
        slug = slug.strip().splitlines()[-1]
        (media / "documents").mkdir(parents=True)
        (media / "documents" / "private-report.pdf").write_bytes(b"%PDF- not for the public")
        run_in_image(built_image, command(compose, "worker", "--once", "-v", "0"), env)
        run_in_image(built_image, compose["worker"]["healthcheck"]["test"][1:], env)

        web = command(compose, "web")
        launch = image.in_image
        with gunicorn(env, port=web_port, argv=web, cwd=built_image, launch=launch) as (direct, _):
            listen, upstream = f"127.0.0.1:{proxy_port}", f"127.0.0.1:{web_port}"
            config = nginx_config(nginx, tmp_path, listen, upstream, media)
            argv = [nginx, "-p", str(tmp_path), "-c", str(config), "-e", "stderr"]
            with (tmp_path / "nginx.log").open("w") as log:
                proxy = subprocess.Popen([*argv, "-g", "daemon off;"], stdout=log, stderr=log)
                try:
                    wait_until_serving(f"{base}/proxy-health/", proxy)
                    through_the_stack(base, direct, slug)
                finally:
                    proxy.terminate()
                    proxy.wait(timeout=20)


# A hero image on a live condition, through the app (so its file lands in MEDIA_ROOT): the slug.
HERO = """
import io
from django.core.files.images import ImageFile
from PIL import Image
from wagtail.images import get_image_model
from pages.models import ConditionPage
buffer = io.BytesIO()
Image.new("RGB", (800, 450), (40, 90, 160)).save(buffer, "JPEG")
hero = get_image_model()(title="Hero")
hero.file = ImageFile(buffer, name="hero.jpg")
hero.save()
page = ConditionPage.objects.live().order_by("pk").first()
page.hero_image, page.hero_image_alt = hero, "An illustration"
page.save_revision().publish()
print(page.slug)
"""


def through_the_stack(base, direct, slug):
    status, _, body = request(base, f"/api/v1/conditions/{slug}/", READER)
    assert status == 200, body[:500]
    images = re.findall(rf'"url":"({re.escape(base)}/media/images/[^"]+)"', body.decode())
    assert images, "the API links no rendition to the proxy's /media/"
    for url in images:
        status, headers, data = request(base, url.removeprefix(base), READER)
        assert status == 200 and headers["Content-Type"] in ("image/jpeg", "image/webp"), url
        assert data[:3] == b"\xff\xd8\xff" or data[8:12] == b"WEBP"
        assert headers["X-Content-Type-Options"] == "nosniff"
    assert request(base, "/media/documents/private-report.pdf", READER)[0] == 404

    status, _, body = request(base, "/admin/login/", READER)
    assert status == 200
    stylesheets_served(base, body)

    wait_for_new_minute_window()
    causes = "/api/v1/causes/"
    rotating = [
        request(base, causes, CLIENT, headers={"X-Forwarded-For": f"198.51.100.{n}"})[0]
        for n in range(7)
    ]
    assert rotating == [200] * 5 + [429] * 2  # 5/min, however the header rotates
    assert request(base, causes, OTHER_CLIENT)[0] == 200  # each client its own count
    bypassing = [
        request(direct, causes, BYPASSER, headers={"X-Forwarded-For": f"203.0.113.{n}"})[0]
        for n in range(7)
    ]
    assert bypassing == [200] * 5 + [429] * 2  # before API_TRUSTED_PROXIES: 7 x 200
    signing_in_through_the_proxy(base)


def signing_in_through_the_proxy(base):
    """Five wrong passwords from one client lock it out (whatever X-Forwarded-For it sends);
    another client behind the same proxy is not: the admin's throttling reads the proxy's
    address for each, and its CSRF check passes through the proxy."""

    def sign_in(source, forwarded):
        status, headers, body = request(base, "/admin/login/", source)
        token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', body).group(1).decode()
        cookies = " ".join(headers.get_all("Set-Cookie") or [])
        cookie = re.search(r"csrftoken=([^;]+)", cookies).group(1)
        form = f"username=ada&password=wrong&csrfmiddlewaretoken={token}"
        return request(
            base,
            "/admin/login/",
            source,
            "POST",
            {
                "Cookie": f"csrftoken={cookie}",
                "Origin": base,
                "Content-Type": "application/x-www-form-urlencoded",
                "X-Forwarded-For": forwarded,
            },
            form,
        )[0]

    statuses = [sign_in(CLIENT, f"192.0.2.{n}") for n in range(5)]
    assert statuses == [200] * 4 + [429]
    assert sign_in(OTHER_CLIENT, "192.0.2.1") == 200
