"""The delegate's mechanics: options, partial delegation, errors inside kernels, input
resizing, lifetimes, sharing, threads and memory."""

from __future__ import annotations

import gc
import threading

import numpy as np
import pytest
import webnn_providers.tflite as webnn_tflite
from webnn_providers.testing.tflite_writer import ModelWriter, interpreter
from webnn_providers.tflite import DelegateOptionError, WebNNDelegate, load_delegate
from webnn_providers.tflite import _delegate as delegate_module

from tests.helpers import HAS_STATM, STATM, rss_bytes

from .helpers import check_delegated, delegate, run


def add_model(shape=(1, 4), activation: str = "RELU6") -> bytes:
    m = ModelWriter()
    a = m.input("a", list(shape), "float32")
    b = m.input("b", list(shape), "float32")
    c = m.tensor("c", list(shape), "float32")
    m.op("ADD", [a, b], [c], fused_activation_function=activation)
    m.output(c)
    return m.finish()


def add_refused_add_model() -> bytes:
    """ADD -> CUMSUM (no translator: stays with TFLite) -> ADD: two partitions."""
    m = ModelWriter()
    a = m.input("a", [2, 5], "float32")
    b = m.input("b", [2, 5], "float32")
    c = m.tensor("c", [2, 5], "float32")
    m.op("ADD", [a, b], [c])
    axis = m.constant("axis", np.array(1, np.int32))
    d = m.tensor("d", [2, 5], "float32")
    m.op("CUMSUM", [c, axis], [d])
    e = m.tensor("e", [2, 5], "float32")
    m.op("SUB", [d, a], [e])
    m.output(e)
    return m.finish()


def inputs(shape=(1, 4), seed: int = 0) -> list[np.ndarray]:
    rng = np.random.default_rng(seed)
    return [rng.uniform(-4, 8, shape).astype(np.float32) for _ in range(2)]


# --- options ------------------------------------------------------------------------------
def test_unknown_option_raises_at_construction():
    with pytest.raises(DelegateOptionError, match="unknown option.*colour"):
        WebNNDelegate(colour="blue")


def test_bad_option_value_raises_at_construction():
    with pytest.raises(DelegateOptionError, match="invalid options"):
        WebNNDelegate(backend="no-such-backend")
    with pytest.raises(DelegateOptionError, match="invalid options"):
        WebNNDelegate(precision="int3")


def test_load_delegate_takes_string_options():
    d = load_delegate({"backend": "reference"})
    assert isinstance(d, WebNNDelegate) and d.options["backend"] == "reference"
    d2 = load_delegate("libwebnn_delegate.so", {"backend": "openvino", "device": "CPU"})
    assert d2.options == {"backend": "openvino", "device": "CPU"}
    with pytest.raises(DelegateOptionError):
        load_delegate({"bogus": "1"})


@pytest.mark.parametrize("backend", ["openvino", "reference"])
def test_both_backends(backend):
    check_delegated(add_model(), inputs(), backend=backend)


def test_supported_ops_lists_translators():
    ops = webnn_tflite.supported_ops()
    assert "ADD" in ops and "CONV_2D" in ops


# --- partial delegation ---------------------------------------------------------------------
def test_refused_op_splits_partitions_and_runs_on_tflite():
    report = check_delegated(add_refused_add_model(), inputs((2, 5)), delegated=2, partitions=2)
    (left,) = report.fallback
    assert left.op_type == "CUMSUM" and left.kind == "op"
    assert "CUMSUM" in report.summary()


def test_default_resolver_runs_the_rest_with_xnnpack():
    data = add_refused_add_model()
    x = inputs((2, 5))
    expected = run(data, x)
    got = run(data, x, [delegate()], builtin_only=False)
    np.testing.assert_allclose(got[0], expected[0], rtol=1e-6)


# --- errors ---------------------------------------------------------------------------------
def test_exception_in_invoke_is_an_interpreter_error(monkeypatch):
    it = interpreter(add_model(), delegates=[delegate()], builtin_only=True)
    for detail, value in zip(it.get_input_details(), inputs(), strict=True):
        it.set_tensor(detail["index"], value)

    def boom(self, context):
        raise ValueError("injected failure")

    monkeypatch.setattr(delegate_module.Kernel, "invoke", boom)
    with pytest.raises(RuntimeError, match="injected failure"):
        it.invoke()
    monkeypatch.undo()
    it.invoke()  # the interpreter is still usable
    out = it.get_tensor(it.get_output_details()[0]["index"])
    a, b = inputs()
    np.testing.assert_allclose(out, np.clip(a + b, 0, 6), rtol=1e-6)


