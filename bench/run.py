"""Benchmark the delivery API with wrk, next to Wagtail's own API v2 and a bytes ceiling, at two
sizes in one run.

    python -m bench.run                        # 1,000 and 10,000 generated conditions, 10 s each
    python -m bench.run --sizes 1000 --duration 5
    python -m bench.run --quick                # a smoke run: 30 conditions, 1 s per scenario
    python -m bench.run --languages en,es --sizes 1000 --out bench/results/languages
                                               # two languages: every page also in Spanish

For each size, on a database of its own (var/bench/bench-<size>.sqlite3, kept between runs;
built with the seed content and `generate_content`, every item stored; with --languages, each
generated page also translated into the other languages, its review recorded, in
var/bench/bench-<size>-<languages>.sqlite3, and the scenarios asked in each language too):

1. SQL queries of one request per scenario are counted in process, in the scenario's cache
   configuration.
2. gunicorn (2 workers, bench/settings.py) is started once per configuration, and wrk
   (Debian's package; installed if missing) fires each scenario for --duration seconds with
   --connections connections:
   - `no cache`: Django's DummyCache for ours and for v2 alike, no response cache: every fact
     from the database;
   - `uncached`: the local-memory cache for the visibility facts, the response cache off;
   - `cached`: the response cache on (local memory), and the ceiling, a plain Django view
     under /api/ with the same middleware returning a stored detail's bytes.
3. Reports req/s, p50/p95/p99 latency, SQL per request, response size and the gunicorn
   workers' peak memory, checks the targets (ratios measured in the same run: see TARGETS),
   writes results.json and chart.png into --out (bench/results/ by default, the copy the
   README shows), prints a table, and exits 1 if a target is missed.
"""

import argparse
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import asdict, dataclass, field
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = BASE_DIR / "var" / "bench"
OUT_DIR = BASE_DIR / "bench" / "results"
LANGUAGES = ["en"]  # the content languages of the run (--languages): the default first

CONFIGS = {
    "no cache": {"BENCH_CACHE": "dummy", "API_RESPONSE_CACHE_SECONDS": "0"},
    "uncached": {"BENCH_CACHE": "locmem", "API_RESPONSE_CACHE_SECONDS": "0"},
    "cached": {"BENCH_CACHE": "locmem", "API_RESPONSE_CACHE_SECONDS": "300"},
}


@dataclass
class Scenario:
    name: str
    api: str  # "ours", "wagtail-v2" or "ceiling"
    config: str  # a CONFIGS name
    paths: list  # rotated through, so detail requests hit different items
    headers: dict = field(default_factory=dict)
    results: dict = field(default_factory=dict)

    @property
    def label(self):
        return f"{self.name} [{self.api}, {self.config}]"


def scenario_plan(slugs, etag=None):
    """Every scenario, from the prepared database's slugs and ids (`prepare`)."""
    ours, v2 = "/api/v1", "/wagtail-api/v2/pages"
    details = [f"{ours}/conditions/{slug}/" for slug in slugs["conditions"]]
    uncached = [
        ("list 20", [f"{ours}/conditions/"]),
        ("list 100", [f"{ours}/conditions/?limit=100"]),
        ("detail", details),
        (
            "list 20, 3 relations expanded",
            [f"{ours}/conditions/?expand=causes,treatments,therapies"],
        ),
        ("search 'nerve pain'", [f"{ours}/search/?q=nerve%20pain"]),
        ("email", [f"{path}email/" for path in details]),
    ]
    plan = [
        Scenario(name, "ours", config, paths)
        for config in ("no cache", "uncached")
        for name, paths in uncached
    ]
    plan += [
        Scenario("list 20", "wagtail-v2", "no cache", [f"{v2}/?type=pages.ConditionPage&fields=*"]),
        Scenario(
            "detail",
            "wagtail-v2",
            "no cache",
            [f"{v2}/{pk}/?fields=*" for pk in slugs["condition_ids"]],
        ),
        Scenario("list 20", "ours", "cached", [f"{ours}/conditions/"]),
        Scenario("detail", "ours", "cached", details),
        Scenario("detail, 304", "ours", "cached", details[:1], {"If-None-Match": etag or "*"}),
        Scenario("email", "ours", "cached", [f"{path}email/" for path in details]),
        Scenario("ceiling: stored bytes", "ceiling", "cached", ["/api/ceiling/"]),
    ]
    for language in LANGUAGES[1:]:
        plan += language_plan(slugs, language)
    return plan


