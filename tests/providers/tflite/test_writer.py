"""webnn_providers.testing.tflite_writer: the models it writes load in the TFLite interpreter and
compute what numpy computes independently (NHWC activations; OHWI conv filters, [1, H, W, C*M]
depthwise filters, [out, in] fully-connected weights)."""

from __future__ import annotations

import importlib.util
import math

import numpy as np
import pytest
from ai_edge_litert import schema_py_generated as schema
from webnn_providers.testing.tflite_writer import (
    ModelWriter,
    Quant,
    builtin_options_class,
    interpreter_module,
    run,
    tensor_type,
)

RNG = np.random.default_rng(1234)
#: run each model with the default delegate (XNNPACK) and with the builtin kernels only
MODES = pytest.mark.parametrize("builtin_only", [False, True], ids=["auto", "builtin"])


def _rand(*shape: int) -> np.ndarray:
    return RNG.standard_normal(shape).astype(np.float32)


def _same_pads(size: int, kernel: int, stride: int, dilation: int = 1) -> tuple[int, int, int]:
    """(output size, pad before, pad after) of TFLite SAME padding."""
    out = math.ceil(size / stride)
    total = max((out - 1) * stride + (kernel - 1) * dilation + 1 - size, 0)
    return out, total // 2, total - total // 2


def _windows(x: np.ndarray, kh: int, kw: int, stride: int, padding: str):
    """Yield (i, j, patch [N, kh, kw, C]) of an NHWC input for each output position."""
    _, h, w, _ = x.shape
    if padding == "SAME":
        oh, pt, pb = _same_pads(h, kh, stride)
        ow, pl, pr = _same_pads(w, kw, stride)
    else:
        oh, pt, pb = (h - kh) // stride + 1, 0, 0
        ow, pl, pr = (w - kw) // stride + 1, 0, 0
    xp = np.pad(x, ((0, 0), (pt, pb), (pl, pr), (0, 0)))
    for i in range(oh):
        for j in range(ow):
            yield i, j, xp[:, i * stride:i * stride + kh, j * stride:j * stride + kw, :]


def conv2d_ref(x: np.ndarray, w_ohwi: np.ndarray, b: np.ndarray, stride: int,
               padding: str) -> np.ndarray:
    o, kh, kw, _ = w_ohwi.shape
    cells = {(i, j): np.einsum("nhwc,ohwc->no", p.astype(np.float64), w_ohwi)
             for i, j, p in _windows(x, kh, kw, stride, padding)}
    oh, ow = max(k[0] for k in cells) + 1, max(k[1] for k in cells) + 1
    out = np.zeros((x.shape[0], oh, ow, o))
    for (i, j), v in cells.items():
        out[:, i, j, :] = v
    return out + b


def depthwise_ref(x: np.ndarray, w: np.ndarray, b: np.ndarray, multiplier: int,
                  stride: int, padding: str) -> np.ndarray:
    _, kh, kw, cm = w.shape
    c = cm // multiplier
    wr = w[0].reshape(kh, kw, c, multiplier).astype(np.float64)
    cells = {(i, j): np.einsum("nhwc,hwcm->ncm", p.astype(np.float64), wr).reshape(-1, cm)
             for i, j, p in _windows(x, kh, kw, stride, padding)}
    oh, ow = max(k[0] for k in cells) + 1, max(k[1] for k in cells) + 1
    out = np.zeros((x.shape[0], oh, ow, cm))
    for (i, j), v in cells.items():
        out[:, i, j, :] = v
    return out + b


# --------------------------------------------------------------------------------------------
# Float models
# --------------------------------------------------------------------------------------------

@MODES
@pytest.mark.parametrize("stride", [1, 2])
def test_conv2d_same_relu6(builtin_only: bool, stride: int) -> None:
    x, w, b = _rand(1, 6, 7, 3), _rand(4, 3, 3, 3), _rand(4)
    expected = np.clip(conv2d_ref(x, w, b, stride, "SAME"), 0.0, 6.0)
    m = ModelWriter()
    xi = m.input("x", x.shape, "float32")
    y = m.tensor("y", expected.shape, "float32")
    m.op("CONV_2D", [xi, m.constant("w", w), m.constant("b", b)], [y], padding="SAME",
         stride_w=stride, stride_h=stride, fused_activation_function="RELU6",
         dilation_w_factor=1, dilation_h_factor=1)
    m.output(y)
    (out,) = run(m.finish(), [x], builtin_only=builtin_only)
    assert out.shape == expected.shape
    np.testing.assert_allclose(out, expected, rtol=1e-5, atol=1e-5)


