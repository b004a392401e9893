"""What every framework adapter of ``python -m benchmarks`` provides, and the parity rule.

An adapter (:class:`Framework`) says whether its framework can run here
(:meth:`Framework.available`: None, or the reason it cannot), which built-in models it runs
by default, how it prepares a model (:meth:`Framework.prepare`: a model file plus seeded
inputs) and how it builds the three runtimes of a model:

- ``host``: the framework's own default path (ORT's CPU EP, the TFLite interpreter with its
  default delegate XNNPACK, OpenCV DNN's default backend);
- ``webnn``: the same framework with WebNN (the ORT execution provider, the TFLite delegate,
  OpenCV's WebNN backend), OpenVINO backend on the CPU;
- ``native``: OpenVINO reading the same model file directly (``read_model`` +
  ``compile_model`` with the configuration WebNN's OpenVINO backend uses).

Each is a :class:`Runtime`: one-inference callable, the outputs of its first call, the
seconds to that first result (build/compile + first inference) and, for ``webnn``, the
share of the model WebNN took (:func:`coverage`).

Parity (:func:`agreement`), each output of a runtime against the host's:

- float outputs: ``max |a - h| <= rtol * max |h| + atol`` (relative to the output's
  scale); ``exact`` precision: rtol 1e-3, atol 1e-4; ``fast`` precision (bfloat16 in WebNN
  and OpenVINO, 8 significant bits, rounding error up to 2**-9 per operation, compounded
  over tens of layers): rtol 5e-2, atol 1e-3;
- quantized outputs (int8/uint8 tensors, and float outputs of a DEQUANTIZE whose step is
  known): within one quantization step for at least 99% of the elements (rounding of
  requantized values may flip a step);
- other integer/bool outputs: equal.

Outputs whose element counts match but whose shapes differ (OpenCV keeps trailing 1s) are
compared flattened; any other shape mismatch is a disagreement.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

#: ``--precision`` value -> WebNN ``precision`` (and the OpenVINO precision hint behind it)
PRECISIONS = {"exact": "float32", "fast": "bfloat16"}
#: (rtol, atol) of float outputs per ``--precision``
FLOAT_TOLERANCE = {"exact": (1e-3, 1e-4), "fast": (5e-2, 1e-3)}
#: share of the elements of a quantized output that must be within one step
QUANTIZED_SHARE = 0.99
#: the three runtimes of every model, in timing order
ROLES = ("host", "webnn", "native")


@dataclass
class Prepared:
    """A model ready for one framework: its file, seeded inputs and what parity needs."""

    name: str
    framework: str
    source: str  # "built-in" or "user"
    path: str
    #: framework-specific input feeds (ORT/OpenCV: name -> array; TFLite: list)
    inputs: Any
    #: quantization step of each output (None: not quantized / unknown)
    output_steps: list[float | None] = field(default_factory=list)
    #: facts for the JSON record (input shapes, node count ...)
    info: dict[str, Any] = field(default_factory=dict)
    #: framework-specific data the runtimes need (tensor details, output names ...)
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass
class Runtime:
    """One runtime of one model: a callable doing one inference, the outputs of its first
    call, the seconds to that first result, the WebNN coverage (webnn only) and notes."""

    role: str
    label: str
    call: Callable[[], Any]
    outputs: list[np.ndarray]
    first_run_s: float
    coverage: dict[str, Any] | None = None
    notes: list[str] = field(default_factory=list)


class Framework(ABC):
    """Base of the adapters: see the module doc. Subclasses set :attr:`name`,
    :attr:`extensions`, :attr:`labels` and implement the methods."""

    name = ""
    #: model file extensions the framework reads
    extensions: tuple[str, ...] = ()
    #: role -> what runs it, for the table and JSON
    labels: dict[str, str] = {}

    @abstractmethod
    def available(self) -> str | None:
        """None when the framework and its WebNN provider can run here, else the reason."""
        ...

    @abstractmethod
    def default_models(self) -> list[str]:
        """The built-in models of the default run."""
        ...

    def builtin_models(self) -> list[str]:
        """Every built-in model name this adapter prepares (default ones first)."""
        return self.default_models()

    def accepts(self, path: str | Path) -> bool:
        """Whether a user model file has one of :attr:`extensions`."""
        return Path(path).suffix.lower() in self.extensions

    @abstractmethod
    def prepare(self, model: str, workdir: Path, seed: int,
                input_shapes: Mapping[str, Sequence[int]] | None = None) -> Prepared:
        """Prepare a built-in model name or a user file path in ``workdir``;
        ``input_shapes`` (``--input-shape``) fixes symbolic input dimensions by name, for
        frameworks whose models have them."""
        ...

    @abstractmethod
    def host(self, prepared: Prepared) -> Runtime:
        ...

    @abstractmethod
    def webnn(self, prepared: Prepared, precision: str) -> Runtime:
        ...

    @abstractmethod
    def native(self, prepared: Prepared, precision: str) -> Runtime:
        ...

    def host_alternative(self, prepared: Prepared) -> tuple[str, list[np.ndarray]] | None:
        """(label, outputs) of the host framework's other kernels on the same input, where
        that shows how far apart the host's own implementations are (TFLite's builtin
        kernels vs XNNPACK on quantized models); None when not applicable."""
        return None

    def build(self, role: str, prepared: Prepared, precision: str) -> Runtime:
        """The runtime ``role`` ("host", "webnn" or "native") of ``prepared``."""
        if role == "host":
            return self.host(prepared)
        return getattr(self, role)(prepared, precision)


def openvino_config(precision: str, device: str = "CPU") -> dict[str, Any]:
    """The compile configuration of WebNN's OpenVINO backend for ``--precision`` (the native
    runtimes use it too)."""
    from webnn_core.backends.openvino import OpenVINOBackend

    return dict(OpenVINOBackend(device=device, precision=PRECISIONS[precision]).config)


# -- coverage ------------------------------------------------------------------------------


def coverage(report: Any) -> dict[str, Any]:
    """Nodes WebNN took / nodes, share, partitions and the ops left to the host (with
    reasons) from a provider's ``PartitionReport``."""
    from ..tflite_benchmark import report_summary

    return report_summary(report)


