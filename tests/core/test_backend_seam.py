"""The backend seam (webnn_core.backends): backends by name (built-in, registered at run time,
entry points), options validated by each backend, tensor storage owned by the backend,
public compile-cache control, and the core without OpenVINO."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from collections.abc import Mapping
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import webnn_core as webnn
from tests.helpers import BACKENDS, context
from webnn_core import backends
from webnn_core.backends import (
    ENTRY_POINT_GROUP,
    CompiledGraph,
    HostTensorStorage,
    TensorStorage,
    UnknownBackendError,
    backend_names,
    clear_caches,
    get_backend,
    register_backend,
)
from webnn_core.backends.reference import ReferenceBackend

D = webnn.MLOperandDescriptor
ROOT = Path(__file__).resolve().parents[2]


def _relu_graph(ctx: webnn.MLContext, shape: tuple[int, ...] = (2, 3)) -> webnn.MLGraph:
    b = webnn.MLGraphBuilder(ctx)
    x = b.input("x", D("float32", shape))
    return b.build({"y": b.max(x, b.constant("float32", 0))})


@pytest.fixture
def clean_registry(monkeypatch: pytest.MonkeyPatch) -> None:
    """Registrations, loaded entry points and the entry-point table of one test only."""
    monkeypatch.setattr(backends, "_registered", dict(backends._registered))
    monkeypatch.setattr(backends, "_loaded", dict(backends._loaded))
    monkeypatch.setattr(backends, "_entry_points", None)


# -- names ---------------------------------------------------------------------------------
def test_builtins_resolve_lazily():
    from webnn_core.backends.openvino import OpenVINOBackend

    assert get_backend("reference") is ReferenceBackend
    assert get_backend("openvino") is OpenVINOBackend
    assert {"openvino", "reference"} <= set(backend_names())


def test_backend_registered_at_run_time_serves_create_context():
    register_backend("ref2", ReferenceBackend)
    assert get_backend("ref2") is ReferenceBackend and "ref2" in backend_names()
    ctx = webnn.ml.create_context(backend="ref2")
    assert ctx.backend_name == "ref2" and isinstance(ctx.backend, ReferenceBackend)
    graph = _relu_graph(ctx)
    x = np.arange(-3, 3, dtype=np.float32).reshape(2, 3)
    np.testing.assert_array_equal(ctx.compute(graph, {"x": x})["y"], np.maximum(x, 0))
    out = np.empty((2, 3), np.float32)
    graph.dispatch_arrays({"x": x}, {"y": out})
    np.testing.assert_array_equal(out, np.maximum(x, 0))
    assert ctx.op_support_limits() == context("reference").op_support_limits()


def test_duplicate_names(clean_registry):
    register_backend("ref2", ReferenceBackend)
    register_backend("ref2", ReferenceBackend)  # the same class again: a no-op
    register_backend("reference", ReferenceBackend)  # a built-in's own class: a no-op

    class Other(ReferenceBackend):
        pass

    with pytest.raises(ValueError, match="taken"):
        register_backend("ref2", Other)
    with pytest.raises(ValueError, match="built-in"):
        register_backend("openvino", ReferenceBackend)
    with pytest.raises(ValueError, match="built-in"):
        register_backend("reference", Other)
    assert get_backend("ref2") is ReferenceBackend


@pytest.mark.parametrize("name", ["", "Ref", "a b", "-x", None, 3])
def test_invalid_names(name):
    with pytest.raises(ValueError, match="not a valid backend name"):
        register_backend(name, ReferenceBackend)  # type: ignore[arg-type]


def test_only_backend_classes_register():
    with pytest.raises(TypeError, match="not a Backend subclass"):
        register_backend("thing", object)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="not a Backend subclass"):
        register_backend("thing", ReferenceBackend())  # type: ignore[arg-type]


def test_unknown_name():
    with pytest.raises(UnknownBackendError, match=r"tensorflow.*known: \[.*'reference'"):
        get_backend("tensorflow")
    # a NotSupportedError, and the spec's TypeError for an invalid create_context option
    with pytest.raises(webnn.NotSupportedError):
        webnn.ml.create_context(backend="tensorflow")
    with pytest.raises(TypeError, match="backend"):
        webnn.ml.create_context(backend="tensorflow")
    with pytest.raises(TypeError, match="string"):
        webnn.ml.create_context(backend=["reference"])


# -- entry points --------------------------------------------------------------------------
class EntryPointBackend(ReferenceBackend):
    """Declared by a fake distribution's entry point below."""