def test_partition_that_fails_to_build_falls_back_to_tflite(monkeypatch):
    original = delegate_module.Kernel.__init__

    def failing(self, *args, **kwargs):
        raise RuntimeError("injected build failure")

    monkeypatch.setattr(delegate_module.Kernel, "__init__", failing)
    d = WebNNDelegate()
    data = add_model()
    got = run(data, inputs(), [d])
    report = d.partition_report()
    assert report.num_supported == 0 and not report.partitions
    assert "injected build failure" in report.fallback[0].reason
    monkeypatch.setattr(delegate_module.Kernel, "__init__", original)
    np.testing.assert_allclose(got[0], run(data, inputs())[0], rtol=1e-6)


def test_exception_in_prepare_is_an_interpreter_error(monkeypatch):
    def boom(context, model):
        raise KeyError("injected prepare failure")

    monkeypatch.setattr(delegate_module, "check_model", boom)
    with pytest.raises((RuntimeError, ValueError), match="injected prepare failure"):
        interpreter(add_model(), delegates=[WebNNDelegate()], builtin_only=True)


# --- shapes, lifetimes, sharing -------------------------------------------------------------
def test_resizing_an_input_rebuilds_the_partition():
    d = WebNNDelegate()
    it = interpreter(add_model(), delegates=[d], builtin_only=True)
    first = d.partition_report()
    for shape in [(3, 4), (2, 7), (3, 4)]:
        for detail in it.get_input_details():
            it.resize_tensor_input(detail["index"], list(shape))
        it.allocate_tensors()
        a, b = inputs(shape, seed=sum(shape))
        it.set_tensor(it.get_input_details()[0]["index"], a)
        it.set_tensor(it.get_input_details()[1]["index"], b)
        it.invoke()
        out = it.get_tensor(it.get_output_details()[0]["index"])
        assert out.shape == shape
        np.testing.assert_allclose(out, np.clip(a + b, 0, 6), rtol=1e-6)
    assert d.partition_report().num_supported == 1
    assert first is not None


@pytest.mark.parametrize("order", ["interpreter_first", "delegate_first"])
def test_deleting_interpreter_and_delegate_in_either_order(order):
    d = WebNNDelegate()
    it = interpreter(add_model(), delegates=[d], builtin_only=True)
    it.set_tensor(it.get_input_details()[0]["index"], inputs()[0])
    it.set_tensor(it.get_input_details()[1]["index"], inputs()[1])
    it.invoke()
    if order == "interpreter_first":
        del it
        gc.collect()
        del d
    else:
        del d
        gc.collect()
        it.invoke()
        del it
    gc.collect()
    assert not any(k is None for k in delegate_module._KERNELS)


def test_one_delegate_serves_several_interpreters():
    d = WebNNDelegate()
    models = [add_model((1, 4)), add_model((2, 3), activation="NONE"), add_refused_add_model()]
    interpreters = [interpreter(m, delegates=[d], builtin_only=True) for m in models]
    for it, data in zip(interpreters, models, strict=True):
        shape = tuple(it.get_input_details()[0]["shape"])
        x = inputs(shape)
        for detail, value in zip(it.get_input_details(), x, strict=True):
            it.set_tensor(detail["index"], value)
        it.invoke()
        got = it.get_tensor(it.get_output_details()[0]["index"])
        np.testing.assert_allclose(got, run(data, x)[0], rtol=1e-6)
    assert len(d.partition_reports()) == 3


def test_one_interpreter_per_thread():
    d = WebNNDelegate()
    data = add_model((4, 16))
    errors: list[BaseException] = []

    def work(seed: int) -> None:
        try:
            it = interpreter(data, delegates=[d], builtin_only=True)
            rng = np.random.default_rng(seed)
            for _ in range(200):
                a = rng.standard_normal((4, 16), dtype=np.float32) * 4
                b = rng.standard_normal((4, 16), dtype=np.float32) * 4
                it.set_tensor(it.get_input_details()[0]["index"], a)
                it.set_tensor(it.get_input_details()[1]["index"], b)
                it.invoke()
                out = it.get_tensor(it.get_output_details()[0]["index"])
                np.testing.assert_allclose(out, np.clip(a + b, 0, 6), rtol=1e-6)
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(s,)) for s in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors[0]


@pytest.mark.skipif(not HAS_STATM, reason=f"reads resident memory from {STATM} (Linux)")
def test_ten_thousand_invokes_keep_memory_flat():
    it = interpreter(add_model((8, 32)), delegates=[delegate()], builtin_only=True)
    a, b = inputs((8, 32))
    ia, ib = (d["index"] for d in it.get_input_details())
    for _ in range(500):  # warm-up: caches, allocator pools
        it.set_tensor(ia, a)
        it.set_tensor(ib, b)
        it.invoke()
    gc.collect()
    before = rss_bytes()
    for _ in range(10_000):
        it.set_tensor(ia, a)
        it.set_tensor(ib, b)
        it.invoke()
    gc.collect()
    growth = rss_bytes() - before
    assert growth < 20 * 2**20, f"RSS grew by {growth / 2**20:.1f} MiB"