def language_plan(slugs, language):
    """The scenarios that compare with Wagtail's API v2 and the ceiling, in `language`
    (`?locale=`): the translations' list and details."""
    ours, query = "/api/v1", f"locale={language}"
    details = [f"{ours}/conditions/{slug}/?{query}" for slug in slugs[f"conditions@{language}"]]
    named = [
        (f"list 20 ({language})", [f"{ours}/conditions/?{query}"]),
        (f"detail ({language})", details),
    ]
    return [
        Scenario(name, "ours", config, paths)
        for config in ("no cache", "uncached", "cached")
        for name, paths in named
    ]


def find(plan, name, api, config):
    return next(s for s in plan if (s.name, s.api, s.config) == (name, api, config))


# Targets (the numbers), each a check on one size's plan: (description, value, limit).
def target_checks(plan):
    def rate(name, api, config):
        return find(plan, name, api, config).results.get("requests_per_s", 0)

    def sql(name, config):
        return find(plan, name, "ours", config).results.get("sql_queries", 99)

    ceiling = rate("ceiling: stored bytes", "ceiling", "cached") or 1
    checks = [
        (
            "list 20, no cache: ours / v2",
            rate("list 20", "ours", "no cache")
            / max(rate("list 20", "wagtail-v2", "no cache"), 0.01),
            ">=",
            50,
        ),
        (
            "detail, no cache: ours / v2",
            rate("detail", "ours", "no cache")
            / max(rate("detail", "wagtail-v2", "no cache"), 0.01),
            ">=",
            6,
        ),
        ("cached list 20 / ceiling", rate("list 20", "ours", "cached") / ceiling, ">=", 0.6),
        ("cached detail / ceiling", rate("detail", "ours", "cached") / ceiling, ">=", 0.6),
        ("304 / ceiling", rate("detail, 304", "ours", "cached") / ceiling, ">=", 0.6),
        ("SQL, uncached list 20", sql("list 20", "uncached"), "<=", 4),
        ("SQL, uncached detail", sql("detail", "uncached"), "<=", 3),
        ("SQL, no cache list 20", sql("list 20", "no cache"), "<=", 6),
        ("SQL, no cache detail", sql("detail", "no cache"), "<=", 5),
        ("SQL, cached list 20", sql("list 20", "cached"), "<=", 0),
        ("SQL, cached detail", sql("detail", "cached"), "<=", 0),
    ]
    for language in LANGUAGES[1:]:  # the same ratios in each other language
        listed, detail = f"list 20 ({language})", f"detail ({language})"
        checks += [
            (
                f"{listed}, no cache: ours / v2",
                rate(listed, "ours", "no cache")
                / max(rate("list 20", "wagtail-v2", "no cache"), 0.01),
                ">=",
                50,
            ),
            (
                f"{detail}, no cache: ours / v2",
                rate(detail, "ours", "no cache")
                / max(rate("detail", "wagtail-v2", "no cache"), 0.01),
                ">=",
                6,
            ),
            (f"cached {listed} / ceiling", rate(listed, "ours", "cached") / ceiling, ">=", 0.6),
            (f"cached {detail} / ceiling", rate(detail, "ours", "cached") / ceiling, ">=", 0.6),
            (f"SQL, cached {listed}", sql(listed, "cached"), "<=", 0),
            (f"SQL, cached {detail}", sql(detail, "cached"), "<=", 0),
        ]
    return checks


