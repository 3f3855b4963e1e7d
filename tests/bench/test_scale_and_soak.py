"""The pieces of the scale run and the soak (bench/scale.py, bench/soak.py) that decide their
verdicts; the runs themselves are benchmarks (`make scale`, `make soak`), not tests."""

import argparse
import os

from bench.run import child_pids, memory_mb
from bench.scale import table
from bench.soak import MAX_SLOPE, Publisher, Receiver, markdown, slope, verdict


def test_the_slope_is_mib_per_minute_by_least_squares():
    assert slope([(0, 100), (60, 101), (120, 102)]) == 1.0
    assert slope([(0, 100), (60, 100)]) == 0.0
    assert slope([(0, 100)]) == 0.0  # one sample: no trend
    assert slope([(0, 110), (30, 90), (60, 110), (90, 90)]) < 0  # noise, not growth


def test_memory_is_read_from_proc(tmp_path):
    assert memory_mb(os.getpid()) > 1
    assert memory_mb(os.getpid(), "VmHWM") >= memory_mb(os.getpid())
    assert memory_mb(2**22 + 12345) is None  # no such process
    assert os.getpid() in child_pids(os.getppid())


def a_verdict(errors=0, stale=0, duplicated=False, growth=0.0):
    publisher = Publisher("http://127.0.0.1:9", [], None)
    publisher.published, publisher.delays, publisher.stale = 3, [0.3, 0.5, 0.4], stale
    receiver = Receiver()
    receiver.server_close()
    receiver.ids.update({"msg_1": 2 if duplicated else 1, "msg_2": 1})
    load = {"errors": errors, "requests": 1000, "requests_per_s": 100.0}
    load |= {"p50_ms": 5.0, "p99_ms": 50.0}
    memory = {"web 1": [(t, 100 + growth * t / 60) for t in range(0, 600, 10)]}
    args = argparse.Namespace(minutes=10, connections=50, conditions=1000)
    return verdict(args, load, publisher, receiver, {"msg_1", "msg_2"}, memory)


def failed_checks(result):
    return [check["check"] for check in result["checks"] if not check["met"]]


def test_a_clean_soak_passes_and_each_fault_fails_its_own_check():
    clean = a_verdict()
    assert failed_checks(clean) == []
    assert clean["shown_after_s"] == {"median": 0.4, "max": 0.5}
    assert "| web 1 | 100, 100 | 0.0 |" in markdown(clean)
    assert failed_checks(a_verdict(errors=3)) == ["failed requests (errors and non-2xx/3xx)"]
    assert failed_checks(a_verdict(stale=1)) == ["stale titles (an older one after a newer)"]
    assert failed_checks(a_verdict(duplicated=True)) == ["webhooks delivered more than once"]
    (grew,) = failed_checks(a_verdict(growth=MAX_SLOPE * 2))
    assert grew.startswith("steepest RSS slope")


def test_the_scale_table_shows_each_measured_step_in_order():
    results = {
        "sync walk": {"seconds": 30.0, "peak_mib": 180, "result": "7 pages, 648 items"},
        "generate": {"seconds": 600.0, "peak_mib": 900, "result": "100,000 conditions"},
    }
    lines = table(results).splitlines()
    assert lines[2] == "| generate | 10.0 min | 900 MiB | 100,000 conditions |"
    assert lines[3] == "| sync walk | 30.0 s | 180 MiB | 7 pages, 648 items |"