@MODES
def test_depthwise_conv2d(builtin_only: bool) -> None:
    mult = 2
    x, w, b = _rand(1, 5, 6, 3), _rand(1, 3, 3, 3 * mult), _rand(3 * mult)
    expected = depthwise_ref(x, w, b, mult, 1, "VALID")
    m = ModelWriter()
    xi = m.input("x", x.shape, "float32")
    y = m.tensor("y", expected.shape, "float32")
    m.op("DEPTHWISE_CONV_2D", [xi, m.constant("w", w), m.constant("b", b)], [y],
         padding="VALID", stride_w=1, stride_h=1, depth_multiplier=mult)
    m.output(y)
    (out,) = run(m.finish(), [x], builtin_only=builtin_only)
    np.testing.assert_allclose(out, expected, rtol=1e-5, atol=1e-5)


@MODES
@pytest.mark.parametrize("with_bias", [True, False])
def test_fully_connected(builtin_only: bool, with_bias: bool) -> None:
    x, w, b = _rand(2, 5), _rand(3, 5), _rand(3)
    expected = x.astype(np.float64) @ w.T + (b if with_bias else 0.0)
    m = ModelWriter()
    xi = m.input("x", x.shape, "float32")
    y = m.tensor("y", expected.shape, "float32")
    bias = m.constant("b", b) if with_bias else -1
    m.op("FULLY_CONNECTED", [xi, m.constant("w", w), bias], [y])
    m.output(y)
    (out,) = run(m.finish(), [x], builtin_only=builtin_only)
    np.testing.assert_allclose(out, expected, rtol=1e-5, atol=1e-5)


@MODES
def test_add_broadcast_and_concatenation(builtin_only: bool) -> None:
    a, c, d = _rand(1, 4, 4, 3), _rand(3), _rand(1, 4, 4, 2)
    m = ModelWriter()
    ai = m.input("a", a.shape, "float32")
    di = m.input("d", d.shape, np.float32)
    s = m.tensor("sum", a.shape, "float32")
    m.op("ADD", [ai, m.constant("c", c)], [s])
    y = m.tensor("y", [1, 4, 4, 5], "float32")
    m.op("CONCATENATION", [s, di], [y], axis=3)
    m.output(s, y)
    out_sum, out_cat = run(m.finish(), [a, d], builtin_only=builtin_only)
    np.testing.assert_allclose(out_sum, a + c, rtol=1e-6)
    np.testing.assert_allclose(out_cat, np.concatenate([a + c, d], axis=3), rtol=1e-6)


@MODES
def test_reshape_mean_softmax(builtin_only: bool) -> None:
    x = _rand(1, 4, 4, 3)
    m = ModelWriter()
    xi = m.input("x", x.shape, "float32")
    r = m.tensor("r", [4, 12], "float32")
    m.op("RESHAPE", [xi, m.constant("shape", np.array([4, 12], np.int32))], [r],
         new_shape=[4, 12])
    mean = m.tensor("mean", [1, 1, 1, 3], "float32")
    m.op("MEAN", [xi, m.constant("axes", np.array([1, 2], np.int32))], [mean], keep_dims=True)
    sm = m.tensor("sm", [4, 12], "float32")
    m.op("SOFTMAX", [r], [sm], beta=1.0)
    m.output(r, mean, sm)
    out_r, out_mean, out_sm = run(m.finish(), [x], builtin_only=builtin_only)
    xr = x.reshape(4, 12).astype(np.float64)
    e = np.exp(xr - xr.max(axis=1, keepdims=True))
    np.testing.assert_array_equal(out_r, x.reshape(4, 12))
    np.testing.assert_allclose(out_mean, x.mean(axis=(1, 2), keepdims=True), rtol=1e-5)
    np.testing.assert_allclose(out_sm, e / e.sum(axis=1, keepdims=True), rtol=1e-5, atol=1e-6)


@MODES
def test_split_two_outputs(builtin_only: bool) -> None:
    x = _rand(2, 6)
    m = ModelWriter()
    xi = m.input("x", x.shape, "float32")
    parts = [m.tensor(f"p{i}", [2, 3], "float32") for i in range(2)]
    m.op("SPLIT", [m.constant("axis", np.array(1, np.int32)), xi], parts, num_splits=2)
    m.output(*parts)
    p0, p1 = run(m.finish(), [x], builtin_only=builtin_only)
    np.testing.assert_array_equal(p0, x[:, :3])
    np.testing.assert_array_equal(p1, x[:, 3:])


def test_dynamic_batch_resizes() -> None:
    m = ModelWriter()
    xi = m.input("x", [1, 3], "float32", shape_signature=[-1, 3])
    y = m.tensor("y", [1, 3], "float32", shape_signature=[-1, 3])
    m.op("MUL", [xi, m.constant("two", np.full(3, 2.0, np.float32))], [y])
    m.output(y)
    x = _rand(4, 3)
    (out,) = run(m.finish(), [x.astype(np.float64)])  # float64 is cast to float32
    np.testing.assert_allclose(out, 2 * x, rtol=1e-6)


