"""Benchmark the delivery API under load, next to Wagtail's own API v2 on the same pages.

    python -m bench.run                   # 1,000 generated conditions, 100 requests per scenario
    python -m bench.run --quick           # a smoke run: 30 conditions, 20 requests per scenario

1. Prepares a database of its own (var/bench/bench.sqlite3, or DATABASE_URL) with the seed content
   and `generate_content` data (kept between runs).
2. Counts the SQL queries of one request per scenario, in process.
3. Starts gunicorn (2 workers, the bench settings) and fires each scenario's requests from
   several client threads; reports p50/p95/p99 latency, throughput, response size, and the
   workers' peak memory.
4. Writes var/bench/results.json and prints a table; a scenario over its target is marked, and
   the exit status is 1 if any is (so a scheduled job can alert).

Targets come from what consumers need (shared/REFERENCE.md): Braze Connected Content plans for
about 2 s per fetch and never caches over 1 MB; Klaviyo refreshes feeds answered within 5 s and
up to 3.3 MB; pages render server-side per request. They are latency at the 95th percentile with
4 concurrent clients on this machine (2 cores).
"""

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
OUT_DIR = BASE_DIR / "var" / "bench"  # --out changes it


@dataclass
class Scenario:
    name: str
    api: str  # "ours" or "wagtail-v2"
    paths: list  # rotated through, so detail requests hit different items
    target_p95_ms: float | None = None
    max_bytes: int | None = None
    results: dict = field(default_factory=dict)


def log(message):
    print(message, flush=True)


def prepare(conditions, out):
    import django
    from django.core.management import call_command

    django.setup()
    from pages.models import ConditionPage

    out.mkdir(parents=True, exist_ok=True)
    log("Preparing the database (migrate, seed)...")
    call_command("migrate", verbosity=0)
    call_command("seed_content", verbosity=0)
    have = ConditionPage.objects.filter(slug__startswith="gen-").count()
    if have < conditions:
        log(f"Generating {conditions - have} conditions (kept for later runs)...")
        call_command("generate_content", conditions=conditions - have, verbosity=1)
    else:
        log(f"Using the {have} generated conditions already there.")


def scenarios():
    from pages.models import CausePage, ConditionPage, TherapyPage

    conditions = list(ConditionPage.objects.live().order_by("pk").values_list("pk", "slug")[:50])
    therapy = TherapyPage.objects.live().order_by("pk").values_list("slug", flat=True)[:20]
    causes = list(CausePage.objects.live().values_list("slug", flat=True)[:20])
    ours = "/api/v1"
    v2 = "/wagtail-api/v2/pages"
    return [
        Scenario("list 20 conditions", "ours", [f"{ours}/conditions/"], 500),
        Scenario("list 20 conditions", "wagtail-v2", [f"{v2}/?type=pages.ConditionPage&fields=*"]),
        Scenario("list 100 conditions", "ours", [f"{ours}/conditions/?limit=100"], 1500),
        Scenario(
            "list 100 conditions",
            "wagtail-v2",
            [f"{v2}/?type=pages.ConditionPage&fields=*&limit=100"],
        ),
        Scenario(
            "list 20, 3 relations expanded",
            "ours",
            [f"{ours}/conditions/?expand=causes,treatments,therapies"],
            3000,
        ),
        Scenario(
            "condition detail",
            "ours",
            [f"{ours}/conditions/{slug}/" for _, slug in conditions],
            500,
            1_000_000,
        ),
        Scenario(
            "condition detail", "wagtail-v2", [f"{v2}/{pk}/?fields=*" for pk, _ in conditions]
        ),
        Scenario(
            "therapy detail, relieves expanded",
            "ours",
            [f"{ours}/therapies/{slug}/?expand=relieves" for slug in therapy],
            2000,
        ),
        Scenario("cause detail", "ours", [f"{ours}/causes/{slug}/" for slug in causes], 500),
        Scenario(
            "email: therapy card (Braze)",
            "ours",
            [
                f"{ours}/therapies/ketamine-infusion-therapy/"
                "?fields=title,summary,url,hero_image,call_to_action"
            ],
            500,
            1_000_000,
        ),
        Scenario("search 'nerve pain'", "ours", [f"{ours}/search/?q=nerve%20pain"], 800),
        Scenario(
            "website: page by path",
            "ours",
            [f"{ours}/pages/?path=/conditions/{slug}/" for _, slug in conditions],
            500,
        ),
    ]


def count_queries(plan):
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client()
    for scenario in plan:
        client.get(scenario.paths[0])  # warm caches, as a running process would be
        with CaptureQueriesContext(connection) as queries:
            response = client.get(scenario.paths[0])
        if response.status_code != 200:
            raise SystemExit(
                f"{scenario.api} {scenario.paths[0]} answered {response.status_code}: "
                f"{response.content[:300]!r}"
            )
        scenario.results["sql_queries"] = len(queries.captured_queries)


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(port, workers):
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "bench.settings"}
    gunicorn = Path(sys.executable).with_name("gunicorn")
    process = subprocess.Popen(
        [
            str(gunicorn),
            "cms.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--log-level",
            "warning",
        ],
        cwd=BASE_DIR,
        env=env,
    )
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit("gunicorn exited while starting; see its output above.")
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz/", timeout=10)
            return process
        except OSError:  # refused, reset or timed out while the workers boot
            time.sleep(0.5)
    process.terminate()
    raise SystemExit("gunicorn did not answer /healthz/ within 90 s.")


