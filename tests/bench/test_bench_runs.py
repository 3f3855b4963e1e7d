"""The benchmark must keep working: a tiny run end to end (gunicorn in every configuration, wrk,
every scenario, both APIs and the ceiling, the targets, the chart). Only the numbers' presence
is checked here; their size is the benchmark's business (make bench)."""

import json
import os

import pytest

from tests.servers import run_python


@pytest.mark.heavy
@pytest.mark.server
def test_bench_smoke_run(heavy, tmp_path):
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'bench.sqlite3'}",
        "MEDIA_ROOT": str(tmp_path / "media"),
    }
    env.pop("REDIS_URL", None)
    args = ["--sizes", "3", "--duration", "1", "--connections", "2", "--out", str(tmp_path)]
    proc = run_python(env, "-m", "bench.run", *args, timeout=600)
    assert proc.returncode in (0, 1), proc.stdout[-2000:] + proc.stderr[-2000:]
    result = json.loads((tmp_path / "results.json").read_text())
    scenarios = result["sizes"]["3"]["scenarios"]
    rows = {(s["name"], s["api"], s["config"]): s["results"] for s in scenarios}
    assert len(rows) == 19  # 16, and the email endpoint in each cache configuration
    assert {config for name, _, config in rows if name == "email"} == {
        "no cache",
        "uncached",
        "cached",
    }
    assert {api for _, api, _ in rows} == {"ours", "wagtail-v2", "ceiling"}
    for key, numbers in rows.items():
        assert numbers["errors"] == 0 and numbers["requests"] > 0, (key, numbers)
        assert numbers["p95_ms"] > 0 and numbers["requests_per_s"] > 0, (key, numbers)
    ours = rows[("list 20", "ours", "no cache")]
    theirs = rows[("list 20", "wagtail-v2", "no cache")]
    assert 0 < ours["sql_queries"] < theirs["sql_queries"]
    assert rows[("detail", "ours", "cached")]["sql_queries"] == 0
    assert rows[("detail, 304", "ours", "cached")]["bytes"] == 0  # a 304 has no body
    assert rows[("email", "ours", "cached")]["sql_queries"] == 0
    assert {target["target"] for target in result["targets"]} >= {
        "list 20, no cache: ours / v2",
        "cached detail / ceiling",
        "SQL, uncached detail",
    }
    assert all(
        peak > 0 for peaks in result["sizes"]["3"]["worker_peak_mb"].values() for peak in peaks
    )
    assert (tmp_path / "chart.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


@pytest.mark.heavy
def test_represent_timing_runs(heavy, tmp_path):
    """bench/represent.py end to end on 2 conditions: a refresh time and live-detail times."""
    env = {**os.environ, "MEDIA_ROOT": str(tmp_path / "media")}
    args = ["--conditions", "2", "--details", "5", "--data", str(tmp_path)]
    proc = run_python(env, "-m", "bench.represent", *args, timeout=300)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    assert result["conditions"] == 2 and result["refresh_seconds"] > 0
    assert result["live_detail"]["details"] == 5 and result["live_detail"]["items"] > 5