# --------------------------------------------------------------------------------------------
# Quantized model
# --------------------------------------------------------------------------------------------

@MODES
def test_int8_conv2d_per_channel(builtin_only: bool) -> None:
    in_scale, in_zp = 0.05, -3
    w_scales = np.array([0.01, 0.02, 0.015, 0.03])
    xq = RNG.integers(-128, 128, size=(1, 5, 5, 3)).astype(np.int8)
    wq = RNG.integers(-127, 128, size=(4, 3, 3, 3)).astype(np.int8)
    bq = RNG.integers(-500, 500, size=4).astype(np.int32)
    bias_scales = in_scale * w_scales

    real = conv2d_ref(in_scale * (xq.astype(np.float64) - in_zp),
                      wq.astype(np.float64) * w_scales[:, None, None, None],
                      bq * bias_scales, 1, "SAME")
    out_scale = float(real.max() - real.min()) / 255.0
    out_zp = int(round(-128 - real.min() / out_scale))
    expected = np.clip(np.round(real / out_scale) + out_zp, -128, 127)

    m = ModelWriter()
    xi = m.input("x", xq.shape, "int8", quantization=Quant([in_scale], [in_zp]))
    wi = m.constant("w", wq, quantization=Quant(w_scales.tolist(), [0] * 4, axis=0))
    bi = m.constant("b", bq, quantization=Quant(bias_scales.tolist(), [0] * 4, axis=0))
    y = m.tensor("y", expected.shape, "int8", quantization=Quant([out_scale], [out_zp]))
    m.op("CONV_2D", [xi, wi, bi], [y], padding="SAME", stride_w=1, stride_h=1)
    m.output(y)
    (out,) = run(m.finish(), [xq], builtin_only=builtin_only)
    assert out.dtype == np.int8
    assert np.abs(out.astype(np.int32) - expected).max() <= 1


# --------------------------------------------------------------------------------------------
# The flatbuffer itself
# --------------------------------------------------------------------------------------------

def _read(data: bytes) -> schema.ModelT:
    assert data[4:8] == b"TFL3"
    return schema.ModelT.InitFromObj(schema.Model.GetRootAs(data, 0))


def test_flatbuffer_layout() -> None:
    m = ModelWriter()
    x = m.input("x", [2, 3], "float16", shape_signature=[-1, 3])
    w = m.constant("w", np.arange(6, dtype=np.float16).reshape(2, 3))
    flag = m.constant("flag", np.array([True, False]))
    y = m.tensor("y", [2, 3], "float16")
    g = m.tensor("g", [2, 3], "float16")
    m.op("ADD", [x, w], [y], fused_activation_function=1)
    m.op("ADD", [y, w], [g], version=2)
    m.op("GELU", [g], [y], approximate=True)
    m.custom_op("MyCustom", [y, flag], [g], custom_options=b"\x01\x02")
    m.output(g)
    data = m.finish()
    model = _read(data)

    assert model.version == 3
    assert model.buffers[0].data is None
    assert len(model.buffers) == 3  # the sentinel and one per constant
    sub = model.subgraphs[0]
    assert [t.buffer for t in sub.tensors] == [0, 1, 2, 0, 0]
    assert list(sub.tensors[0].shapeSignature) == [-1, 3]
    assert sub.tensors[1].type == schema.TensorType.FLOAT16
    assert sub.tensors[2].type == schema.TensorType.BOOL
    assert bytes(model.buffers[1].data) == np.arange(6, dtype="<f2").tobytes()
    # constant data is 16-byte aligned in the file
    raw = np.arange(6, dtype="<f2").tobytes()
    assert data.index(raw) % 16 == 0

    codes = [(c.builtinCode, c.deprecatedBuiltinCode, c.version, c.customCode)
             for c in model.operatorCodes]
    gelu = schema.BuiltinOperator.GELU
    assert gelu > 127
    assert codes == [
        (schema.BuiltinOperator.ADD, schema.BuiltinOperator.ADD, 1, None),
        (schema.BuiltinOperator.ADD, schema.BuiltinOperator.ADD, 2, None),
        (gelu, 127, 1, None),
        (schema.BuiltinOperator.CUSTOM, schema.BuiltinOperator.CUSTOM, 1, b"MyCustom"),
    ]
    ops = sub.operators
    assert [o.opcodeIndex for o in ops] == [0, 1, 2, 3]
    assert ops[0].builtinOptionsType == schema.BuiltinOptions.AddOptions
    assert ops[0].builtinOptions.fusedActivationFunction == 1
    assert ops[2].builtinOptionsType == schema.BuiltinOptions.GeluOptions
    assert ops[2].builtinOptions.approximate
    assert list(ops[3].customOptions) == [1, 2]
    assert list(sub.inputs) == [0] and list(sub.outputs) == [4]