GROWTH_LIMITED = [  # p95 at the largest size / at the smallest (≤ 1.5)
    ("detail", "ours", "uncached"),
    ("detail", "ours", "cached"),
    ("list 20", "ours", "cached"),
    ("detail, 304", "ours", "cached"),
]
GROWTH_REPORTED = [("list 20", "ours", "uncached"), ("list 100", "ours", "uncached")]


def log(message):
    print(message, flush=True)


def ensure_wrk():
    if shutil.which("wrk"):
        return shutil.which("wrk")
    log("wrk is not installed: installing Debian's package (apt-get install wrk)...")
    apt = ["apt-get", "install", "-y", "-q", "wrk"]
    if os.geteuid() != 0:
        apt = ["sudo", *apt]
    result = subprocess.run(apt, capture_output=True, text=True, check=False)
    if result.returncode != 0 or not shutil.which("wrk"):
        raise SystemExit(
            "Could not install wrk. Install it yourself (apt-get install wrk on Debian/Ubuntu, "
            "brew install wrk on macOS), then run the benchmark again.\n" + result.stderr[-500:]
        )
    return shutil.which("wrk")


def database_env(size):
    name = "-".join([str(size), *(LANGUAGES if len(LANGUAGES) > 1 else [])])
    url = os.environ.get("DATABASE_URL") or f"sqlite:///{DATA_DIR / f'bench-{name}.sqlite3'}"
    return {
        "DATABASE_URL": url,
        "MEDIA_ROOT": os.environ.get("MEDIA_ROOT") or str(DATA_DIR / "media"),
    }


def django_env(size, config):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        **database_env(size),
        **CONFIGS[config],
    }
    env.pop("REDIS_URL", None) if CONFIGS[config]["BENCH_CACHE"] != "redis" else None
    return env


