"""What every bench prints: one strict JSON object (an empty distribution as null, never NaN),
an error as `{"bench", "error"}` with exit code 1, and the machine it ran on."""

from __future__ import annotations

import json
import os

import pytest

from app.bench.measure import CpuMeter, cpu_seconds, summarize
from app.bench.report import emit, emit_error, loadavg, machine


def test_an_empty_distribution_prints_as_null_in_strict_json(
    capsys: pytest.CaptureFixture[str],
) -> None:
    emit({"bench": "x", "latency_ms": summarize([]), "runs": [summarize([1.0, 3.0])]})
    out = capsys.readouterr().out
    parsed = json.loads(out, parse_constant=lambda name: pytest.fail(f"{name} in bench JSON"))
    assert parsed["latency_ms"] == {
        "count": 0,
        "median": None,
        "p95": None,
        "p99": None,
        "max": None,
    }
    assert parsed["runs"][0]["median"] == 2.0 and parsed["runs"][0]["max"] == 3.0
    assert out.count("\n") > 1  # indented: a person reads it too


def test_a_bench_that_cannot_run_says_why_as_json(capsys: pytest.CaptureFixture[str]) -> None:
    assert emit_error("encode", "ffmpeg not found at /nowhere") == 1
    assert json.loads(capsys.readouterr().out) == {
        "bench": "encode",
        "error": "ffmpeg not found at /nowhere",
    }


def test_the_machine_block_and_cpu_readings() -> None:
    block = machine([1.0, 2.0, 3.0])
    assert block == {"cpus": os.cpu_count(), "loadavg_before": [1.0, 2.0, 3.0]}
    now = loadavg()
    assert len(now) == 3 and all(round(x, 2) == x for x in now)
    assert len(machine()["loadavg_before"]) == 3
    meter, before = CpuMeter(), cpu_seconds()
    while cpu_seconds() - before < 0.05:  # burn a little CPU on this thread
        sum(range(10_000))
    assert meter.cpu_seconds() >= 0.05 and meter.read() > 0
