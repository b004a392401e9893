"""SHAPE and shape computations folded at translation time (providers/tflite/translator.py
``propagate``/``OpView.fold``, ops/shape.py SHAPE): the SHAPE -> STRIDED_SLICE -> PACK ->
RESHAPE chains TensorFlow emits for ``tf.reshape(x, [tf.shape(x)[0], -1, 2])``, whose results
TFLite's flatbuffer gives placeholder dims (``shape_signature`` -1), checked against TFLite's
builtin kernels; next to a refused op; after an input resize; and the refusals."""

from __future__ import annotations

import numpy as np
import pytest
from webnn_providers.testing.tflite_writer import ModelWriter, Quant, interpreter

from tests.providers.tflite.helpers import check_delegated, delegate, refused, run

RNG = np.random.default_rng(7)


def i32(*values) -> np.ndarray:
    return np.array(values, np.int32)


def shape_chain(m: ModelWriter, x: int, x_shape: list[int], tail: int,
                batch_signature: int = 1) -> int:
    """``RESHAPE(x, PACK(STRIDED_SLICE(SHAPE(x), [0], [1], [1], shrink 1), -1, tail))`` with
    the placeholder dims ``[1, 1, tail]`` TFLite's converter writes for the result."""
    rank = len(x_shape)
    shape = m.tensor("shape", [rank], "int32")
    m.op("SHAPE", [x], [shape], out_type="INT32")
    batch = m.tensor("batch", [], "int32")
    m.op("STRIDED_SLICE", [shape, m.constant("b", i32(0)), m.constant("e", i32(1)),
                           m.constant("s", i32(1))], [batch], shrink_axis_mask=1)
    new_shape = m.tensor("new_shape", [3], "int32")
    m.op("PACK", [batch, m.constant("m1", np.int32(-1)), m.constant("tail", np.int32(tail))],
         [new_shape], values_count=3, axis=0)
    y = m.tensor("y", [1, 1, tail], "float32", shape_signature=[batch_signature, -1, tail])
    m.op("RESHAPE", [x, new_shape], [y])
    return y


def conv_then_reshape(x_shape: list[int], refuse_tail: bool = False) -> bytes:
    m = ModelWriter()
    x = m.input("x", x_shape, "float32", shape_signature=[-1, *x_shape[1:]])
    c = m.tensor("c", [*x_shape[:3], 4], "float32", shape_signature=[-1, *x_shape[1:3], 4])
    w = RNG.standard_normal((4, 1, 1, x_shape[3])).astype(np.float32)
    m.op("CONV_2D", [x, m.constant("w", w), m.constant("bias", np.zeros(4, np.float32))],
         [c], padding="SAME", stride_w=1, stride_h=1)
    y = shape_chain(m, c, [*x_shape[:3], 4], 2, batch_signature=-1)
    z = m.tensor("z", [1, 1, 2], "float32", shape_signature=[-1, -1, 2])
    m.op("SOFTMAX", [y], [z], beta=1.0)
    if refuse_tail:
        t = m.tensor("t", [1, 1, 2], "float32", shape_signature=[-1, -1, 2])
        m.op("ADD", [z, z], [t], fused_activation_function="SIGN_BIT")
        z = t
    m.output(z)
    return m.finish()


def test_shape_alone_int32_and_int64() -> None:
    for out_type, dtype in (("INT32", "int32"), ("INT64", "int64")):
        m = ModelWriter()
        x = m.input("x", [2, 3, 5], "float32")
        y = m.tensor("y", [3], dtype)
        m.op("SHAPE", [x], [y], out_type=out_type)
        m.output(y)
        check_delegated(m.finish(), [RNG.standard_normal((2, 3, 5)).astype(np.float32)])


