"""The soak (`make soak`): the production stack under steady load while an editor publishes,
for ten minutes, on PostgreSQL and Redis.

    python -m bench.soak                         # 10 minutes, 50 connections, 1,000 conditions
    python -m bench.soak --minutes 1 --conditions 100    # the same, short

Needs PostgreSQL (DATABASE_URL, default the local server's `postgres` database, where a
database of its own is created and dropped afterwards) and Redis (REDIS_URL, default
redis://127.0.0.1:6379/14, flushed first). The stack is the one docker-compose.yml runs: gunicorn
with 2 worker processes (gthread) and 2 `run_worker` processes, production settings
(bench/soak_settings.py: webhooks may reach this script's receiver on loopback).

Meanwhile:
- wrk holds --connections connections on lists, details, search and sync;
- this process publishes a new title on one of 20 conditions every 2 s (as the admin's publish
  does: a revision, then publish), then polls that item until the API shows it: the delay is
  reported, and an older title seen after a newer one is counted as stale;
- a webhook receiver on loopback counts each `webhook-id` it is sent;
- every 10 s the resident memory (RSS) of each gunicorn worker and each run_worker is read.

Pass: no failed request, no stale title, every publish shown within 60 s, every webhook
delivered exactly once, and each process's RSS slope after the first 2 minutes (a fifth of a
shorter run) under 2 MiB a minute. Writes bench/results/soak.json and soak.md; exits 1 when
a check fails.
"""

import argparse
import json
import os
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

from bench.run import (
    BASE_DIR,
    OUT_DIR,
    Scenario,
    child_pids,
    ensure_wrk,
    fetch,
    free_port,
    log,
    memory_mb,
    run_wrk,
)

PUBLISHED_CONDITIONS = 20  # the publisher cycles through this many
SHOWN_WITHIN = 60  # seconds: a publish the API has not shown by then counts as stale
WARM_UP = 120  # seconds before the RSS slope is measured
MAX_SLOPE = 2.0  # MiB per minute


def stack_env(database_url, redis_url):
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "bench.soak_settings",
        "SECRET_KEY": "a-long-random-secret-only-for-the-soak-on-loopback",
        "ALLOWED_HOSTS": "127.0.0.1",
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "SECURE_SSL_REDIRECT": "false",
        "MEDIA_ROOT": str(BASE_DIR / "var" / "soak-media"),
    }


def manage(env, *args):
    log(f"  manage.py {' '.join(args)}")
    subprocess.run([sys.executable, "manage.py", *args], cwd=BASE_DIR, env=env, check=True)


def create_database(url):
    import psycopg

    parts = urlsplit(url)
    name = f"soak_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(parts._replace(path="/postgres").geturl(), autocommit=True) as db:
        db.execute(f'CREATE DATABASE "{name}"')
    return parts._replace(path=f"/{name}").geturl()


def drop_database(url):
    import psycopg

    parts = urlsplit(url)
    with psycopg.connect(parts._replace(path="/postgres").geturl(), autocommit=True) as db:
        db.execute(f'DROP DATABASE IF EXISTS "{parts.path.strip("/")}" WITH (FORCE)')


class Receiver(ThreadingHTTPServer):
    """A webhook receiver on loopback: counts each `webhook-id` it is sent."""

    daemon_threads = True

    def __init__(self):
        self.ids = Counter()
        self.lock = threading.Lock()

        class Handler(BaseHTTPRequestHandler):
            def do_POST(handler):  # noqa: N802, N805 - http.server's names
                handler.rfile.read(int(handler.headers.get("Content-Length") or 0))
                with self.lock:
                    self.ids[handler.headers.get("webhook-id")] += 1
                handler.send_response(204)
                handler.end_headers()

            def log_message(handler, *args):  # noqa: N805
                pass

        super().__init__(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.serve_forever, daemon=True).start()

    @property
    def url(self):
        return f"http://127.0.0.1:{self.server_address[1]}/hooks"


def slope(samples):
    """Least-squares slope of [(seconds, MiB)] in MiB per minute."""
    if len(samples) < 2:
        return 0.0
    n = len(samples)
    mean_t = sum(t for t, _ in samples) / n
    mean_m = sum(m for _, m in samples) / n
    spread = sum((t - mean_t) ** 2 for t, _ in samples)
    return sum((t - mean_t) * (m - mean_m) for t, m in samples) / spread * 60 if spread else 0.0