def test_create_invoke_destroy_cycles_release_kernels():
    d = WebNNDelegate()
    data = add_model()
    for _ in range(50):
        it = interpreter(data, delegates=[d], builtin_only=True)
        it.set_tensor(it.get_input_details()[0]["index"], inputs()[0])
        it.set_tensor(it.get_input_details()[1]["index"], inputs()[1])
        it.invoke()
        del it
    gc.collect()
    assert len(delegate_module._KERNELS) < 10


# --- the support check's translation, reused ------------------------------------------------
def _prepared_model(data: bytes, monkeypatch) -> tuple:
    """(WebNN context, ModelInfo) the delegate's Prepare read for ``data``."""
    seen = {}
    real = delegate_module.check_model

    def spy(context, model):
        seen.update(context=context, model=model)
        return real(context, model)

    with monkeypatch.context() as m:
        m.setattr(delegate_module, "check_model", spy)
        interpreter(data, delegates=[WebNNDelegate()], builtin_only=True)
    return seen["context"], seen["model"]


def _mixed_model() -> bytes:
    """Ops of several kinds, an int16 model input (no WebNN type: the ops reading it are
    refused), an op no translator takes (CUMSUM) and ops reading its result."""
    m = ModelWriter()
    a = m.input("a", [2, 5], "float32")
    b = m.input("b", [2, 5], "float32")
    i = m.input("i", [2, 5], "int16")
    c = m.tensor("c", [2, 5], "float32")
    m.op("ADD", [a, b], [c], fused_activation_function="RELU")
    d = m.tensor("d", [2, 5], "float32")
    m.op("CUMSUM", [c, m.constant("axis", np.array(1, np.int32))], [d])
    e = m.tensor("e", [2, 5], "float32")
    m.op("MUL", [d, a], [e])
    f = m.tensor("f", [2, 5], "float32")
    m.op("TANH", [c], [f])
    j = m.tensor("j", [2, 5], "int16")
    m.op("ABS", [i], [j])
    m.output(e)
    m.output(f)
    m.output(j)
    return m.finish()


@pytest.mark.parametrize("name", ["add", "add_refused_add", "mixed", "tiny_cnn_int8",
                                  "mobilenet_v2_int8"])
def test_check_model_verdicts_are_the_ops_alone(monkeypatch, tmp_path, name):
    """check_model (every op in execution order on one builder) gives each op the verdict
    check_op (the op alone on a scratch builder) gives it, reasons included."""
    from webnn_providers.testing import tflite_models
    from webnn_providers.tflite import translator

    if name in tflite_models.BUILTIN_MODELS:
        data = open(tflite_models.prepare(name, tmp_path, 0).path, "rb").read()
    else:
        data = {"add": add_model, "add_refused_add": add_refused_add_model,
                "mixed": _mixed_model}[name]()
    context, model = _prepared_model(data, monkeypatch)
    verdicts, translation = translator.check_model(context, model)
    alone = [translator.check_op(context, model, k) for k in range(len(model.ops))]
    assert [(v.supported, v.reason, v.kind) for v in verdicts] == \
        [(v.supported, v.reason, v.kind) for v in alone]
    assert translation.emitted <= {k for k, v in enumerate(alone) if v.supported}
    if name == "mixed":  # MUL reads CUMSUM's result: judged alone (a partition input)
        assert [v.supported for v in verdicts] == [True, False, True, True, False]
        assert translation.emitted == {0, 3}
    elif all(v.supported for v in verdicts):
        assert translation.emitted == set(range(len(verdicts)))


def test_whole_model_partition_is_translated_once(monkeypatch):
    """A model WebNN takes whole is translated once (the support check's translation is
    the partition graph) and computes what a second translation computes; a model of
    several partitions translates each partition."""
    calls = []
    real = delegate_module.build_graph

    def counting(*args, **kwargs):
        calls.append(args[2])
        return real(*args, **kwargs)

    monkeypatch.setattr(delegate_module, "build_graph", counting)
    data = add_model()
    reused = run(data, inputs(), [WebNNDelegate()])
    assert calls == []
    with monkeypatch.context() as m:
        m.setattr(delegate_module.ModelTranslation, "graph_for", lambda self, p, o: None)
        again = run(data, inputs(), [WebNNDelegate()])
    assert calls == [[0]]
    for a, b in zip(reused, again, strict=True):
        np.testing.assert_array_equal(a, b)
    calls.clear()
    check_delegated(add_refused_add_model(), inputs((2, 5)), delegated=2, partitions=2)
    assert sorted(map(sorted, calls)) == [[0], [2]]