def test_computed_reshape_is_folded_into_one_partition() -> None:
    data = conv_then_reshape([1, 6, 5, 3])
    report = check_delegated(data, [RNG.standard_normal((1, 6, 5, 3)).astype(np.float32)],
                             partitions=1, rtol=1e-5, atol=1e-6)
    assert len(report.nodes) == 6


def test_computed_reshape_next_to_a_refused_op() -> None:
    data = conv_then_reshape([1, 6, 5, 3], refuse_tail=True)
    report = check_delegated(data, [RNG.standard_normal((1, 6, 5, 3)).astype(np.float32)],
                             delegated=6, partitions=1, rtol=1e-5, atol=1e-6)
    assert "SIGN_BIT" in report.summary()


def test_computed_reshape_follows_an_input_resize() -> None:
    """A new batch size reaches the delegate's kernel, which translates the partition again:
    SHAPE gives the new batch and RESHAPE the new shape, as TFLite's kernels compute them."""
    data = conv_then_reshape([1, 6, 5, 3])
    d = delegate()
    got_it = interpreter(data, delegates=[d], builtin_only=True)
    want_it = interpreter(data, builtin_only=True)
    x = RNG.standard_normal((3, 6, 5, 3)).astype(np.float32)
    outs = []
    for it in (got_it, want_it):
        index = it.get_input_details()[0]["index"]
        it.resize_tensor_input(index, [3, 6, 5, 3])
        it.allocate_tensors()
        it.set_tensor(index, x)
        it.invoke()
        outs.append(it.get_tensor(it.get_output_details()[0]["index"]))
    assert d.partition_report().num_supported == 6
    assert outs[0].shape == outs[1].shape == (3, 60, 2)
    np.testing.assert_allclose(outs[0], outs[1], rtol=1e-5, atol=1e-6)


def test_integer_computation_on_constants_is_folded() -> None:
    """ADD and CONCATENATION of int32 constants compute a RESHAPE's shape."""
    m = ModelWriter()
    x = m.input("x", [2, 6], "float32")
    half = m.tensor("half", [1], "int32")
    m.op("ADD", [m.constant("a", i32(1)), m.constant("b", i32(2))], [half])
    new_shape = m.tensor("new_shape", [2], "int32")
    m.op("CONCATENATION", [half, m.constant("rest", i32(4))], [new_shape], axis=0)
    y = m.tensor("y", [3, 4], "float32")
    m.op("RESHAPE", [x, new_shape], [y])
    z = m.tensor("z", [3, 4], "float32")
    m.op("RELU", [y], [z])
    m.output(z)
    check_delegated(m.finish(), [RNG.standard_normal((2, 6)).astype(np.float32)])


def test_shape_from_runtime_values_refused() -> None:
    """A new shape computed from a runtime int32 input is no constant: RESHAPE stays with
    TFLite, with the reason."""
    m = ModelWriter()
    x = m.input("x", [2, 6], "float32")
    s = m.input("s", [2], "int32")
    new_shape = m.tensor("new_shape", [2], "int32")
    m.op("ADD", [s, m.constant("zero", i32(0, 0))], [new_shape])
    y = m.tensor("y", [3, 4], "float32")
    m.op("RESHAPE", [x, new_shape], [y])
    m.output(y)
    data = m.finish()
    report = refused(data)
    assert "new shape (input 1) must be a constant tensor" in report.summary()
    got = run(data, [RNG.standard_normal((2, 6)), i32(3, 4)], [delegate()])
    assert got[0].shape == (3, 4)


@pytest.mark.parametrize("out_type", ["INT32", "INT64"])
def test_shape_of_quantized_tensor(out_type: str) -> None:
    m = ModelWriter()
    x = m.input("x", [1, 4, 2], "int8", quantization=Quant(0.5, 3))
    y = m.tensor("y", [3], out_type.lower())
    m.op("SHAPE", [x], [y], out_type=out_type)
    m.output(y)
    check_delegated(m.finish(), [RNG.integers(-128, 128, (1, 4, 2)).astype(np.int8)])
