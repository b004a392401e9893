"""Hybrid CONV_2D (float32 input and output, constant int8 weights) through the WebNN
delegate (providers/tflite/ops/conv.py ``check_hybrid``): translated as the float convolution
of the dequantized weights.

Tolerance, from TFLite's own kernel (conv.cc ``EvalHybrid`` / ``EvalHybridPerChannel``):
TFLite quantizes the input per batch on the fly, symmetric to [-127, 127] with step
``s = max|x| / 127`` when the weights have one scale (error <= s / 2 per input), asymmetric
with step ``s = (max(x, 0) - min(x, 0)) / 255`` for per-channel weights (error <= s: the
nudged zero point can clamp an extreme value by half a step more). So TFLite's result is
off the float convolution by at most ``e * sum|w_real|`` per output channel (the window's
weights; ReLU-type clamps do not widen it), which is the bound used against TFLite, plus
float32 summation noise. Separately, the delegate must equal TFLite's *float* kernel on the
same model with the weights dequantized (:func:`dequantized_model`) to float tolerance: that
is what is computed, and the hybrid difference is TFLite's alone.
"""

from __future__ import annotations

from collections.abc import Sequence

import flatbuffers
import numpy as np
import pytest
from ai_edge_litert import schema_py_generated as schema
from webnn_providers.testing.tflite_writer import ModelWriter, Quant

from tests.providers.tflite.helpers import delegate, refused, run
from tests.providers.tflite.test_conv import conv_model, conv_options, floats, out_size

RNG = np.random.default_rng(23)
#: float32 summation noise of the small convolutions here (<= 72 products of magnitude <= 1)
ATOL = 1e-5


def dequantized_model(data: bytes) -> bytes | None:
    """``data`` with the int8 weights of every hybrid CONV_2D (float32 input) replaced by
    their float32 values ``scale * q`` (zero points are 0 in hybrid models): the model TFLite
    runs with its float kernel. None when the model has no hybrid CONV_2D."""
    model = schema.ModelT.InitFromPackedBuf(bytearray(data), 0)
    changed = 0
    for graph in model.subgraphs:
        for op in graph.operators:
            code = model.operatorCodes[op.opcodeIndex]
            if max(code.builtinCode, code.deprecatedBuiltinCode) != schema.BuiltinOperator.CONV_2D:
                continue
            x, w = graph.tensors[op.inputs[0]], graph.tensors[op.inputs[1]]
            if x.type != schema.TensorType.FLOAT32 or w.type != schema.TensorType.INT8:
                continue
            q = np.frombuffer(bytes(bytearray(model.buffers[w.buffer].data)), np.int8)
            q = q.reshape(w.shape).astype(np.float32)
            scale = np.asarray(w.quantization.scale, np.float32)
            shape = [1] * q.ndim
            shape[w.quantization.quantizedDimension if scale.size > 1 else 0] = scale.size
            real = (q * scale.reshape(shape)).astype("<f4")
            model.buffers[w.buffer].data = np.frombuffer(real.tobytes(), np.uint8)
            w.type = schema.TensorType.FLOAT32
            w.quantization = None
            changed += 1
    if not changed:
        return None
    builder = flatbuffers.Builder(1024)
    builder.Finish(model.Pack(builder), file_identifier=b"TFL3")
    return bytes(builder.Output())


def hybrid_bound(x: np.ndarray, w_real: np.ndarray, per_channel: bool) -> np.ndarray:
    """Per output channel: how far TFLite's on-the-fly input quantization can move a result
    (``e * sum|w|`` over the window; see the module docstring). Batch 1."""
    if per_channel:
        step = (max(float(x.max()), 0.0) - min(float(x.min()), 0.0)) / 255.0
        error = step
    else:
        error = float(np.abs(x).max()) / 127.0 / 2.0
    return error * np.abs(w_real).reshape(w_real.shape[0], -1).sum(axis=1)


def hybrid_case(x_shape: Sequence[int], out_c: int, kernel: Sequence[int], padding: str,
                strides: Sequence[int], act: str, per_channel: bool
                ) -> tuple[bytes, np.ndarray, np.ndarray]:
    w = floats([out_c, *kernel, x_shape[3]])
    axes = tuple(range(1, 4))
    if per_channel:
        scale = np.abs(w).max(axis=axes) / 127.0 + 1e-3
    else:
        scale = np.full(out_c, np.abs(w).max() / 127.0 + 1e-3)
    q = np.clip(np.round(w / scale[:, None, None, None]), -127, 127).astype(np.int8)
    quant = Quant(scale.tolist() if per_channel else float(scale[0]), 0, 0)
    out_hw = [out_size(padding, x_shape[1 + k], kernel[k], strides[k]) for k in range(2)]
    data = conv_model("CONV_2D", x_shape, q, [x_shape[0], *out_hw, out_c], floats([out_c]),
                      qw=quant, **conv_options(padding, strides, act=act))
    w_real = q.astype(np.float32) * scale[:, None, None, None].astype(np.float32)
    return data, w_real, floats(x_shape)