NOT_A_BACKEND = object()


def _fake_entry_points(monkeypatch: pytest.MonkeyPatch, **targets: str) -> list[str]:
    """Make importlib.metadata report ``name = target`` entry points; returns the list of
    groups asked for (one item per read)."""
    entries = [metadata.EntryPoint(name, value, ENTRY_POINT_GROUP)
               for name, value in targets.items()]
    reads: list[str] = []

    def entry_points(**selection: Any) -> list[metadata.EntryPoint]:
        reads.append(selection.get("group", ""))
        return [e for e in entries if e.group == selection.get("group")]

    monkeypatch.setattr(metadata, "entry_points", entry_points)
    return reads


def test_entry_point_discovery(monkeypatch, clean_registry):
    reads = _fake_entry_points(monkeypatch,
                               viaep=f"{__name__}:EntryPointBackend",
                               broken="tests.no_such_module:Backend",
                               notabackend=f"{__name__}:NOT_A_BACKEND",
                               reference=f"{__name__}:EntryPointBackend")
    get_backend("reference")
    assert reads == []  # built-ins never read the entry points
    cls = get_backend("viaep")
    assert cls.__name__ == "EntryPointBackend" and issubclass(cls, ReferenceBackend)
    get_backend("viaep")
    assert reads == [ENTRY_POINT_GROUP]  # read once
    assert get_backend("reference") is ReferenceBackend  # a built-in name stays the built-in
    assert {"viaep", "broken", "notabackend"} <= set(backend_names())
    ctx = webnn.ml.create_context(backend="viaep")
    x = np.array([[-1, 2, -3], [4, -5, 6]], np.float32)
    np.testing.assert_array_equal(ctx.compute(_relu_graph(ctx), {"x": x})["y"],
                                  np.maximum(x, 0))
    with pytest.raises(webnn.NotSupportedError, match="failed to load"):
        get_backend("broken")
    with pytest.raises(webnn.NotSupportedError, match="not a webnn_core Backend"):
        get_backend("notabackend")
    with pytest.raises(UnknownBackendError, match="viaep"):
        get_backend("nothing")
    # a loaded entry point's name is taken; a run-time registration wins over one not loaded
    with pytest.raises(ValueError, match="taken"):
        register_backend("viaep", ReferenceBackend)
    register_backend("broken", ReferenceBackend)
    assert get_backend("broken") is ReferenceBackend


# -- options -------------------------------------------------------------------------------
@pytest.mark.parametrize("backend", BACKENDS)
def test_option_validation(backend):
    create = webnn.ml.create_context
    with pytest.raises(TypeError, match=f"unknown option.*'devcie'.*{backend} backend"):
        create(backend=backend, devcie="CPU")
    with pytest.raises(TypeError, match="precision"):
        create(backend=backend, precision="float64")
    with pytest.raises(TypeError, match="device must be a string"):
        create(backend=backend, device=0)
    with pytest.raises(TypeError, match="cache_dir must be a path"):
        create(backend=backend, cache_dir=3)
    with pytest.raises(TypeError, match="power_preference"):
        create(backend=backend, power_preference="fast")
    with pytest.raises(TypeError, match="accelerated"):
        create(backend=backend, accelerated="yes")
    with pytest.raises(webnn.NotSupportedError, match="NPU.7"):
        create(backend=backend, device="NPU.7")


def test_reference_options():
    create = webnn.ml.create_context
    for device in ("CPU", "cpu"):
        assert create(backend="reference", device=device).backend_name == "reference"
    create(backend="reference", precision="float32", cache_dir="unused")
    with pytest.raises(webnn.NotSupportedError, match="CPU only"):
        create(backend="reference", device="GPU")
    with pytest.raises(webnn.NotSupportedError, match="own precision"):
        create(backend="reference", precision="bfloat16")


