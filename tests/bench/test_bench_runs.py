"""The benchmark must keep working: a tiny run end to end (gunicorn, every scenario, both APIs).
Only the numbers' presence is checked here; their size is the benchmark's business (make bench)."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

BASE_DIR = Path(__file__).resolve().parents[2]


@pytest.mark.server
def test_bench_smoke_run(tmp_path):
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'bench.sqlite3'}",
        "MEDIA_ROOT": str(tmp_path / "media"),
    }
    env.pop("REDIS_URL", None)
    args = ["--quick", "--conditions", "3", "--requests", "4", "--out", str(tmp_path)]
    proc = subprocess.run(
        [sys.executable, "-m", "bench.run", *args],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert proc.returncode in (0, 1), proc.stdout[-2000:] + proc.stderr[-2000:]
    result = json.loads((tmp_path / "results.json").read_text())
    rows = {(s["name"], s["api"]): s["results"] for s in result["scenarios"]}
    assert ("condition detail", "wagtail-v2") in rows and len(rows) == 12
    for (name, api), numbers in rows.items():
        assert numbers["errors"] == 0 and numbers["requests"] == 4, (name, api, numbers)
        assert numbers["p95_ms"] > 0 and numbers["bytes"] > 0 and numbers["sql_queries"] > 0
    ours, theirs = rows[("list 20 conditions", "ours")], rows[("list 20 conditions", "wagtail-v2")]
    assert ours["sql_queries"] < theirs["sql_queries"]
    assert all(peak > 0 for peak in result["worker_peak_mb"])