def prepare(size):
    """Build the database of `size` conditions (once) and count each scenario's SQL queries in
    process, in each configuration: a subprocess of `bench.prepare`."""
    log(f"\n=== {size:,} conditions: preparing the database ===")
    result = subprocess.run(
        [sys.executable, "-m", "bench.prepare", "--conditions", str(size)]
        + ["--languages", ",".join(LANGUAGES)],
        cwd=BASE_DIR,
        env=django_env(size, "uncached"),
        stdout=subprocess.PIPE,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise SystemExit(f"Preparing the {size}-condition database failed (see above).")
    return json.loads(result.stdout.strip().splitlines()[-1])


def count_queries(size, plan):
    for config in CONFIGS:
        scenarios = [s for s in plan if s.config == config and s.api != "ceiling"]
        paths = {s.label: s.paths[0] for s in scenarios}
        result = subprocess.run(
            [sys.executable, "-m", "bench.prepare", "--count-queries", json.dumps(paths)],
            cwd=BASE_DIR,
            env=django_env(size, config),
            stdout=subprocess.PIPE,
            text=True,
            check=False,
        )
        if result.returncode != 0:
            raise SystemExit(f"Counting queries ({config}) failed (see above).")
        counts = json.loads(result.stdout.strip().splitlines()[-1])
        for scenario in scenarios:
            scenario.results["sql_queries"] = counts[scenario.label]
    for scenario in plan:
        scenario.results.setdefault("sql_queries", 0)


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(env, port, workers):
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
            time.sleep(0.3)
    process.terminate()
    raise SystemExit("gunicorn did not answer /healthz/ within 90 s.")


def fetch(url, headers=None):
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


LUA = """
local paths = {%(paths)s}
local headers = {%(headers)s}
local counter = 0
request = function()
  counter = counter + 1
  return wrk.format("GET", paths[(counter %% #paths) + 1], headers)
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "BENCH {\\"requests\\": %%d, \\"duration_us\\": %%d, \\"errors\\": %%d, \\"p50_us\\": %%d, "
    .. "\\"p95_us\\": %%d, \\"p99_us\\": %%d}\\n",
    summary.requests, summary.duration, e.connect + e.read + e.write + e.status + e.timeout,
    latency:percentile(50), latency:percentile(95), latency:percentile(99)))
end
"""


def lua_string(value):
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def run_wrk(wrk, base, scenario, args):
    script = LUA % {
        "paths": ", ".join(lua_string(path) for path in scenario.paths),
        "headers": ", ".join(
            f"[{lua_string(k)}] = {lua_string(v)}" for k, v in scenario.headers.items()
        ),
    }
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as handle:
        handle.write(script)
    try:
        command = [
            wrk,
            f"-t{min(2, args.connections)}",
            f"-c{args.connections}",
            f"-d{args.duration}s",
            "--timeout",
            "30s",
            "-s",
            handle.name,
            base,
        ]
        output = subprocess.run(command, capture_output=True, text=True, check=False).stdout
    finally:
        os.unlink(handle.name)
    found = re.search(r"^BENCH (\{.*\})$", output, re.M)
    if not found:
        raise SystemExit(f"wrk gave no result for {scenario.label}:\n{output[-1000:]}")
    numbers = json.loads(found.group(1))
    requests = numbers["requests"]
    scenario.results.update(
        requests=requests,
        errors=numbers["errors"],
        requests_per_s=round(requests / (numbers["duration_us"] / 1e6), 1),
        p50_ms=round(numbers["p50_us"] / 1000, 2),
        p95_ms=round(numbers["p95_us"] / 1000, 2),
        p99_ms=round(numbers["p99_us"] / 1000, 2),
    )


def process_status(pid):
    """{field: value} of /proc/<pid>/status (Linux), {} once the process is gone."""
    try:
        text = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return {}
    return {
        k: v.strip() for k, v in (line.split(":", 1) for line in text.splitlines() if ":" in line)
    }


def child_pids(parent_pid):
    return [
        int(status.parent.name)
        for status in Path("/proc").glob("[0-9]*/status")
        if process_status(status.parent.name).get("PPid") == str(parent_pid)
    ]


def memory_mb(pid, field="VmRSS"):
    """A process's resident memory now (VmRSS) or at its peak (VmHWM), in MB; None if gone."""
    value = process_status(pid).get(field)
    return round(int(value.split()[0]) / 1024, 1) if value else None


def worker_peak_memory_mb(master_pid):
    """Peak resident memory (VmHWM) of each gunicorn worker, in MB (Linux /proc)."""
    peaks = [memory_mb(pid, "VmHWM") for pid in child_pids(master_pid)]
    return [peak for peak in peaks if peak is not None]


def measure(size, plan, wrk, args):
    memory = {}
    for config in CONFIGS:
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        log(f"--- {size:,} conditions, {config}: gunicorn ({args.workers} workers) on :{port}")
        server = start_server(django_env(size, config), port, args.workers)
        try:
            for scenario in [s for s in plan if s.config == config]:
                if scenario.name == "detail, 304":
                    _, headers, _ = fetch(base + scenario.paths[0])
                    scenario.headers = {"If-None-Match": headers["ETag"]}
                for path in scenario.paths:  # warm every path (and fill the response cache)
                    status, _, body = fetch(base + path, scenario.headers)
                    if status not in (200, 304):
                        raise SystemExit(
                            f"{scenario.label}: {path} answered {status}: {body[:300]!r}"
                        )
                scenario.results["bytes"] = len(body)
                run_wrk(wrk, base, scenario, args)
                r = scenario.results
                rate, p95 = r["requests_per_s"], r["p95_ms"]
                log(f"  {scenario.label:58} {rate:>9,.1f} req/s  p95 {p95:>8} ms")
            memory[config] = worker_peak_memory_mb(server.pid)
        finally:
            server.terminate()
            server.wait(timeout=30)
    return memory


def check(runs):
    """[(size, description, value, op, limit, ok)] for every target."""
    verdicts = []
    for size, run in runs.items():
        for description, value, op, limit in target_checks(run["plan"]):
            ok = value >= limit if op == ">=" else value <= limit
            verdicts.append((size, description, round(value, 2), op, limit, ok))
    sizes = sorted(runs)
    if len(sizes) > 1:
        small, large = runs[sizes[0]]["plan"], runs[sizes[-1]]["plan"]
        for key in GROWTH_LIMITED + GROWTH_REPORTED:
            ratio = find(large, *key).results["p95_ms"] / max(
                find(small, *key).results["p95_ms"], 0.001
            )
            limit = 1.5 if key in GROWTH_LIMITED else None
            description = f"p95 growth {sizes[0]:,} -> {sizes[-1]:,}: {key[0]} [{key[2]}]"
            verdicts.append(
                (
                    sizes[-1],
                    description,
                    round(ratio, 2),
                    "<=",
                    limit,
                    limit is None or ratio <= limit,
                )
            )
    for size, run in runs.items():
        for scenario in run["plan"]:
            if scenario.results.get("errors"):
                verdicts.append(
                    (size, f"errors: {scenario.label}", scenario.results["errors"], "<=", 0, False)
                )
    return verdicts


def report(runs, verdicts, args):
    log("")
    for size, run in sorted(runs.items()):
        log(
            f"{size:,} conditions ({args.connections} connections, {args.workers} gunicorn "
            f"workers, {args.duration} s each)"
        )
        columns = ("SQL", "req/s", "p50 ms", "p95 ms", "p99 ms", "KB")
        log(f"  {'scenario':58} " + " ".join(f"{name:>8}" for name in columns))
        for s in run["plan"]:
            r = s.results
            values = (r["sql_queries"], f"{r['requests_per_s']:,.1f}", r["p50_ms"], r["p95_ms"])
            values += (r["p99_ms"], f"{r['bytes'] / 1024:.1f}")
            log(f"  {s.label:58} " + " ".join(f"{value:>8}" for value in values))
        log(f"  peak memory per gunicorn worker (MB): {run['memory']}")
    log("\nTargets:")
    for size, description, value, op, limit, ok in verdicts:
        bound = f"{op} {limit}" if limit is not None else "(reported)"
        log(f"  {'ok  ' if ok else 'MISS'} {size:>6,}  {description:58} {value:>10} {bound}")
    result = {
        "settings": {k: str(v) for k, v in vars(args).items()},
        "when": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "machine": {"cpus": os.cpu_count(), "python": sys.version.split()[0]},
        "database": os.environ.get("DATABASE_URL", "sqlite (var/bench/bench-<size>.sqlite3)"),
        "sizes": {
            str(size): {
                "scenarios": [asdict(s) for s in run["plan"]],
                "worker_peak_mb": run["memory"],
            }
            for size, run in sorted(runs.items())
        },
        "targets": [
            {"size": size, "target": d, "value": v, "op": op, "limit": limit, "ok": ok}
            for size, d, v, op, limit, ok in verdicts
        ],
    }
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "results.json").write_text(json.dumps(result, indent=2))
    chart(runs, args.out / "chart.png")
    (args.out / "results.md").write_text(markdown(result) + "\n")
    log(f"\nResults: {args.out / 'results.json'}, results.md; chart: {args.out / 'chart.png'}")
    return all(ok for *_, ok in verdicts)


