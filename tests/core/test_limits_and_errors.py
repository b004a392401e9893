"""One tensor-size limit for input/constant/create_tensor/create_constant_tensor (the one
op_support_limits reports), and platform failures as the spec's error types (issue 15)."""

from __future__ import annotations

import numpy as np
import pytest

import webnn_core as webnn
from webnn_core import errors
from webnn_core.backends import openvino as ovb

BACKENDS = ["reference", "openvino"]


@pytest.fixture(params=BACKENDS)
def ctx(request: pytest.FixtureRequest) -> webnn.MLContext:
    return webnn.ml.create_context(backend=request.param)


def _limit(ctx: webnn.MLContext) -> int:
    return ctx.op_support_limits()["max_tensor_byte_length"]


# -- one truth for tensor size ------------------------------------------------------------
def test_limit_is_the_backends(ctx: webnn.MLContext) -> None:
    assert _limit(ctx) == ctx.backend.max_tensor_byte_length == 2**31 - 1


@pytest.mark.parametrize("data_type, itemsize", [("float16", 2), ("float32", 4), ("int64", 8)])
def test_descriptor_just_over_the_limit_is_refused_by_all_four(ctx: webnn.MLContext,
                                                               data_type: str,
                                                               itemsize: int) -> None:
    """Checked on the descriptor, before a buffer is read or anything allocated: the
    small buffers would otherwise be refused for their size."""
    limit = _limit(ctx)
    # (the element count is at most 2**31 - 1, so a 1-byte type never exceeds the limit)
    over = webnn.MLOperandDescriptor(data_type, [limit // itemsize + 1])
    assert limit < over.byte_length <= limit + itemsize
    small = np.zeros(4, np.dtype(data_type))
    match = f"max_tensor_byte_length {limit}"
    with pytest.raises(webnn.ValidationError, match=f"^input: .*{match}"):
        webnn.MLGraphBuilder(ctx).input("x", over)
    with pytest.raises(webnn.ValidationError, match=f"^constant: .*{match}"):
        webnn.MLGraphBuilder(ctx).constant(over, small)
    with pytest.raises(webnn.ValidationError, match=f"^constant: .*{match}"):
        webnn.MLGraphBuilder(ctx).constant(over, small.tobytes())
    with pytest.raises(webnn.ValidationError, match=f"^create_tensor: .*{match}"):
        ctx.create_tensor(over)
    with pytest.raises(webnn.ValidationError, match=f"^create_constant_tensor: .*{match}"):
        ctx.create_constant_tensor(over, small)


def test_descriptor_at_the_limit_passes_the_size_check(ctx: webnn.MLContext) -> None:
    at = webnn.MLOperandDescriptor("uint8", [_limit(ctx)])
    webnn.MLGraphBuilder(ctx).input("x", at)  # an input allocates nothing
    # a constant of that descriptor gets past the size rule to the buffer's
    with pytest.raises(webnn.ValidationError, match="buffer has 4 elements"):
        webnn.MLGraphBuilder(ctx).constant(at, np.zeros(4, np.uint8))


def test_a_lower_limit_is_enforced_everywhere(ctx: webnn.MLContext,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    """The checks read the context's limits: lower them and every method follows."""
    monkeypatch.setitem(ctx._support_limits(), "max_tensor_byte_length", 64)
    assert _limit(ctx) == 64
    fits, over = np.ones(16, np.float32), np.ones(17, np.float32)
    desc_fits = webnn.MLOperandDescriptor("float32", [16])
    desc_over = webnn.MLOperandDescriptor("float32", [17])
    b = webnn.MLGraphBuilder(ctx)
    x = b.input("x", desc_fits)
    c = b.constant(fits)
    with pytest.raises(webnn.ValidationError, match="^constant: .*max_tensor_byte_length 64"):
        b.constant(over)
    with pytest.raises(webnn.ValidationError, match="^constant: .*max_tensor_byte_length 64"):
        b.constant(desc_over, over)
    with pytest.raises(webnn.ValidationError, match="^input: .*max_tensor_byte_length 64"):
        b.input("y", desc_over)
    graph = b.build({"z": b.add(x, c)})
    np.testing.assert_array_equal(ctx.compute(graph, {"x": fits})["z"], fits + 1)
    ctx.create_tensor(desc_fits)
    ctx.create_constant_tensor(desc_fits, fits)
    with pytest.raises(webnn.ValidationError, match="^create_tensor: "):
        ctx.create_tensor(desc_over)
    with pytest.raises(webnn.ValidationError, match="^create_constant_tensor: "):
        ctx.create_constant_tensor(desc_over, over)


def test_a_backend_reports_and_enforces_its_own_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ovb.OpenVINOBackend, "max_tensor_byte_length", 100)
    ctx = webnn.ml.create_context(backend="openvino")
    assert _limit(ctx) == 100
    assert _limit(webnn.ml.create_context(backend="reference")) == 2**31 - 1
    with pytest.raises(webnn.ValidationError, match="openvino backend's max_tensor_byte_length"):
        ctx.create_tensor(webnn.MLOperandDescriptor("uint8", [101]))


# -- error types --------------------------------------------------------------------------
def test_out_of_memory_error_is_each_kind_of_error() -> None:
    exc = webnn.OutOfMemoryError("compute: out of memory")
    assert isinstance(exc, webnn.OperationError)
    assert isinstance(exc, webnn.UnknownError)  # WebIDL's name for out of memory
    assert isinstance(exc, MemoryError)
    assert isinstance(exc, webnn.WebNNError)
    assert webnn.OutOfMemoryError is errors.OutOfMemoryError
    assert not issubclass(webnn.OperationError, MemoryError)


def _relu_graph(ctx: webnn.MLContext, n: int = 4) -> webnn.MLGraph:
    b = webnn.MLGraphBuilder(ctx)
    x = b.input("x", webnn.MLOperandDescriptor("float32", [n]))
    return b.build({"y": b.relu(x)})


def _raiser(exc: BaseException):  # noqa: ANN202
    def fail(*args: object, **kwargs: object) -> None:
        raise exc
    return fail


@pytest.mark.parametrize("message, kind", [("std::bad_alloc", webnn.OutOfMemoryError),
                                           ("other", webnn.OperationError)])
def test_openvino_infer_failure(monkeypatch: pytest.MonkeyPatch, message: str,
                                kind: type) -> None:
    ctx = webnn.ml.create_context(backend="openvino")
    graph = _relu_graph(ctx)
    x = np.array([-1, 2, -3, 4], np.float32)
    with monkeypatch.context() as m:
        m.setattr(ovb, "_SYNC_INFER", _raiser(RuntimeError(message)))
        with pytest.raises(kind, match=f"^compute: .*{message}") as info:
            ctx.compute(graph, {"x": x})
        assert isinstance(info.value.__cause__, RuntimeError)
        assert isinstance(info.value, MemoryError) == (kind is webnn.OutOfMemoryError)
        tin = ctx.create_tensor(graph.input_descriptors["x"], writable=True)
        tout = ctx.create_tensor(graph.output_descriptors["y"], readable=True)
        with pytest.raises(kind, match=f"^dispatch: .*{message}"):
            ctx.dispatch(graph, {"x": tin}, {"y": tout})
    # the request went back to the pool: the graph still runs
    np.testing.assert_array_equal(ctx.compute(graph, {"x": x})["y"], np.maximum(x, 0))


class _FailingRequest:
    """An infer request whose asynchronous run fails (the large-output path)."""

    def __init__(self, real: object, exc: BaseException) -> None:
        self.real, self.exc = real, exc

    def set_input_tensor(self, *args: object) -> None:
        self.real.set_input_tensor(*args)

    def set_output_tensor(self, *args: object) -> None:
        self.real.set_output_tensor(*args)

    def start_async(self) -> None:
        raise self.exc

    def wait(self) -> None:
        pass


@pytest.mark.parametrize("exc, kind", [(RuntimeError("std::bad_alloc"), webnn.OutOfMemoryError),
                                       (MemoryError(), webnn.OutOfMemoryError),
                                       (RuntimeError("other"), webnn.OperationError)])
def test_openvino_async_infer_failure(exc: BaseException, kind: type) -> None:
    ctx = webnn.ml.create_context(backend="openvino")
    n = ovb._ASYNC_FROM_BYTES // 4 + 1
    graph = _relu_graph(ctx, n)
    compiled = graph._compiled
    assert not compiled._sync
    slot = compiled._pool.get_nowait()
    real = slot.request
    slot.request = _FailingRequest(real, exc)
    compiled._pool.put(slot)
    x = np.linspace(-1, 1, n, dtype=np.float32)
    with pytest.raises(kind, match="^compute: ") as info:
        ctx.compute(graph, {"x": x})
    assert (kind is webnn.OutOfMemoryError) == isinstance(info.value, webnn.OutOfMemoryError)
    slot = compiled._pool.get_nowait()
    slot.request = real
    compiled._pool.put(slot)
    np.testing.assert_array_equal(ctx.compute(graph, {"x": x})["y"], np.maximum(x, 0))


class _FailingCore:
    def __init__(self, exc: BaseException) -> None:
        self.exc = exc

    def compile_model(self, *args: object) -> None:
        raise self.exc


@pytest.mark.parametrize("exc, kind", [(RuntimeError("std::bad_alloc"), webnn.OutOfMemoryError),
                                       (MemoryError(), webnn.OutOfMemoryError),
                                       (RuntimeError("other"), webnn.OperationError)])
def test_openvino_compile_failure(monkeypatch: pytest.MonkeyPatch, exc: BaseException,
                                  kind: type) -> None:
    ctx = webnn.ml.create_context(backend="openvino")
    ovb.OpenVINOBackend.clear_cache()
    monkeypatch.setattr(ovb, "core", lambda: _FailingCore(exc))
    with pytest.raises(kind, match="^build: ") as info:
        _relu_graph(ctx, 7)
    assert (kind is webnn.OutOfMemoryError) == isinstance(info.value, webnn.OutOfMemoryError)


def test_openvino_infer_request_failure(monkeypatch: pytest.MonkeyPatch) -> None:
    """A request is created at build, and at compute when all pooled ones are busy."""
    import openvino as ov

    ctx = webnn.ml.create_context(backend="openvino")
    graph = _relu_graph(ctx, 9)
    monkeypatch.setattr(ov.CompiledModel, "create_infer_request",
                        _raiser(RuntimeError("std::bad_alloc")))
    with pytest.raises(webnn.OutOfMemoryError, match="^build: out of memory"):
        _relu_graph(ctx, 9)
    graph._compiled._pool.get_nowait()  # the pool's only request is busy
    with pytest.raises(webnn.OutOfMemoryError, match="^compute: out of memory"):
        ctx.compute(graph, {"x": np.zeros(9, np.float32)})


def test_memory_error_of_any_backend_is_out_of_memory(ctx: webnn.MLContext,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    graph = _relu_graph(ctx)
    monkeypatch.setattr(graph._compiled, "compute", _raiser(MemoryError()))
    monkeypatch.setattr(graph._compiled, "dispatch_tensors", _raiser(MemoryError()))
    with pytest.raises(webnn.OutOfMemoryError, match="^compute: out of memory"):
        ctx.compute(graph, {"x": np.zeros(4, np.float32)})
    tin = ctx.create_tensor(graph.input_descriptors["x"])
    tout = ctx.create_tensor(graph.output_descriptors["y"])
    with pytest.raises(webnn.OutOfMemoryError, match="^dispatch: out of memory"):
        ctx.dispatch(graph, {"x": tin}, {"y": tout})
    monkeypatch.setattr(ctx.backend, "create_tensor_storage", _raiser(MemoryError()))
    desc = webnn.MLOperandDescriptor("float32", [4])
    with pytest.raises(webnn.OutOfMemoryError, match="^create_tensor: cannot allocate 16"):
        ctx.create_tensor(desc)
    with pytest.raises(webnn.OutOfMemoryError, match="^create_constant_tensor: "):
        ctx.create_constant_tensor(desc, np.zeros(4, np.float32))
    monkeypatch.setattr(ctx.backend, "compile", _raiser(MemoryError()))
    with pytest.raises(webnn.OutOfMemoryError, match="^build: out of memory"):
        _relu_graph(ctx, 5)


def test_errors_of_other_kinds_pass_through(ctx: webnn.MLContext,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    """Only allocation failures are translated at the context: a bug stays a bug."""
    graph = _relu_graph(ctx)
    monkeypatch.setattr(graph._compiled, "compute", _raiser(KeyError("bug")))
    with pytest.raises(KeyError):
        ctx.compute(graph, {"x": np.zeros(4, np.float32)})
