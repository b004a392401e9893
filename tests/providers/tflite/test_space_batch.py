"""SPACE_TO_BATCH_ND and BATCH_TO_SPACE_ND through the WebNN delegate, checked against
TFLite's builtin kernels (providers/tflite/ops/space_batch.py): alone (float32, quantized
int8/uint8 with the zero point as padding, int32), as TensorFlow's dilated convolution
lowering (SPACE_TO_BATCH_ND -> CONV_2D -> BATCH_TO_SPACE_ND), next to a refused op, and
refusals."""

from __future__ import annotations

import numpy as np
import pytest
from webnn_providers.testing.tflite_writer import ModelWriter, Quant, interpreter

from tests.providers.tflite.helpers import check_delegated, delegate, refused

RNG = np.random.default_rng(5)
Q = {"int8": Quant(0.1, -5), "uint8": Quant(0.05, 128)}


def i32(*values) -> np.ndarray:
    return np.array(values, np.int32)


def feed(shape, dtype: str) -> np.ndarray:
    if dtype in ("int8", "uint8", "int32"):
        low, high = (-100, 100) if dtype == "int32" else (np.iinfo(dtype).min,
                                                           np.iinfo(dtype).max)
        return RNG.integers(low, high + 1, shape).astype(dtype)
    return RNG.standard_normal(shape).astype(np.float32)


def one_op(op: str, in_shape, block, pairs, out_shape, dtype: str = "float32") -> bytes:
    m = ModelWriter()
    q = Q.get(dtype)
    x = m.input("x", in_shape, dtype, quantization=q)
    y = m.tensor("y", out_shape, dtype, quantization=q)
    m.op(op, [x, m.constant("block", i32(*block)),
              m.constant("pairs", np.array(pairs, np.int32).reshape(len(block), 2))], [y])
    m.output(y)
    return m.finish()


@pytest.mark.parametrize("dtype", ["float32", "int8", "uint8", "int32"])
def test_space_to_batch_nd_with_padding(dtype: str) -> None:
    # [1, 5, 7, 3], block [2, 3], paddings [[1, 0], [0, 2]] -> padded [6, 9] -> [6, 3, 3, 3]
    data = one_op("SPACE_TO_BATCH_ND", [1, 5, 7, 3], [2, 3], [[1, 0], [0, 2]], [6, 3, 3, 3],
                  dtype)
    check_delegated(data, [feed([1, 5, 7, 3], dtype)])


def test_space_to_batch_nd_batch_two_no_padding() -> None:
    data = one_op("SPACE_TO_BATCH_ND", [2, 4, 6, 2], [2, 2], [[0, 0], [0, 0]], [8, 2, 3, 2])
    check_delegated(data, [feed([2, 4, 6, 2], "float32")])


def test_space_to_batch_nd_rank_3() -> None:
    # one spatial dimension: [2, 6, 3], block [3] -> [6, 2, 3] (tflite-runtime 2.14 too)
    data = one_op("SPACE_TO_BATCH_ND", [2, 5, 3], [3], [[1, 0]], [6, 2, 3])
    check_delegated(data, [feed([2, 5, 3], "float32")])


@pytest.mark.parametrize("dtype", ["float32", "int8", "uint8", "int32"])
def test_batch_to_space_nd_with_crops(dtype: str) -> None:
    # [6, 3, 3, 2], block [2, 3] -> [1, 6, 9, 2], crops [[1, 0], [0, 2]] -> [1, 5, 7, 2]
    data = one_op("BATCH_TO_SPACE_ND", [6, 3, 3, 2], [2, 3], [[1, 0], [0, 2]], [1, 5, 7, 2],
                  dtype)
    check_delegated(data, [feed([6, 3, 3, 2], dtype)])


def test_batch_to_space_nd_batch_two() -> None:
    data = one_op("BATCH_TO_SPACE_ND", [8, 2, 3, 2], [2, 2], [[0, 0], [0, 0]], [2, 4, 6, 2])
    check_delegated(data, [feed([8, 2, 3, 2], "float32")])