# -- parity --------------------------------------------------------------------------------


def _compare_one(actual: np.ndarray, expected: np.ndarray, step: float | None,
                 precision: str) -> dict[str, Any]:
    """:func:`agreement` of one output pair."""
    actual, expected = np.asarray(actual), np.asarray(expected)
    if actual.size != expected.size:
        return {"agree": False, "error": f"shape {list(actual.shape)} vs "
                f"{list(expected.shape)}"}
    a = actual.reshape(expected.shape).astype(np.float64)
    e = expected.astype(np.float64)
    d = np.abs(a - e)
    max_abs = float(np.max(d, initial=0.0))
    scale = float(np.max(np.abs(e), initial=0.0))
    out: dict[str, Any] = {"max_abs_diff": max_abs,
                           "max_rel_diff": max_abs / scale if scale else max_abs}
    if expected.dtype.kind in "iu" and expected.dtype.itemsize == 1:
        step = 1.0
    if step:
        within = float(np.mean(d <= step * (1 + 1e-4))) if d.size else 1.0
        out.update(rule="steps", step=step, max_steps=max_abs / step, share_within_1=within,
                   agree=within >= QUANTIZED_SHARE)
    elif expected.dtype.kind == "f":
        rtol, atol = FLOAT_TOLERANCE[precision]
        out.update(rule="float", tolerance=rtol * scale + atol,
                   agree=bool(np.isfinite(max_abs) and max_abs <= rtol * scale + atol))
    else:
        out.update(rule="equal", agree=max_abs == 0.0)
    return out


def agreement(actual: Sequence[np.ndarray], expected: Sequence[np.ndarray],
              steps: Sequence[float | None], precision: str = "exact") -> dict[str, Any]:
    """Whether ``actual`` agrees with the host's ``expected`` outputs (rule: module doc):
    ``agree``, the worst ``max_rel_diff`` / ``max_abs_diff`` and the per-output details."""
    if len(actual) != len(expected):
        return {"agree": False, "error": f"{len(actual)} outputs vs {len(expected)}",
                "outputs": []}
    steps = list(steps) + [None] * (len(expected) - len(steps))
    per = [_compare_one(a, e, s, precision) for a, e, s in zip(actual, expected, steps)]
    result: dict[str, Any] = {"agree": all(p["agree"] for p in per), "outputs": per}
    rel = [p["max_rel_diff"] for p in per if "max_rel_diff" in p]
    if rel:
        result["max_rel_diff"] = max(rel)
        result["max_abs_diff"] = max(p["max_abs_diff"] for p in per if "max_abs_diff" in p)
    errors = [p["error"] for p in per if "error" in p]
    if errors:
        result["error"] = "; ".join(errors)
    return result