def test_openvino_options(tmp_path):
    ctx = webnn.ml.create_context(backend="openvino", precision="float32", cache_dir=tmp_path,
                                  power_preference="low-power")
    assert ctx.backend.config["CACHE_DIR"] == str(tmp_path)
    assert ctx.backend.config["INFERENCE_NUM_THREADS"] == 1


class OptionlessBackend(ReferenceBackend):
    """Takes no options (the default Backend.create); records what create received."""

    context_options = ()
    created: list[tuple[dict[str, Any], str]] = []

    @classmethod
    def create(cls, options: Mapping[str, Any], power_preference: str) -> ReferenceBackend:
        cls.created.append((dict(options), power_preference))
        return super(ReferenceBackend, cls).create(options, power_preference)


def test_backend_gets_only_its_options(clean_registry):
    register_backend("bare", OptionlessBackend)
    ctx = webnn.ml.create_context(backend="bare", power_preference="high-performance",
                                  accelerated=False)
    assert ctx.power_preference == "high-performance" and not ctx.accelerated
    assert OptionlessBackend.created[-1] == ({}, "high-performance")
    with pytest.raises(TypeError, match=r"unknown option\(s\) \['device'\]"):
        webnn.ml.create_context(backend="bare", device="CPU")


# -- tensor storage ------------------------------------------------------------------------
@pytest.mark.parametrize("backend", BACKENDS)
def test_tensor_storage_round_trip(backend):
    ctx = context(backend)
    t = ctx.create_tensor(D("float32", [2, 3]), readable=True, writable=True)
    assert isinstance(t.storage, HostTensorStorage)
    np.testing.assert_array_equal(ctx.read_tensor(t), np.zeros((2, 3)))  # zero-initialised
    data = np.arange(6, dtype=np.float32).reshape(2, 3)
    ctx.write_tensor(t, data)
    got = ctx.read_tensor(t)
    np.testing.assert_array_equal(got, data)
    got[0, 0] = 99  # a copy
    np.testing.assert_array_equal(ctx.read_tensor(t), data)
    ctx.write_tensor(t, (data + 1).tobytes())
    np.testing.assert_array_equal(ctx.read_tensor(t), data + 1)
    raw = np.empty(24, np.uint8)
    assert ctx.read_tensor(t, raw) is raw
    assert raw.tobytes() == (data + 1).tobytes()
    t.destroy()
    with pytest.raises(webnn.InvalidStateError):
        t.storage  # noqa: B018 - the property raises


class BytesStorage(TensorStorage):
    """Tensor memory outside numpy (a stand-in for a device buffer): reached only through
    read and write."""

    __slots__ = ("data", "reads", "writes")

    def __init__(self, descriptor: webnn.MLOperandDescriptor) -> None:
        super().__init__(descriptor)
        self.data = bytearray(descriptor.byte_length)
        self.reads = self.writes = 0

    def read(self) -> np.ndarray:
        self.reads += 1
        return np.frombuffer(bytes(self.data), self.descriptor.numpy_dtype).reshape(
            self.descriptor.shape)

    def write(self, array: np.ndarray) -> None:
        self.writes += 1
        self.data[:] = np.ascontiguousarray(array, self.descriptor.numpy_dtype).tobytes()