def test_batch_to_space_nd_rank_3() -> None:
    data = one_op("BATCH_TO_SPACE_ND", [6, 2, 3], [3], [[1, 1]], [2, 4, 3])
    check_delegated(data, [feed([6, 2, 3], "float32")])


def dilated_conv(refuse_tail: bool = False) -> bytes:
    """TensorFlow's dilated 3x3 convolution (rate 2, SAME on 8x10): PAD-free
    SPACE_TO_BATCH_ND with paddings, VALID CONV_2D, BATCH_TO_SPACE_ND with crops; optionally
    followed by a SIGN_BIT-activated ADD the delegate refuses."""
    m = ModelWriter()
    x = m.input("x", [1, 8, 10, 3], "float32")
    s2b = m.tensor("s2b", [4, 6, 7, 3], "float32")
    m.op("SPACE_TO_BATCH_ND", [x, m.constant("block", i32(2, 2)),
                               m.constant("pads", np.array([[2, 2], [2, 2]], np.int32))],
         [s2b])
    conv = m.tensor("conv", [4, 4, 5, 4], "float32")
    w = RNG.standard_normal((4, 3, 3, 3)).astype(np.float32)
    m.op("CONV_2D", [s2b, m.constant("w", w), m.constant("b", RNG.standard_normal(4)
                                                          .astype(np.float32))], [conv],
         padding="VALID", stride_w=1, stride_h=1)
    y = m.tensor("y", [1, 8, 10, 4], "float32")
    m.op("BATCH_TO_SPACE_ND", [conv, m.constant("block2", i32(2, 2)),
                               m.constant("crops", np.array([[0, 0], [0, 0]], np.int32))], [y])
    if refuse_tail:
        z = m.tensor("z", [1, 8, 10, 4], "float32")
        m.op("ADD", [y, y], [z], fused_activation_function="SIGN_BIT")
        y = z
    m.output(y)
    return m.finish()


def test_dilated_convolution_lowering() -> None:
    # 3x3 products summed over 27 terms: float32 sums in another order (see test_conv.py)
    check_delegated(dilated_conv(), [feed([1, 8, 10, 3], "float32")], rtol=1e-5, atol=1e-5)


def test_dilated_convolution_next_to_a_refused_op() -> None:
    report = check_delegated(dilated_conv(refuse_tail=True), [feed([1, 8, 10, 3], "float32")],
                             delegated=3, partitions=1, rtol=1e-5, atol=1e-5)
    assert "SIGN_BIT" in report.summary()


def test_space_to_batch_nd_refusals() -> None:
    # paddings from a runtime tensor
    m = ModelWriter()
    x = m.input("x", [1, 4, 4, 1], "float32")
    pads = m.input("pads", [2, 2], "int32")
    y = m.tensor("y", [4, 2, 2, 1], "float32")
    m.op("SPACE_TO_BATCH_ND", [x, m.constant("block", i32(2, 2)), pads], [y])
    m.output(y)
    report = refused(m.finish())
    assert report.num_supported == 0
    assert "paddings (input 2) must be a constant tensor" in report.summary()


def test_batch_to_space_nd_int64_block_refused() -> None:
    m = ModelWriter()
    x = m.input("x", [4, 2, 2, 1], "float32")
    y = m.tensor("y", [1, 4, 4, 1], "float32")
    m.op("BATCH_TO_SPACE_ND", [x, m.constant("block", np.array([2, 2], np.int64)),
                               m.constant("crops", np.zeros((2, 2), np.int64))], [y])
    m.output(y)
    # TFLite itself rejects int64 block shapes in Prepare: the report is all we can see
    d = delegate()
    with pytest.raises((RuntimeError, ValueError)):
        interpreter(m.finish(), delegates=[d], builtin_only=True)
    assert "INT64 (TFLite takes int32)" in d.partition_report().summary()
