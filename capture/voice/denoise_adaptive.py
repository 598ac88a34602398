"""The default noise suppression: spectral gate and learned suppressor mixed by the room.

One STFT (20 ms sqrt-Hann frames, 10 ms hop: 10 ms latency) feeds two gains per bin:
- `Gs`, the spectral gate (denoise_spectral.py): a learned noise profile, exact on steady noise;
- `Gn`, NSNet2 (learned.py): a model of speech, which removes what is not speech however it
  moves — clicks, rustle, music, traffic — but also takes some of the host's voice when the
  "noise" is other people talking.
The room classifier (room.py) says which room this is and the gains are combined for it,
chosen by measuring every combination on the bench's development mixtures (docs/voice.md):
- quiet, steady and music rooms: the geometric mean √(Gs·Gn) (PESQ above either alone on
  steady noise; on music min(Gs, Gn) scored higher but took more of the voice when babble was
  mistaken for music, so the safer mean is used);
- transients: min(Gs, Gn) (the model removes the clicks the gate lets through);
- babble: Gs · max(Gn, -3 dB) (the model may take at most 3 dB, so the host's voice is kept);
- music when the host keeps it: the music passes in pauses and is lowered by `duck_db` under
  the voice (the model's speech gain tells voice from music).
A change of room (or of method between "auto" and "spectral") moves the mix over 300 ms, so
nothing clicks; every gain is floored at the strength. If the model is not installed the gate
works alone. A stream waits for the model at its first hop (`wait_for_model`), so its output
depends on its input only — not on when a worker thread finished; the live console instead
loads the model at launch and lets the gate work alone until it arrives (about a second),
rather than hold up the microphone thread.
"""

from __future__ import annotations

import numpy as np
from scipy import fft

from capture.voice.denoise_settings import DenoiseSettings
from capture.voice.denoise_spectral import BINS, FRAME, SpectralDenoiser
from capture.voice.learned import BINS as MODEL_BINS
from capture.voice.learned import NFFT, LearnedModel, LearnedSuppressor
from capture.voice.room import Room, RoomClassifier
from capture.voice.stage import RATE

SPECTRAL = "spectral"  # the mix entry of the gate alone
MIX_HOPS = 30  # 300 ms from one treatment to the next
_BABBLE_FLOOR = 10.0 ** (-3.0 / 20.0)
_VOICE_ON = 0.35  # speech gain share above which the host is taken to be speaking
_VOICE_RELEASE = 1.0 / 40.0  # music comes back over ~400 ms after the voice stops
# The model's 513 bins (46.9 Hz apart) read at our 481 bins (50 Hz apart): linear interpolation
# with the indices and weights worked out once.
_AT = np.arange(BINS) * (RATE / FRAME) / (RATE / NFFT)
_LEFT = np.minimum(_AT.astype(int), MODEL_BINS - 2)
_RIGHT = _LEFT + 1
_RIGHT_WEIGHT = _AT - _LEFT

TREATMENTS = (SPECTRAL, *(room.value for room in Room))


class AdaptiveDenoiser:
    latency = FRAME // 2

    def __init__(self, settings: DenoiseSettings | None = None) -> None:
        self.settings = settings or DenoiseSettings()
        self.spectral = SpectralDenoiser(self.settings)
        self.classifier = RoomClassifier(BINS)
        self._learned: LearnedSuppressor | None = None
        self._model_missing = False
        self.wait_for_model = True
        self.reset()

    @property
    def automatic(self) -> bool:
        return self.settings.method != SPECTRAL

    @property
    def learned_active(self) -> bool:
        """The learned suppressor is loaded and part of the mix."""
        return self._learned is not None and self.automatic

    def configure(self, settings: DenoiseSettings) -> None:
        self.settings = settings
        self.spectral.settings = settings

    def reset(self) -> None:
        """Forget the stream (the learned noise profile stays)."""
        self.spectral.reset()
        self.classifier.reset()
        if self._learned is not None:
            self._learned.reset()
        self._weights = dict.fromkeys(TREATMENTS, 0.0)
        self._weights[SPECTRAL] = 1.0
        self.voice = 0.0

    def restart(self) -> None:
        """Switched back in after another method: a new stream, the room's state kept."""
        self.spectral.restart()

    def process(self, hop: np.ndarray) -> np.ndarray:
        frame = self.spectral.push(hop)
        spec = fft.rfft(frame)
        power = spec.real * spec.real + spec.imag * spec.imag
        gate = self.spectral.mask(power)
        speech = self._model_gain(frame) if self.automatic else None
        room = self.classifier.update(power, gate if speech is None else speech)
        self._follow(SPECTRAL if speech is None else room.value)
        self._track_voice()
        gain = self._mix(gate, speech)
        floor = 10.0 ** (-self.settings.strength_db / 20.0)
        return self.spectral.synthesise(spec * np.maximum(gain, floor))

    def _model_gain(self, frame: np.ndarray) -> np.ndarray | None:
        if self._learned is None:
            if self._model_missing:
                return None
            model = LearnedModel.load_now() if self.wait_for_model else LearnedModel.shared()
            if model is None:
                if self.wait_for_model:
                    self._model_missing = True  # not installed or broken: the gate alone
                else:
                    LearnedModel.load_async()
                return None
            self._learned = LearnedSuppressor(model)
        wide = fft.rfft(frame, NFFT)
        gains = self._learned.gains(wide.real * wide.real + wide.imag * wide.imag)
        left = gains.take(_LEFT)  # `take`: a third cheaper than fancy indexing here
        return left + (gains.take(_RIGHT) - left) * _RIGHT_WEIGHT

    def _follow(self, target: str) -> None:
        """Move the mix one step toward `target` (linear, MIX_HOPS from one to the next)."""
        w = self._weights
        if w[target] >= 1.0:
            return
        step = 1.0 / MIX_HOPS
        for name in w:
            w[name] = max(0.0, w[name] - step) if name != target else w[name]
        w[target] = min(1.0, w[target] + step)
        total = sum(w.values())
        for name in w:
            w[name] /= total

    def _track_voice(self) -> None:
        on = 1.0 if self.classifier.speech_share >= _VOICE_ON else 0.0
        self.voice = on if on > self.voice else max(0.0, self.voice - _VOICE_RELEASE)

    def _mix(self, gate: np.ndarray, speech: np.ndarray | None) -> np.ndarray:
        out = np.zeros(BINS)
        for name, weight in self._weights.items():
            if weight > 0.0:
                out += weight * self._treatment(name, gate, speech)
        return out

    def _treatment(self, name: str, gate: np.ndarray, speech: np.ndarray | None) -> np.ndarray:
        if speech is None or name == SPECTRAL:
            return gate
        if name == Room.TRANSIENT.value:
            return np.minimum(gate, speech)
        if name == Room.BABBLE.value:
            return gate * np.maximum(speech, _BABBLE_FLOOR)
        mean = np.sqrt(gate * speech)
        if name == Room.MUSIC.value and self.settings.keep_music:
            duck = 10.0 ** (-self.settings.duck_db / 20.0)
            return np.maximum(mean, 1.0 - self.voice * (1.0 - duck))
        return mean