def fetch(url):
    started = time.perf_counter()
    with urllib.request.urlopen(url, timeout=60) as response:
        body = response.read()
        status = response.status
    return (time.perf_counter() - started) * 1000, len(body), status


def load(base, scenario, requests, concurrency):
    urls = [base + scenario.paths[n % len(scenario.paths)] for n in range(requests)]
    fetch(urls[0])  # warm this worker path
    started = time.perf_counter()
    with ThreadPoolExecutor(concurrency) as pool:
        samples = list(pool.map(fetch, urls))
    elapsed = time.perf_counter() - started
    latencies = sorted(ms for ms, _, _ in samples)
    errors = sum(1 for _, _, status in samples if status != 200)

    def pct(p):
        return round(latencies[min(len(latencies) - 1, int(p / 100 * len(latencies)))], 1)

    scenario.results.update(
        requests=requests,
        errors=errors,
        p50_ms=pct(50),
        p95_ms=pct(95),
        p99_ms=pct(99),
        mean_ms=round(statistics.fmean(latencies), 1),
        requests_per_s=round(requests / elapsed, 1),
        bytes=max(size for _, size, _ in samples),
    )


def worker_peak_memory_mb(master_pid):
    """Peak resident memory (VmHWM) of each gunicorn worker, in MB (Linux /proc)."""
    peaks = []
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            text = status.read_text()
        except OSError:
            continue
        fields = dict(line.split(":", 1) for line in text.splitlines() if ":" in line)
        if fields.get("PPid", "").strip() == str(master_pid) and "VmHWM" in fields:
            peaks.append(round(int(fields["VmHWM"].split()[0]) / 1024, 1))
    return peaks


def verdict(scenario):
    r = scenario.results
    problems = []
    if r.get("errors"):
        problems.append(f"{r['errors']} errors")
    if scenario.target_p95_ms and r["p95_ms"] > scenario.target_p95_ms:
        problems.append(f"p95 over {scenario.target_p95_ms:g} ms")
    if scenario.max_bytes and r["bytes"] > scenario.max_bytes:
        problems.append(f"over {scenario.max_bytes:,} bytes")
    return problems


def report(plan, memory, args):
    log("")
    header = f"{'scenario':36} {'api':11} {'SQL':>4} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} "
    log(header + f"{'req/s':>7} {'KB':>8}  verdict")
    failed = False
    for s in plan:
        r = s.results
        problems = verdict(s)
        failed |= bool(problems)
        target = f"target p95 {s.target_p95_ms:g} ms" if s.target_p95_ms else "reference"
        log(
            f"{s.name:36} {s.api:11} {r['sql_queries']:>4} {r['p50_ms']:>8} {r['p95_ms']:>8} "
            f"{r['p99_ms']:>8} {r['requests_per_s']:>7} {r['bytes'] / 1024:>8.1f}  "
            + ("OVER: " + ", ".join(problems) if problems else f"ok ({target})")
        )
    log(f"\nPeak memory per gunicorn worker: {memory} MB")
    result = {
        "settings": {**vars(args), "out": str(args.out)},
        "scenarios": [asdict(s) for s in plan],
        "worker_peak_mb": memory,
        "python": sys.version.split()[0],
        "database": os.environ.get("DATABASE_URL", "sqlite (var/bench/bench.sqlite3)"),
    }
    (args.out / "results.json").write_text(json.dumps(result, indent=2))
    log(f"Results: {args.out / 'results.json'}")
    return failed


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--conditions", type=int, default=1000)
    parser.add_argument("--requests", type=int, default=100, help="per scenario")
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument("--quick", action="store_true", help="30 conditions, 20 requests")
    parser.add_argument("--out", type=Path, default=OUT_DIR, help="where results.json goes")
    args = parser.parse_args(argv)
    if args.quick:
        args.conditions, args.requests = min(args.conditions, 30), min(args.requests, 20)
    if min(args.conditions, args.requests, args.concurrency, args.workers) < 1:
        parser.error("--conditions, --requests, --concurrency and --workers must be positive")
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"
    sys.path.insert(0, str(BASE_DIR))
    prepare(args.conditions, args.out)
    plan = scenarios()
    log("Counting SQL queries per request...")
    count_queries(plan)
    port = free_port()
    log(f"Starting gunicorn ({args.workers} workers) on 127.0.0.1:{port}...")
    server = start_server(port, args.workers)
    try:
        for n, scenario in enumerate(plan, 1):
            log(f"[{n}/{len(plan)}] {scenario.api}: {scenario.name} ({args.requests} requests)")
            load(f"http://127.0.0.1:{port}", scenario, args.requests, args.concurrency)
        memory = worker_peak_memory_mb(server.pid)
    finally:
        server.terminate()
        server.wait(timeout=30)
    return 1 if report(plan, memory, args) else 0


if __name__ == "__main__":
    sys.exit(main())
