"""What every framework adapter of ``python -m benchmarks`` provides.

An adapter (:class:`Framework`) says whether its framework can run here
(:meth:`Framework.available`: None, or the reason it cannot), which built-in models it runs
by default, how it prepares a model (:meth:`Framework.prepare`: a model file plus seeded
inputs) and how it builds the three runtimes of a model:

- ``host``: the framework's own default path (ORT's CPU EP, the TFLite interpreter with its
  default delegate XNNPACK, OpenCV DNN's default backend);
- ``webnn``: the same framework with WebNN (the ORT execution provider, the TFLite delegate,
  OpenCV's WebNN backend), OpenVINO backend on the CPU unless :meth:`Framework.target`
  chose another backend and device (``--backend xla --device gpu``);
- ``native``: OpenVINO reading the same model file directly (``read_model`` +
  ``compile_model`` with the configuration WebNN's OpenVINO backend uses). Where OpenVINO
  is not the backend, the direct-XLA anchor (:mod:`.xla_anchor`) where one exists for the
  model (ONNX frameworks, ResNet-50), else no native runtime (:meth:`Framework.build`
  returns None).

Each is a :class:`Runtime`: one-inference callable, the outputs of its first call, the
seconds to that first result (build/compile + first inference, with its steps) and, for
``webnn``, the share of the model WebNN took (:func:`coverage`). The deep dives
(``benchmarks.ort_benchmark``, ``benchmarks.tflite_benchmark``) build their runtimes from the
same functions of the adapter modules.

The parity rule (:func:`benchmarks.frameworks.parity.agreement`) judges the ``webnn`` and
``native`` outputs against the host's.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

#: ``--precision`` value -> WebNN's ``precision`` option on every backend: exact is float32;
#: fast is "fast", the backend's fastest precision for the device (OpenVINO: bfloat16 only
#: with AMX, float16 on GPUs; XLA: TF32 on GPUs ...), which OpenVINO's column and the
#: direct-XLA anchor use as well (:func:`precision_choice`)
PRECISIONS = {"exact": "float32", "fast": "fast"}
#: the backend of the default run and its device name
DEFAULT_BACKEND = "openvino"
DEFAULT_DEVICES = {"openvino": "CPU", "xla": "cpu"}
#: the three runtimes of every model, in timing order
ROLES = ("host", "webnn", "native")


def webnn_precision(precision: str, backend: str = DEFAULT_BACKEND,
                    device: str | None = None) -> str:
    """The backend's ``precision`` option for ``--precision`` ("exact" or "fast")."""
    return PRECISIONS[precision]


def precision_choice(precision: str, backend: str = DEFAULT_BACKEND,
                     device: str | None = None) -> Any:
    """What WebNN's context computes float32 graphs in for ``--precision`` on ``backend`` /
    ``device`` (a ``PrecisionChoice``: ``.precision`` and why)."""
    import webnn_core as webnn

    options = {"device": device} if device else {}
    return webnn.ml.create_context(backend=backend, precision=PRECISIONS[precision],
                                   **options).precision


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
    call, the seconds to that first result, the WebNN coverage (webnn only), notes, the steps
    of the first run in seconds (``total_s`` and e.g. ``compile_s``) and runtime-specific
    objects (the interpreter, the compiled model ...)."""

    role: str
    label: str
    call: Callable[[], Any]
    outputs: list[np.ndarray]
    first_run_s: float
    coverage: dict[str, Any] | None = None
    notes: list[str] = field(default_factory=list)
    first_run: dict[str, float] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)


class Framework(ABC):
    """Base of the adapters: see the module doc. Subclasses set :attr:`name`,
    :attr:`extensions`, :attr:`labels` and implement the methods."""

    name = ""
    #: model file extensions the framework reads
    extensions: tuple[str, ...] = ()
    #: role -> what runs it, for the table and JSON
    labels: dict[str, str] = {}
    #: WebNN's backend and device (None: the backend's default); see :meth:`target`
    backend: str = DEFAULT_BACKEND
    device: str | None = None
    #: OpenVINO's compiled-model cache directory for ``webnn`` (the ``cache_dir`` option)
    #: and ``native`` (``CACHE_DIR``); None: no disk cache (``--cache-dir``)
    cache_dir: str | None = None

    def target(self, backend: str = DEFAULT_BACKEND, device: str | None = None) -> None:
        """Run the ``webnn`` runtimes on ``backend`` / ``device`` (None: the backend's
        default device); where the backend is not OpenVINO, ``native`` is the direct-XLA
        anchor where one exists (labels updated)."""
        self.backend, self.device = backend, device
        self.labels = dict(type(self).labels)
        if backend != DEFAULT_BACKEND:
            from .xla_anchor import LABEL

            self.labels["native"] = LABEL

    def webnn_device(self) -> str:
        """The device WebNN's context gets: the chosen one, else the backend's default."""
        return self.device or DEFAULT_DEVICES.get(self.backend, "CPU")

    def webnn_options(self, precision: str) -> dict[str, str]:
        """``backend``, ``device`` and ``precision`` options of WebNN's context for
        ``--precision`` (and ``cache_dir`` when set)."""
        options = {"backend": self.backend, "device": self.webnn_device(),
                   "precision": webnn_precision(precision, self.backend, self.webnn_device())}
        if self.cache_dir is not None:
            options["cache_dir"] = self.cache_dir
        return options

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

    def anchor(self, prepared: Prepared, precision: str) -> Runtime | None:
        """The direct-XLA anchor of ``prepared``, the ``native`` runtime where OpenVINO is
        not the backend; None where none exists (the default)."""
        return None

    def build(self, role: str, prepared: Prepared, precision: str) -> Runtime | None:
        """The runtime ``role`` ("host", "webnn" or "native") of ``prepared``; None where
        the role does not apply (no direct-XLA anchor for this model)."""
        if role == "host":
            return self.host(prepared)
        if role == "native" and self.backend != DEFAULT_BACKEND:
            return self.anchor(prepared, precision)
        return getattr(self, role)(prepared, precision)


# -- coverage ------------------------------------------------------------------------------


def fallback_reasons(nodes: Iterable[Any]) -> dict[str, int]:
    """"op: [kind] reason" -> count, of the nodes (``NodeReport``) a provider left."""
    reasons: dict[str, int] = {}
    for node in nodes:
        key = f"{node.op_type}: [{node.kind}] {node.reason}"
        reasons[key] = reasons.get(key, 0) + 1
    return reasons


def coverage(report: Any) -> dict[str, Any]:
    """Nodes WebNN took / nodes, share, partitions and the ops left to the host (with
    reasons) from a provider's ``PartitionReport`` (None: nothing)."""
    if report is None:
        return {"nodes": 0, "delegated": 0, "share": 0.0, "partitions": 0, "fallback": {},
                "fallback_reasons": {}}
    fallback: dict[str, int] = {}
    for node in report.fallback:
        fallback[node.op_type] = fallback.get(node.op_type, 0) + 1
    nodes = len(report.nodes)
    return {"nodes": nodes, "delegated": report.num_supported,
            "share": report.num_supported / nodes if nodes else 0.0,
            "partitions": len(report.partitions), "fallback": dict(sorted(fallback.items())),
            "fallback_reasons": fallback_reasons(report.fallback)}
