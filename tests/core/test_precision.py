"""The ``precision`` option: float32 by default, reduced precision only on request, and
"fast" resolved per backend and device into the fastest precision known there (issue 17),
with the choice and its reason on ``MLContext.precision`` and in partition reports."""

from __future__ import annotations

import importlib.util

import numpy as np
import pytest

import webnn_core as webnn
from webnn_core.backends.base import EXACT, FAST, PrecisionChoice

HAS_JAX = importlib.util.find_spec("jax") is not None


class _FakeCore:
    """Just what precision choice asks an ``ov.Core``."""

    def __init__(self, caps: list[str]) -> None:
        self.caps = caps

    def get_property(self, device: str, name: str) -> list[str]:
        assert name == "OPTIMIZATION_CAPABILITIES"
        return self.caps


@pytest.fixture
def openvino_precision(monkeypatch):
    module = pytest.importorskip("webnn_core.backends.openvino._precision")

    def with_flags(*flags: str):
        monkeypatch.setattr(module, "cpu_flags", lambda: frozenset(flags))
        return module
    return with_flags


def test_choice_reads_as_one_line():
    assert str(EXACT) == "float32"
    assert str(PrecisionChoice("bfloat16", "bfloat16")) == "bfloat16"
    assert str(PrecisionChoice(FAST, "float32", "why")) == "float32 (asked for fast: why)"


def test_openvino_cpu_fast_is_bfloat16_only_with_amx(openvino_precision):
    caps = _FakeCore(["FP32", "BF16", "INT8"])
    module = openvino_precision("avx512f", "avx512_bf16")
    choice = module.choose(caps, "CPU", FAST)
    assert choice.precision == "float32" and "AMX" in choice.reason
    module = openvino_precision("avx512f", "avx512_bf16", "amx_bf16", "amx_tile")
    assert module.choose(caps, "CPU", FAST).precision == "bfloat16"
    # AMX without OpenVINO's bf16 capability: float32
    assert module.choose(_FakeCore(["FP32"]), "CPU", FAST).precision == "float32"


def test_openvino_gpu_fast_is_float16(openvino_precision):
    module = openvino_precision()
    assert module.choose(_FakeCore(["FP32", "FP16"]), "GPU.0", FAST).precision == "float16"
    assert module.choose(_FakeCore(["FP32"]), "NPU", FAST).precision == "float32"


def test_openvino_explicit_precisions_do_what_they_say(openvino_precision):
    module = openvino_precision()
    core = _FakeCore(["FP32", "BF16"])
    assert module.choose(core, "CPU", "float32") is EXACT
    assert module.choose(core, "CPU", "bfloat16").precision == "bfloat16"
    with pytest.raises(webnn.NotSupportedError, match="no float16"):
        module.choose(core, "CPU", "float16")


def test_openvino_context_compiles_with_the_choice():
    pytest.importorskip("openvino")
    from webnn_core.backends.openvino import OpenVINOBackend

    ctx = webnn.ml.create_context(backend="openvino", precision="fast")
    assert ctx.precision.requested == FAST and ctx.precision.reason
    hint = ctx.backend.config["INFERENCE_PRECISION_HINT"]
    assert hint == {"float32": "f32", "bfloat16": "bf16", "float16": "f16"}[
        ctx.precision.precision]
    builder = webnn.MLGraphBuilder(ctx)
    x = builder.input("x", {"dataType": "float32", "shape": [4]})
    graph = builder.build({"y": builder.relu(x)})
    compiled = OpenVINOBackend.compiled_model(graph)
    names = {"f32": "float32", "bf16": "bfloat16", "f16": "float16"}
    assert f"'{names[hint]}'" in str(compiled.get_property("INFERENCE_PRECISION_HINT"))
    out = ctx.compute(graph, {"x": np.array([-1, 0, 1, 2], np.float32)})
    np.testing.assert_array_equal(out["y"], [0, 0, 1, 2])


def test_default_is_exact_everywhere():
    for backend in ("openvino", "reference") + (("xla",) if HAS_JAX else ()):
        assert webnn.ml.create_context(backend=backend).precision is EXACT


def test_reference_fast_is_float32():
    choice = webnn.ml.create_context(backend="reference", precision="fast").precision
    assert choice.precision == "float32" and choice.requested == FAST
    with pytest.raises(webnn.NotSupportedError):
        webnn.ml.create_context(backend="reference", precision="bfloat16")


@pytest.mark.skipif(not HAS_JAX, reason="jax is not installed (the xla extra)")
def test_xla_fast_per_platform(monkeypatch):
    from webnn_core.backends import xla

    assert xla.choose_precision("gpu", FAST).precision == "tf32"
    monkeypatch.setattr(xla, "cpu_flags", lambda: frozenset({"avx2"}))
    assert xla.choose_precision("cpu", FAST).precision == "float32"
    monkeypatch.setattr(xla, "cpu_flags", lambda: frozenset({"avx512_bf16"}))
    assert xla.choose_precision("cpu", FAST).precision == "bfloat16"
    assert xla.choose_precision("cpu", "tf32") == PrecisionChoice("tf32", "tf32")
    ctx = webnn.ml.create_context(backend="xla", precision="fast")
    assert ctx.backend.precision == ctx.precision.precision


def test_partition_report_says_what_fast_became():
    pytest.importorskip("onnxruntime")
    import webnn_providers.onnxruntime as webnn_ort
    from onnx import TensorProto, helper

    graph = helper.make_graph([helper.make_node("Relu", ["x"], ["y"])], "g",
                              [helper.make_tensor_value_info("x", TensorProto.FLOAT, [2])],
                              [helper.make_tensor_value_info("y", TensorProto.FLOAT, [2])])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    fast = webnn_ort.partition_report(model, precision="fast")
    choice = webnn.ml.create_context(precision="fast").precision
    assert fast.precision == str(choice)
    assert f"precision: {choice}" in fast.summary()
    assert fast.as_dict()["precision"] == str(choice)
    assert webnn_ort.partition_report(model).precision == ""