def markdown(result):
    """The README's table, from a results.json: one row per scenario, a column per size."""
    sizes = list(result["sizes"])
    head = "| Scenario [API, cache] | SQL | " + " | ".join(
        f"req/s, p95 ms at {int(size):,}" for size in sizes
    )
    lines = [head + " | KB |", "| --- | ---: | " + " | ".join("---:" for _ in sizes) + " | ---: |"]
    first = result["sizes"][sizes[0]]["scenarios"]
    for n, scenario in enumerate(first):
        cells = []
        for size in sizes:
            r = result["sizes"][size]["scenarios"][n]["results"]
            cells.append(f"{r['requests_per_s']:,.0f}, {r['p95_ms']:,.1f}")
        label = f"{scenario['name']} [{scenario['api']}, {scenario['config']}]"
        sql, size_kb = scenario["results"]["sql_queries"], scenario["results"]["bytes"] / 1024
        lines.append(f"| {label} | {sql} | " + " | ".join(cells) + f" | {size_kb:,.1f} |")
    lines += ["", "| Target | Size | Value | Bound | Met |", "| --- | ---: | ---: | --- | --- |"]
    for t in result["targets"]:
        bound = f"{t['op']} {t['limit']}" if t["limit"] is not None else "reported"
        met = "yes" if t["ok"] else "**no**"
        lines.append(f"| {t['target']} | {t['size']:,} | {t['value']} | {bound} | {met} |")
    return "\n".join(lines)