def test_custom_op_is_unresolved() -> None:
    m = ModelWriter()
    x = m.input("x", [2], "float32")
    y = m.tensor("y", [2], "float32")
    m.custom_op("NoSuchCustomOp", [x], [y])
    m.output(y)
    with pytest.raises((RuntimeError, ValueError)):
        run(m.finish(), [np.zeros(2, np.float32)])


def test_options_mapping_and_errors() -> None:
    assert builtin_options_class("conv_2d") is schema.Conv2DOptionsT
    assert builtin_options_class("MAX_POOL_2D") is schema.Pool2DOptionsT
    assert builtin_options_class("SUM") is schema.ReducerOptionsT
    assert builtin_options_class("MINIMUM") is schema.MaximumMinimumOptionsT
    assert builtin_options_class("PADV2") is schema.PadV2OptionsT
    assert builtin_options_class("BATCH_MATMUL") is schema.BatchMatMulOptionsT
    assert builtin_options_class("RESIZE_NEAREST_NEIGHBOR") is schema.ResizeNearestNeighborOptionsT
    assert builtin_options_class("DILATE") is schema.DilateOptionsT  # builtin_options_2
    assert builtin_options_class("RELU") is None
    assert tensor_type("int64") == schema.TensorType.INT64
    assert tensor_type(np.uint8) == schema.TensorType.UINT8
    assert tensor_type("INT4") == schema.TensorType.INT4

    m = ModelWriter()
    x = m.input("x", [1, 4, 4, 2], "float32")
    y = m.tensor("y", [1, 4, 4, 2], "float32")
    # camelCase and enum values by name or number are accepted
    m.op("MIRROR_PAD", [x, m.constant("p", np.zeros((4, 2), np.int32))], [y], mode="SYMMETRIC")
    m.op("CAST", [x], [y], in_data_type="float32", outDataType=np.int32)
    m.op("CONV_2D", [x, x, -1], [y], padding=1, strideW=1)
    with pytest.raises(ValueError, match="NOT_AN_OP"):
        m.op("NOT_AN_OP", [x], [y])
    with pytest.raises(ValueError, match="strides"):
        m.op("CONV_2D", [x, x], [y], strides=2)
    with pytest.raises(ValueError, match="takes no options"):
        m.op("RELU", [x], [y], alpha=1.0)
    with pytest.raises(ValueError, match="SAMEISH"):
        m.op("CONV_2D", [x, x], [y], padding="SAMEISH")
    with pytest.raises(ValueError, match="out of range"):
        m.op("RELU", [x], [99])
    with pytest.raises(ValueError, match="custom_op"):
        m.op("CUSTOM", [x], [y])
    with pytest.raises(ValueError, match="dtype"):
        m.tensor("t", [1], "not-a-type")
    model = _read(m.finish())
    opts = [o.builtinOptions for o in model.subgraphs[0].operators]
    assert opts[0].mode == schema.MirrorPadMode.SYMMETRIC
    assert (opts[1].inDataType, opts[1].outDataType) == (schema.TensorType.FLOAT32,
                                                         schema.TensorType.INT32)
    assert (opts[2].padding, opts[2].strideW, opts[2].strideH) == (schema.Padding.VALID, 1, 0)


def test_save(tmp_path) -> None:
    m = ModelWriter()
    x = m.input("x", [3], "int32")
    y = m.tensor("y", [3], "int32")
    m.op("ABS", [x], [y])
    m.output(y)
    path = m.save(tmp_path / "abs.tflite")
    assert path.read_bytes() == m.finish()
    (out,) = run(path.read_bytes(), [np.array([-1, 2, -3], np.int32)])
    np.testing.assert_array_equal(out, [1, 2, 3])


def test_runtime_packages_not_shadowed() -> None:
    """The test package tests.providers.tflite does not shadow the runtime packages: they
    still import from site-packages."""
    spec = importlib.util.find_spec("ai_edge_litert")
    assert spec is not None and "site-packages" in (spec.origin or "")
    runtime = importlib.util.find_spec("tflite_runtime")
    assert runtime is None or "site-packages" in (runtime.origin or "")


def test_runtime_selection(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("WEBNN_TFLITE_RUNTIME", raising=False)
    assert interpreter_module().__name__ == "ai_edge_litert.interpreter"
    monkeypatch.setenv("WEBNN_TFLITE_RUNTIME", "tflite_runtime")
    if importlib.util.find_spec("tflite_runtime") is None:
        with pytest.raises(ImportError):
            interpreter_module()
    else:
        assert interpreter_module().__name__ == "tflite_runtime.interpreter"