@pytest.mark.parametrize("per_channel", [False, True], ids=["per_tensor", "per_channel"])
@pytest.mark.parametrize("padding,strides,kernel", [("SAME", (1, 1), (3, 3)),
                                                    ("VALID", (2, 1), (3, 2)),
                                                    ("SAME", (2, 2), (4, 3)),
                                                    ("SAME", (1, 1), (1, 1))])
@pytest.mark.parametrize("act", ["NONE", "RELU"])
def test_hybrid_conv(per_channel: bool, padding: str, strides: tuple, kernel: tuple,
                     act: str) -> None:
    data, w_real, x = hybrid_case([1, 7, 6, 4], 5, kernel, padding, strides, act, per_channel)
    got = run(data, [x], [delegate()])[0]
    report = delegate().partition_report()
    assert report.num_supported == 1, report.summary()
    # what is computed: TFLite's float kernel on the dequantized weights
    want_float = run(dequantized_model(data), [x])[0]
    np.testing.assert_allclose(got, want_float, rtol=1e-5, atol=ATOL)
    # TFLite's hybrid kernel itself: within its input quantization error
    want = run(data, [x])[0]
    bound = hybrid_bound(x, w_real, per_channel) + ATOL
    assert np.all(np.abs(got - want) <= bound), float(np.max(np.abs(got - want) - bound))


def test_hybrid_conv_batch_two_and_next_to_a_refused_op() -> None:
    """Batch 2 (TFLite quantizes each batch on its own) with a refused ADD after it."""
    w = floats([3, 3, 3, 2])
    scale = float(np.abs(w).max() / 127.0 + 1e-3)
    q = np.clip(np.round(w / scale), -127, 127).astype(np.int8)
    m = ModelWriter()
    x = m.input("x", [2, 5, 5, 2], "float32")
    y = m.tensor("y", [2, 5, 5, 3], "float32")
    m.op("CONV_2D", [x, m.constant("w", q, quantization=Quant(scale, 0)),
                     m.constant("b", floats([3]))], [y], **conv_options("SAME", (1, 1)))
    z = m.tensor("z", [2, 5, 5, 3], "float32")
    m.op("ADD", [y, y], [z], fused_activation_function="SIGN_BIT")
    m.output(y, z)
    data = m.finish()
    xs = floats([2, 5, 5, 2])
    xs[1] *= 0.1  # batches of different ranges: different input steps
    got = run(data, [xs], [delegate()])
    report = delegate().partition_report()
    assert report.num_supported == 1 and "SIGN_BIT" in report.summary()
    np.testing.assert_allclose(got[0], run(dequantized_model(data), [xs])[0], rtol=1e-5,
                               atol=ATOL)
    want = run(data, [xs])[0]
    w_real = q.astype(np.float32) * np.float32(scale)
    for b in range(2):
        bound = hybrid_bound(xs[b], w_real, False) + ATOL
        assert np.all(np.abs(got[0][b] - want[b]) <= bound)


def hybrid_refusal(**changes) -> str:
    w = floats([3, 3, 3, 2])
    scale = float(np.abs(w).max() / 127.0 + 1e-3)
    q = np.clip(np.round(w / scale), -127, 127).astype(np.int8)
    quant = changes.pop("quant", Quant(scale, 0))
    q = changes.pop("weights", q)
    options = conv_options("SAME", (1, 1), changes.pop("dilations", (1, 1)))
    data = conv_model("CONV_2D", [1, 5, 5, 2], q, [1, 5, 5, 3], floats([3]), qw=quant,
                      **options)
    report = refused(data)
    assert report.num_supported == 0
    return report.summary()


def test_hybrid_refusals() -> None:
    # TFLite's hybrid kernels run dilation 1 whatever the option says
    assert "dilations [2, 2]" in hybrid_refusal(dilations=(2, 2))
    # ... and ignore the weights' zero point
    assert "non-zero zero point" in hybrid_refusal(quant=Quant(0.01, 3))
    # uint8 weights: TFLite reads them as int8
    w8 = RNG.integers(0, 256, (3, 3, 3, 2)).astype(np.uint8)
    assert "UINT8 weights" in hybrid_refusal(weights=w8, quant=Quant(0.01, 0))