def chart(runs, path):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    sizes = sorted(runs)
    labels = [s.label for s in runs[sizes[0]]["plan"]]
    figure, axis = plt.subplots(figsize=(11, 0.42 * len(labels) + 1.6))
    height = 0.8 / len(sizes)
    for n, size in enumerate(sizes):
        rates = [s.results["requests_per_s"] for s in runs[size]["plan"]]
        positions = [i + n * height for i in range(len(labels))]
        bars = axis.barh(positions, rates, height=height, label=f"{size:,} conditions")
        axis.bar_label(bars, labels=[f"{r:,.0f}" for r in rates], fontsize=7, padding=2)
    axis.set_yticks(
        [i + height * (len(sizes) - 1) / 2 for i in range(len(labels))], labels, fontsize=8
    )
    axis.invert_yaxis()
    axis.set_xscale("log")
    axis.set_xlabel(
        "requests per second (log scale; wrk, 8 connections, gunicorn 2 workers, 2 cores)"
    )
    axis.set_title("Delivery API vs Wagtail API v2 vs a bytes ceiling")
    axis.legend(loc="upper right")
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    plt.close(figure)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--sizes", default="1000,10000", help="generated conditions, comma-separated"
    )
    parser.add_argument("--duration", type=int, default=10, help="seconds per scenario")
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument("--quick", action="store_true", help="30 conditions, 1 s per scenario")
    parser.add_argument(
        "--languages",
        default="",
        help="content languages, e.g. en,es: every generated page translated into the others",
    )
    parser.add_argument(
        "--out", type=Path, default=OUT_DIR, help="where results.json and chart.png go"
    )
    args = parser.parse_args(argv)
    if args.quick:
        args.sizes, args.duration = "30", 1
    try:
        sizes = sorted({int(size) for size in args.sizes.split(",")})
    except ValueError:
        parser.error("--sizes takes whole numbers, e.g. 1000,10000")
    if min(*sizes, args.duration, args.connections, args.workers) < 1:
        parser.error("--sizes, --duration, --connections and --workers must be positive")
    languages = [code for code in args.languages.split(",") if code]
    if languages:
        from cms.settings.base import CONTENT_LANGUAGES

        if languages[0] != CONTENT_LANGUAGES[0] or not set(languages) <= set(CONTENT_LANGUAGES):
            parser.error(
                f"--languages: the default language ({CONTENT_LANGUAGES[0]}) first, then others "
                f"of CONTENT_LANGUAGES ({','.join(CONTENT_LANGUAGES)})"
            )
        LANGUAGES[:] = languages
    if os.environ.get("DATABASE_URL") and len(sizes) > 1:
        parser.error("with DATABASE_URL set, give one size (--sizes N): the database is yours")
    wrk = ensure_wrk()
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    runs = {}
    for size in sizes:
        slugs = prepare(size)
        plan = scenario_plan(slugs)
        log("Counting SQL queries per request...")
        count_queries(size, plan)
        memory = measure(size, plan, wrk, args)
        runs[size] = {"plan": plan, "memory": memory}
    return 0 if report(runs, check(runs), args) else 1


if __name__ == "__main__":
    sys.exit(main())