class Publisher(threading.Thread):
    """Publishes a new title every 2 s and checks that the API shows it, never an older one."""

    def __init__(self, base, pages, stop):
        super().__init__(daemon=True)
        self.base, self.pages, self.stop = base, pages, stop
        self.delays, self.stale, self.late, self.failed = [], 0, 0, []

    def run(self):
        from django.db import close_old_connections

        n = 0
        while not self.stop.is_set():
            started = time.monotonic()
            page = self.pages[n % len(self.pages)].specific
            page.refresh_from_db()
            title = f"{page.title.split(' (v')[0]} (v{n})"
            try:
                page.title = title
                page.save_revision().publish()
            except Exception as error:  # noqa: BLE001 - counted and reported, the soak goes on
                self.failed.append(repr(error))
            else:
                threading.Thread(target=self.watch, args=(page.slug, n), daemon=True).start()
            close_old_connections()
            n += 1
            self.stop.wait(max(0.0, 2.0 - (time.monotonic() - started)))
        self.published = n

    def watch(self, slug, version):
        """Poll the item until it shows `version`; an older version after a newer is stale."""
        started, newest = time.monotonic(), -1
        while time.monotonic() - started < SHOWN_WITHIN:
            status, _, body = fetch(f"{self.base}/api/v1/conditions/{slug}/?fields=title")
            if status == 200:
                shown = json.loads(body)["title"]
                seen = int(shown.rsplit("(v", 1)[1].rstrip(")")) if "(v" in shown else -1
                if seen < newest:
                    self.stale += 1
                newest = max(newest, seen)
                if seen >= version:
                    self.delays.append(time.monotonic() - started)
                    return
            time.sleep(0.2)
        self.late += 1


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--minutes", type=float, default=10)
    parser.add_argument("--connections", type=int, default=50)
    parser.add_argument("--conditions", type=int, default=1000)
    parser.add_argument("--out", type=Path, default=OUT_DIR)
    args = parser.parse_args()
    base_url = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres")
    if not base_url.startswith("postgres"):
        raise SystemExit("The soak runs on PostgreSQL: set DATABASE_URL=postgres://...")
    redis_url = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/14")
    wrk = ensure_wrk()
    database = create_database(base_url)
    processes = []
    try:
        env = stack_env(database, redis_url)
        log(f"==> Preparing {database} ({args.conditions:,} generated conditions)")
        import redis

        redis.Redis.from_url(redis_url).flushdb()
        manage(env, "migrate", "--noinput", "--verbosity=0")
        manage(env, "seed_content", "--verbosity=0")
        manage(env, "generate_content", "--conditions", str(args.conditions), "--verbosity=0")
        manage(env, "refresh_representations", "--verbosity=0")
        os.environ.update(env)
        import django

        django.setup()
        from django.db import connection

        from django_tasks_db.models import DBTaskResult

        from pages.models import ConditionPage
        from webhooks.models import Delivery, Endpoint

        DBTaskResult.objects.all().delete()  # the load's refresh tasks: done just above
        receiver = Receiver()
        endpoint = Endpoint.objects.create(url=receiver.url, description="the soak")
        pages = list(ConditionPage.objects.live().order_by("pk")[:PUBLISHED_CONDITIONS])
        slugs = list(ConditionPage.objects.live().values_list("slug", flat=True)[:200])
        connection.close()

        log("==> Starting gunicorn (2 workers) and 2 run_worker processes")
        logs = Path(BASE_DIR / "var" / "soak-logs")
        logs.mkdir(parents=True, exist_ok=True)
        port = free_port()
        gunicorn = Path(sys.executable).with_name("gunicorn")
        server = subprocess.Popen(
            [str(gunicorn), "cms.wsgi:application", "--workers", "2"]
            + ["--bind", f"127.0.0.1:{port}", "--log-level", "warning"],
            cwd=BASE_DIR,
            env=env,
            stderr=open(logs / "gunicorn.log", "wb"),  # noqa: SIM115 - open while it runs
        )
        processes.append(server)
        for n in range(2):
            processes.append(
                subprocess.Popen(
                    [sys.executable, "manage.py", "run_worker"],
                    cwd=BASE_DIR,
                    env=env,
                    stdout=open(logs / f"worker-{n}.log", "wb"),  # noqa: SIM115
                    stderr=subprocess.STDOUT,
                )
            )
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while fetch_or_none(f"{base}/readyz/") != 200:
            if time.monotonic() > deadline or server.poll() is not None:
                raise SystemExit(f"gunicorn is not ready: see {logs / 'gunicorn.log'}")
            time.sleep(0.5)

        stop = threading.Event()
        publisher = Publisher(base, pages, stop)
        memory = {}  # process label -> [(seconds, MiB)]
        began = time.monotonic()

        def sample():
            while not stop.is_set():
                now = time.monotonic() - began
                labelled = [(f"web {pid}", pid) for pid in child_pids(server.pid)]
                labelled += [(f"worker {p.pid}", p.pid) for p in processes[1:]]
                for label, pid in labelled:
                    if (mib := memory_mb(pid)) is not None:
                        memory.setdefault(label, []).append((now, mib))
                stop.wait(10)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        publisher.start()
        paths = [f"/api/v1/conditions/{slug}/" for slug in slugs]
        paths += ["/api/v1/conditions/", "/api/v1/treatments/?limit=50", "/api/v1/sync/?limit=20"]
        paths += ["/api/v1/search/?q=nerve%20pain", "/api/v1/conditions/?expand=causes"]
        scenario = Scenario("soak", "ours", "cached", paths)
        seconds = int(args.minutes * 60)
        log(f"==> {seconds} s of wrk at {args.connections} connections, publishing every 2 s")
        run_wrk(
            wrk, base, scenario, argparse.Namespace(connections=args.connections, duration=seconds)
        )
        stop.set()
        publisher.join(timeout=SHOWN_WITHIN + 10)
        time.sleep(SHOWN_WITHIN / 4)  # the last watchers finish

        log("==> Waiting for the webhooks to be delivered")
        drained = time.monotonic() + 120
        while Delivery.objects.filter(status=Delivery.Status.PENDING).exists():
            if time.monotonic() > drained:
                break
            time.sleep(2)
        deliveries = Delivery.objects.filter(endpoint=endpoint)
        events = set(deliveries.values_list("event__webhook_id", flat=True))
        connection.close()
        result = verdict(args, scenario.results, publisher, receiver, events, memory)
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
        drop_database(database)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "soak.json").write_text(json.dumps(result, indent=2) + "\n")
    (args.out / "soak.md").write_text(markdown(result))
    log(markdown(result))
    sys.exit(0 if all(check["met"] for check in result["checks"]) else 1)


