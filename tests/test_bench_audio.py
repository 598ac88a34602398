"""The audio benchmark's pieces: its test material and scores are what they claim, and a quick
run prints the JSON summary with every target (speed figures are measured by the bench, not
asserted here)."""

from __future__ import annotations

import json

import numpy as np
import pytest

from app.cli import audio_testset as ts
from app.cli import main
from app.cli.bench_audio import si_sdr

pytestmark = pytest.mark.skipif(not ts.espeak_available(), reason="espeak-ng missing")


def test_si_sdr_known_answers() -> None:
    rng = np.random.default_rng(0)
    ref = rng.standard_normal(48_000)
    noise = rng.standard_normal(48_000)
    noise -= np.dot(noise, ref) / np.dot(ref, ref) * ref  # orthogonal to ref
    noise *= np.linalg.norm(ref) / np.linalg.norm(noise) / 10 ** (10 / 20)
    assert si_sdr(ref, ref + noise) == pytest.approx(10.0, abs=0.01)
    assert si_sdr(ref, 0.3 * (ref + noise)) == pytest.approx(10.0, abs=0.01)  # scale-invariant


@pytest.mark.parametrize("kind", list(ts.NOISES))
def test_mix_hits_the_requested_snr(kind: str) -> None:
    clean = ts.set_rms(np.random.default_rng(1).standard_normal(96_000).astype(np.float32), -26)
    unit = ts.noise(kind, clean.size)
    assert float(np.std(unit)) == pytest.approx(1.0, rel=1e-3)
    noisy = ts.mix(clean, unit, 5.0)
    n = noisy.astype(np.float64) - clean
    snr = 10 * np.log10(np.mean(clean.astype(np.float64) ** 2) / np.mean(n**2))
    assert snr == pytest.approx(5.0, abs=0.05)


@pytest.mark.parametrize("lang", list(ts.SPEECH))
def test_espeak_speech_is_48k_at_minus_26_dbfs(lang: str) -> None:
    x = ts.speech(lang)
    assert x.dtype == np.float32 and 3.0 < x.size / 48_000 < 15.0
    assert 20 * np.log10(np.sqrt(np.mean(x.astype(np.float64) ** 2))) == pytest.approx(
        -26, abs=0.01
    )


@pytest.mark.slow
def test_quick_bench_prints_every_target(capsys) -> None:
    noises = ("pink", "transient", "crowd")  # one steady, one transient, one babble room
    argv = ["bench", "audio", "--quick", "--speed-seconds", "4", "--noises", ",".join(noises)]
    assert main(argv) == 0
    result = json.loads(capsys.readouterr().out)
    summary = result["summary"]
    for key in (
        "rtf_chain_spectral",
        "latency_ms_spectral",
        "stationary_5db",
        "stoi_worst_drop",
        "agc_worst_error_lu",
        "true_peak_max_dbtp",
    ):
        assert key in summary
    assert [c["noise"] for c in result["conditions"]] == list(noises)
    assert set(summary["rooms_5db"]) == {"steady", "transient", "babble"}
    for room in summary["rooms_5db"].values():
        assert {"pesq_minus_best_rival_worst", "stoi_minus_noisy_worst"} <= set(room)
    ratios = summary["pesq_ratio_vs_webrtc_ns_5db"]  # the anchor, measured in the same run
    assert set(ratios) == {"steady", "transient", "babble"}
    for r in ratios.values():
        assert r["ratio"] == pytest.approx(
            r["chain_pesq_median"] / r["webrtc_ns_pesq_median"], 0.01
        )
    # Properties of the design, not of the machine's speed:
    assert summary["latency_ms_spectral"]["value"] <= 20.0
    assert summary["true_peak_max_dbtp"]["met"]
    assert summary["agc_worst_error_lu"]["met"]