class _DeviceGraph(CompiledGraph):
    def __init__(self, inner: CompiledGraph) -> None:
        self.inner = inner

    def compute(self, inputs: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
        return self.inner.compute(inputs)

    def dispatch_tensors(self, inputs: Mapping[str, TensorStorage],
                         outputs: Mapping[str, TensorStorage]) -> None:
        results = self.compute({name: s.read() for name, s in inputs.items()})
        for name, storage in outputs.items():
            storage.write(results[name])


class DeviceBackend(ReferenceBackend):
    """The reference kernels with tensors in BytesStorage."""

    def create_tensor_storage(self, descriptor: webnn.MLOperandDescriptor) -> TensorStorage:
        return BytesStorage(descriptor)

    def compile(self, graph: webnn.MLGraph) -> CompiledGraph:
        return _DeviceGraph(super().compile(graph))


def test_backend_owned_tensor_storage(clean_registry):
    register_backend("bytes-device", DeviceBackend)
    ctx = webnn.ml.create_context(backend="bytes-device")
    weights = ctx.create_constant_tensor(D("float32", [3]), np.array([1, -2, 3], np.float32))
    assert isinstance(weights.storage, BytesStorage)
    b = webnn.MLGraphBuilder(ctx)
    x = b.input("x", D("float32", [3]))
    graph = b.build({"y": b.mul(x, b.constant(weights))})
    x_t = ctx.create_tensor(D("float32", [3]), writable=True)
    y_t = ctx.create_tensor(D("float32", [3]), readable=True)
    ctx.write_tensor(x_t, np.array([2, 2, 2], np.float32))
    ctx.dispatch(graph, {"x": x_t}, {"y": y_t})
    np.testing.assert_array_equal(ctx.read_tensor(y_t), [2, -4, 6])
    assert x_t.storage.writes == 1 and y_t.storage.writes == 1
    out = np.zeros(3, np.float32)
    ctx.read_tensor(y_t, out)
    np.testing.assert_array_equal(out, [2, -4, 6])


# -- compile caches ------------------------------------------------------------------------
class CountingBackend(ReferenceBackend):
    cleared = 0

    @classmethod
    def clear_cache(cls) -> None:
        cls.cleared += 1


def test_clear_caches(clean_registry):
    from webnn_core.backends import openvino as ov_backend
    from webnn_core.backends.openvino import OpenVINOBackend

    register_backend("counting", CountingBackend)
    ctx = context("openvino")
    graph = _relu_graph(ctx, (5,))
    assert ov_backend._COMPILED and OpenVINOBackend.compiled_model(graph) is not None
    before = CountingBackend.cleared
    clear_caches()
    assert not ov_backend._COMPILED
    assert CountingBackend.cleared == before + 1
    # graphs already built keep their compiled model
    x = np.array([-1, 0, 1, 2, -3], np.float32)
    np.testing.assert_array_equal(ctx.compute(graph, {"x": x})["y"], np.maximum(x, 0))
    again = _relu_graph(ctx, (5,))
    assert OpenVINOBackend.compiled_model(again) is not OpenVINOBackend.compiled_model(graph)
    assert OpenVINOBackend.compiled_model(_relu_graph(context("reference"))) is None
    ReferenceBackend.clear_cache()  # the default: nothing to clear


def test_graph_internals_are_private():
    graph = _relu_graph(context("reference"))
    assert not hasattr(graph, "implementation")  # the compiled graph is the backend's
    graph.destroy()
    with pytest.raises(webnn.InvalidStateError):
        graph.dispatch_arrays({"x": np.zeros((2, 3), np.float32)},
                              {"y": np.zeros((2, 3), np.float32)})


# -- without OpenVINO ----------------------------------------------------------------------
def _run_python(code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code)], cwd=ROOT,
                          capture_output=True, text=True, timeout=300, check=False)


def test_core_runs_without_openvino():
    """``import webnn_core`` never imports OpenVINO; with OpenVINO unimportable the reference
    backend still runs and the default backend says why it cannot."""
    result = _run_python("""
        import sys
        sys.modules["openvino"] = None  # `import openvino` now fails
        import numpy as np
        import webnn_core as webnn
        from webnn_core.backends import backend_names, clear_caches

        D = webnn.MLOperandDescriptor
        ctx = webnn.ml.create_context(backend="reference")
        b = webnn.MLGraphBuilder(ctx)
        x = b.input("x", D("float32", [3]))
        graph = b.build({"y": b.relu(x)})
        y = ctx.compute(graph, {"x": np.array([-1, 0, 2], np.float32)})["y"]
        assert y.tolist() == [0, 0, 2], y
        clear_caches()
        assert "openvino" in backend_names()
        try:
            webnn.ml.create_context()
        except webnn.NotSupportedError as exc:
            assert "openvino" in str(exc) and "not installed" in str(exc), exc
        else:
            raise AssertionError("create_context() without openvino")
        print("ok")
    """)
    assert result.returncode == 0 and result.stdout.strip() == "ok", result.stderr


def test_import_does_not_load_openvino():
    result = _run_python("""
        import sys
        import webnn_core as webnn
        webnn.ml.create_context(backend="reference")
        print(sorted(m for m in ("openvino", "webnn_core.backends.openvino") if m in sys.modules))
    """)
    assert result.returncode == 0 and result.stdout.strip() == "[]", result.stderr
