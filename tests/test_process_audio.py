"""`livedesk process-audio`: real files in, real files out, through the live chain."""

from __future__ import annotations

import wave
from pathlib import Path

import av
import numpy as np
import pytest

from app.cli import main
from capture.voice import ChainSettings, VoiceChain, process_offline
from capture.voice.loudness import true_peak_dbtp

RATE = 48_000


def write_audio(path: Path, x: np.ndarray, rate: int = RATE, codec: str = "pcm_f32le") -> None:
    """x: samples × channels float32."""
    layout = "mono" if x.shape[1] == 1 else "stereo"
    with av.open(str(path), "w") as out:
        stream = out.add_stream(codec, rate=rate, layout=layout)
        resampler = av.AudioResampler(
            format=stream.codec_context.format,
            layout=layout,
            rate=rate,
            frame_size=stream.codec_context.frame_size or None,
        )
        frame = av.AudioFrame.from_ndarray(np.ascontiguousarray(x.T), format="fltp", layout=layout)
        frame.sample_rate = rate
        frame.pts = 0
        for f in [*resampler.resample(frame), *resampler.resample(None), None]:
            for packet in stream.encode(f):
                out.mux(packet)


def read_audio(path: Path) -> tuple[np.ndarray, int]:
    with av.open(str(path)) as c:
        s = c.streams.audio[0]
        rate, layout = s.rate, s.layout.name
        to_planar = av.AudioResampler(format="fltp", layout=layout, rate=rate)
        frames = [g.to_ndarray() for f in c.decode(s) for g in to_planar.resample(f)]
    return np.concatenate(frames, axis=1).T.astype(np.float32), rate


def voice(seconds: float, rate: int = RATE) -> np.ndarray:
    rng = np.random.default_rng(4)
    n = int(seconds * rate)
    env = (np.sin(2 * np.pi * 3 * np.arange(n) / rate) > -0.2).astype(np.float64)
    x = np.convolve(rng.standard_normal(n), np.ones(6) / 6, mode="same") * env * 0.03
    return (x + rng.standard_normal(n) * 0.003).astype(np.float32)


def test_bypassed_chain_copies_a_48k_float_file_exactly(tmp_path: Path) -> None:
    x = voice(2.0)[:, None]
    src, dst = tmp_path / "in.wav", tmp_path / "out.wav"
    write_audio(src, x)
    rc = main(["process-audio", str(src), str(dst), "--no-denoise", "--no-agc", "--no-limiter"])
    assert rc == 0
    y, rate = read_audio(dst)
    assert rate == RATE and y.shape == x.shape
    assert np.array_equal(y, x)


def test_file_tool_gives_exactly_the_live_chain_output(tmp_path: Path) -> None:
    x = voice(3.0)
    src, dst = tmp_path / "in.wav", tmp_path / "out.wav"
    write_audio(src, x[:, None])
    assert main(["process-audio", str(src), str(dst)]) == 0
    y, _ = read_audio(dst)
    live = process_offline(VoiceChain(ChainSettings()), x)  # 10 ms blocks, like the microphone
    assert np.array_equal(y[:, 0], live)
    assert true_peak_dbtp(y[:, 0]) <= -1.0


def test_44k_stereo_flac_comes_out_48k_stereo_same_duration(tmp_path: Path, capsys) -> None:
    x = voice(2.0, rate=44_100)
    src, dst = tmp_path / "in.flac", tmp_path / "out.flac"
    write_audio(src, np.stack((x, x), axis=1), rate=44_100, codec="flac")
    assert main(["process-audio", str(src), str(dst), "--method", "rnnoise"]) == 0
    y, rate = read_audio(dst)
    assert rate == RATE and y.shape[1] == 2
    assert abs(y.shape[0] - 2 * RATE) <= 2
    assert "Wrote" in capsys.readouterr().out


def test_mp3_in_and_out(tmp_path: Path) -> None:
    src, dst = tmp_path / "in.mp3", tmp_path / "out.mp3"
    write_audio(src, voice(2.0)[:, None], codec="libmp3lame")
    assert main(["process-audio", str(src), str(dst), "--gate"]) == 0
    y, rate = read_audio(dst)
    assert rate == RATE and y.shape[0] > RATE


@pytest.mark.parametrize(
    ("content", "message"),
    [(b"", "is empty"), (b"this is not audio" * 50, "Cannot read")],
)
def test_bad_files_give_a_clear_error_and_no_output(
    tmp_path: Path, capsys, content: bytes, message: str
) -> None:
    src, dst = tmp_path / "in.wav", tmp_path / "out.wav"
    src.write_bytes(content)
    assert main(["process-audio", str(src), str(dst)]) == 2
    assert message in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == [src]


def test_missing_file_and_same_file_are_refused(tmp_path: Path, capsys) -> None:
    assert main(["process-audio", str(tmp_path / "nope.wav"), str(tmp_path / "o.wav")]) == 2
    assert "does not exist" in capsys.readouterr().err
    src = tmp_path / "a.wav"
    write_audio(src, voice(0.5)[:, None])
    assert main(["process-audio", str(src), str(src)]) == 2
    assert "different" in capsys.readouterr().err


def test_file_with_zero_samples_is_reported(tmp_path: Path, capsys) -> None:
    src, dst = tmp_path / "in.wav", tmp_path / "out.wav"
    with wave.open(str(src), "wb") as w:  # a valid WAV header with no frames
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(RATE)
    assert main(["process-audio", str(src), str(dst)]) == 2
    assert "no audio samples" in capsys.readouterr().err
    assert not dst.exists()