def fetch_or_none(url):
    try:
        return fetch(url)[0]
    except OSError:
        return None


def verdict(args, load, publisher, receiver, events, memory):
    delays = sorted(publisher.delays)
    duplicates = sum(1 for count in receiver.ids.values() if count > 1)
    missing = len(events - set(receiver.ids))
    warm_up = min(WARM_UP, args.minutes * 60 / 5)  # a short run keeps four fifths
    slopes = {
        label: round(slope([(t, m) for t, m in samples if t >= warm_up]), 2)
        for label, samples in sorted(memory.items())
    }
    rss = {
        label: [round(samples[0][1]), round(samples[-1][1])] for label, samples in memory.items()
    }
    checks = [
        ("failed requests (errors and non-2xx/3xx)", load["errors"], 0),
        ("publishes that failed", len(publisher.failed), 0),
        ("stale titles (an older one after a newer)", publisher.stale, 0),
        (f"publishes not shown within {SHOWN_WITHIN} s", publisher.late, 0),
        ("webhooks delivered more than once", duplicates, 0),
        ("webhook events never delivered", missing, 0),
        (
            f"steepest RSS slope after {warm_up:g} s (MiB/min)",
            max(slopes.values(), default=0.0),
            MAX_SLOPE,
        ),
    ]
    return {
        "minutes": args.minutes,
        "connections": args.connections,
        "conditions": args.conditions,
        "requests": load["requests"],
        "requests_per_s": load["requests_per_s"],
        "p50_ms": load["p50_ms"],
        "p99_ms": load["p99_ms"],
        "publishes": publisher.published,
        "shown_after_s": {
            "median": round(delays[len(delays) // 2], 2) if delays else None,
            "max": round(delays[-1], 2) if delays else None,
        },
        "webhooks": {"events": len(events), "received": sum(receiver.ids.values())},
        "rss_mib_first_last": rss,
        "rss_slope_mib_per_min": slopes,
        "checks": [
            {"check": name, "value": value, "bound": bound, "met": value <= bound}
            for name, value, bound in checks
        ],
    }


def markdown(result):
    lines = [
        f"{result['minutes']:g} minutes at {result['connections']} connections on "
        f"{result['conditions']:,} generated conditions: {result['requests']:,} requests, "
        f"{result['requests_per_s']:,} req/s, p50 {result['p50_ms']} ms, p99 "
        f"{result['p99_ms']} ms; {result['publishes']} publishes, shown after "
        f"{result['shown_after_s']['median']} s (median), {result['shown_after_s']['max']} s "
        f"(max); {result['webhooks']['events']} webhook events, "
        f"{result['webhooks']['received']} deliveries received.",
        "",
        "| Process | RSS first, last (MiB) | Slope after warm-up (MiB/min) |",
        "| --- | ---: | ---: |",
    ]
    for label, (first, last) in sorted(result["rss_mib_first_last"].items()):
        lines.append(f"| {label} | {first}, {last} | {result['rss_slope_mib_per_min'][label]} |")
    lines += ["", "| Check | Value | Bound | Met |", "| --- | ---: | ---: | --- |"]
    for check in result["checks"]:
        met = "yes" if check["met"] else "**no**"
        lines.append(f"| {check['check']} | {check['value']} | {check['bound']} | {met} |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    main()
