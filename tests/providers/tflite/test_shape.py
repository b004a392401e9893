"""Data movement ops through the WebNN delegate, checked against TFLite's builtin kernels
(providers/tflite/ops/shape.py): float32, quantized int8/uint8 (integers kept), int32/int64
and bool tensors, every option, and refusals."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pytest
from webnn_providers.testing.tflite_writer import ModelWriter, Quant
from webnn_providers.tflite.model import FLOAT32, INT32, ModelInfo, OpInfo, TensorInfo
from webnn_providers.tflite.translator import check_op

import webnn_core as webnn
from tests.providers.tflite.helpers import check_delegated, refused

RNG = np.random.default_rng(11)
Q = {"int8": Quant(0.1, -5), "uint8": Quant(0.05, 128)}


@dataclass
class In:
    """A model input (runtime tensor)."""

    shape: Sequence[int]
    dtype: str = "float32"
    quant: Quant | None = None


def i32(*values: Any) -> np.ndarray:
    return np.array(values, np.int32)


def data(shape: Sequence[int], dtype: str) -> np.ndarray:
    if dtype in ("int8", "uint8"):
        info = np.iinfo(dtype)
        return RNG.integers(info.min, info.max + 1, shape).astype(dtype)
    if dtype in ("int32", "int64"):
        return RNG.integers(-1000, 1000, shape).astype(dtype)
    if dtype == "bool":
        return RNG.random(shape) < 0.5
    return RNG.standard_normal(shape).astype(np.float32)


def build(op: str, inputs: Sequence[In | np.ndarray | None], outputs: Sequence[Sequence[int]],
          dtype: str = "float32", quant: Quant | None = None, out_quant: Quant | None = None,
          version: int = 1, **options: Any) -> tuple[bytes, list[np.ndarray]]:
    """One ``op`` model; runtime inputs are :class:`In`, constants numpy arrays (-1: None).
    Every output has ``dtype`` and ``out_quant`` (default ``quant``). Returns the model and
    random data for its inputs."""
    m = ModelWriter()
    ids, feeds = [], []
    for k, spec in enumerate(inputs):
        if spec is None:
            ids.append(-1)
        elif isinstance(spec, In):
            ids.append(m.input(f"x{k}", spec.shape, spec.dtype, quantization=spec.quant))
            feeds.append(data(spec.shape, spec.dtype))
        else:
            ids.append(m.constant(f"c{k}", spec))
    q = out_quant if out_quant is not None else quant
    outs = [m.tensor(f"y{k}", shape, dtype, quantization=q) for k, shape in enumerate(outputs)]
    m.op(op, ids, outs, version=version, **options)
    m.output(*outs)
    return m.finish(), feeds


def model_info(op: str, inputs: Sequence[tuple], out_shape: Sequence[int],
               options: dict[str, Any], out_type: int = FLOAT32) -> ModelInfo:
    """A one-op :class:`ModelInfo` (inputs: ``(shape, TfLiteType, constant or None)``) for
    translator-level checks of models TFLite cannot run or delegate: a non-constant shape
    input makes the output dynamic, and TFLite then applies no static-shape delegate."""
    tensors = {k: TensorInfo(k, f"x{k}", t, tuple(shape), constant=c)
               for k, (shape, t, c) in enumerate(inputs)}
    out = len(inputs)
    tensors[out] = TensorInfo(out, "y", out_type, tuple(out_shape))
    return ModelInfo([OpInfo(0, op, 1, tuple(range(out)), (out,), options=options)], tensors)


def runtime_refusal(op: str, inputs: Sequence[tuple], out_shape: Sequence[int],
                    options: dict[str, Any] | None = None) -> str:
    verdict = check_op(webnn.ml.create_context(), model_info(op, inputs, out_shape,
                                                             options or {}), 0)
    assert not verdict.supported
    return verdict.reason


def x_in(shape: Sequence[int], dtype: str = "float32", quantized: bool = True) -> In:
    return In(shape, dtype, Q.get(dtype) if quantized else None)


DTYPES = ["float32", "int8", "uint8", "int32", "int64", "bool"]


def check(op: str, inputs: list, outputs: list, dtype: str = "float32", **kw: Any) -> None:
    model, feeds = build(op, inputs, outputs, dtype, quant=Q.get(dtype), **kw)
    check_delegated(model, feeds)


# -- RESHAPE / SQUEEZE / EXPAND_DIMS -----------------------------------------------------------
@pytest.mark.parametrize("dtype", DTYPES)
def test_reshape_shape_input_with_minus_one(dtype: str) -> None:
    check("RESHAPE", [x_in([2, 3, 4], dtype), i32(4, -1)], [[4, 6]], dtype)


def test_reshape_from_options_without_shape_input() -> None:
    check("RESHAPE", [x_in([2, 3, 4])], [[6, 4]], new_shape=[6, -1])


def test_reshape_to_scalar_and_rank_5() -> None:
    check("RESHAPE", [x_in([1, 1])], [[]], new_shape=[])
    check("RESHAPE", [x_in([2, 3, 4], "int8"), i32(1, 2, 1, 3, 4)], [[1, 2, 1, 3, 4]], "int8")


def test_reshape_runtime_shape_refused() -> None:
    reason = runtime_refusal("RESHAPE", [([2, 3], FLOAT32, None), ([2], INT32, None)], [3, 2])
    assert "new shape (input 1) must be a constant" in reason


@pytest.mark.parametrize("dims,out", [([], [3, 4]), ([-1], [1, 1, 3, 4]), ([0, 4], [1, 3, 4])])
@pytest.mark.parametrize("dtype", ["float32", "uint8"])
def test_squeeze(dims: list, out: list, dtype: str) -> None:
    check("SQUEEZE", [x_in([1, 1, 3, 4, 1], dtype)], [out], dtype, squeeze_dims=dims)


@pytest.mark.parametrize("axis,out", [(0, [1, 2, 3]), (-1, [2, 3, 1]), (1, [2, 1, 3]),
                                      (-3, [1, 2, 3])])
@pytest.mark.parametrize("dtype", ["float32", "int8", "int32"])
def test_expand_dims(axis: int, out: list, dtype: str) -> None:
    check("EXPAND_DIMS", [x_in([2, 3], dtype), i32(axis)], [out], dtype)


# -- CONCATENATION / PACK ----------------------------------------------------------------------
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("axis", [1, -1])
def test_concatenation(dtype: str, axis: int) -> None:
    sizes = [2, 1, 3]
    shapes = [[2, s, 3] if axis == 1 else [2, 3, s] for s in sizes]
    out = [2, 6, 3] if axis == 1 else [2, 3, 6]
    check("CONCATENATION", [x_in(s, dtype) for s in shapes], [out], dtype, axis=axis)


def test_concatenation_with_constant_input() -> None:
    check("CONCATENATION", [x_in([2, 3]), np.ones([2, 2], np.float32)], [[2, 5]], axis=1)


def test_concatenation_uint8_requantizes() -> None:
    """Inputs quantized differently from the output are requantized (within one step)."""
    inputs = [In([1, 2, 3], "uint8", Quant(0.1, 120)), In([1, 2, 2], "uint8", Quant(0.03, 10))]
    check("CONCATENATION", inputs, [[1, 2, 5]], "uint8", axis=2)


def test_concatenation_fused_activation_refused() -> None:
    """TFLite's kernel accepts no fused activation (Prepare fails): checked on the
    translator alone."""
    reason = runtime_refusal("CONCATENATION", [([2, 3], FLOAT32, None), ([2, 2], FLOAT32, None)],
                             [2, 5], {"axis": 1, "activation": "RELU"})
    assert "fused activation RELU" in reason


@pytest.mark.parametrize("axis,out", [(0, [3, 2, 4]), (1, [2, 3, 4]), (-1, [2, 4, 3])])
@pytest.mark.parametrize("dtype", ["float32", "int8", "int64"])
def test_pack(axis: int, out: list, dtype: str) -> None:
    check("PACK", [x_in([2, 4], dtype) for _ in range(3)], [out], dtype, axis=axis,
          values_count=3)


# -- SPLIT / SPLIT_V / UNPACK ------------------------------------------------------------------
@pytest.mark.parametrize("axis", [1, -1, 0])
@pytest.mark.parametrize("dtype", ["float32", "int8", "int32"])
def test_split(axis: int, dtype: str) -> None:
    shape = [3, 6, 3]
    out = list(shape)
    out[axis] //= 3
    check("SPLIT", [i32(axis), x_in(shape, dtype)], [out] * 3, dtype, num_splits=3)


@pytest.mark.parametrize("sizes", [[1, 2, 3], [2, -1, 1], [6]])
@pytest.mark.parametrize("dtype", ["float32", "uint8"])
def test_split_v(sizes: list, dtype: str) -> None:
    real = [6 - sum(s for s in sizes if s != -1) if s == -1 else s for s in sizes]
    outs = [[2, s, 3] for s in real]
    check("SPLIT_V", [x_in([2, 6, 3], dtype), i32(*sizes), i32(-2)], outs, dtype,
          num_splits=len(sizes))


@pytest.mark.parametrize("axis", [0, 1, -1])
@pytest.mark.parametrize("dtype", ["float32", "int8", "int32"])
def test_unpack(axis: int, dtype: str) -> None:
    shape = [2, 3, 4]
    num = shape[axis]
    out = [d for k, d in enumerate(shape) if k != axis % 3]
    check("UNPACK", [x_in(shape, dtype)], [out] * num, dtype, num=num, axis=axis)


# -- PAD / PADV2 / MIRROR_PAD ------------------------------------------------------------------
PADS = i32([0, 1], [2, 0], [1, 3])


@pytest.mark.parametrize("dtype", ["float32", "int8", "uint8", "int32", "int64"])
def test_pad(dtype: str) -> None:
    check("PAD", [x_in([2, 3, 4], dtype), PADS], [[3, 5, 8]], dtype)


def test_pad_int64_paddings() -> None:
    check("PAD", [x_in([2, 3]), np.array([[1, 1], [0, 2]], np.int64)], [[4, 5]])


@pytest.mark.parametrize("dtype", ["float32", "int8", "uint8", "int32"])
def test_padv2(dtype: str) -> None:
    value = np.array([7], np.dtype(dtype)) if dtype != "float32" else np.array([-1.5], np.float32)
    # the constant value tensor must be quantized like the output (TFLite checks it)
    m = ModelWriter()
    x = m.input("x", [2, 3, 4], dtype, quantization=Q.get(dtype))
    p = m.constant("p", PADS)
    c = m.constant("c", value, quantization=Q.get(dtype))
    y = m.tensor("y", [3, 5, 8], dtype, quantization=Q.get(dtype))
    m.op("PADV2", [x, p, c], [y])
    m.output(y)
    check_delegated(m.finish(), [data([2, 3, 4], dtype)])


@pytest.mark.parametrize("mode", ["REFLECT", "SYMMETRIC"])
@pytest.mark.parametrize("dtype", ["float32", "uint8"])
def test_mirror_pad(mode: str, dtype: str) -> None:
    pads = i32([1, 2], [0, 0], [3, 1]) if mode == "SYMMETRIC" else i32([1, 1], [0, 0], [2, 1])
    out = [3 + pads[0].sum(), 4, 4 + pads[2].sum()]
    check("MIRROR_PAD", [x_in([3, 4, 4], dtype), pads], [out], dtype, mode=mode)


def test_mirror_pad_symmetric_full_size() -> None:
    check("MIRROR_PAD", [x_in([2, 3]), i32([2, 2], [3, 0])], [[6, 6]], mode="SYMMETRIC")


# -- SLICE / STRIDED_SLICE ---------------------------------------------------------------------
@pytest.mark.parametrize("dtype", ["float32", "int8", "bool"])
def test_slice(dtype: str) -> None:
    check("SLICE", [x_in([3, 5, 4], dtype), i32(1, 0, 2), i32(2, -1, 1)], [[2, 5, 1]], dtype)


def test_slice_int64_begin_size() -> None:
    begin, size = np.array([0, 1], np.int64), np.array([-1, 2], np.int64)
    check("SLICE", [x_in([3, 4]), begin, size], [[3, 2]])


def _np_index(shape: Sequence[int], begin: list, end: list, strides: list,
              masks: dict[str, int]) -> tuple:
    """The numpy index expression of a TensorFlow strided slice spec."""
    bit = lambda name, k: masks.get(name, 0) >> k & 1  # noqa: E731
    index: list = []
    for k in range(len(begin)):
        if bit("ellipsis_mask", k):
            index.append(Ellipsis)
        elif bit("new_axis_mask", k):
            index.append(np.newaxis)
        elif bit("shrink_axis_mask", k):
            index.append(begin[k])
        else:
            stop = None if bit("end_mask", k) else end[k]
            if masks.get("offset") and stop is not None:
                stop += begin[k]
            index.append(slice(None if bit("begin_mask", k) else begin[k], stop, strides[k]))
    return tuple(index)


STRIDED = [
    ([5, 6], [1, 0], [4, 6], [1, 2], {}),
    ([5, 6], [-1, 5], [-6, 0], [-1, -2], {}),                      # negative strides
    ([5, 6], [4, 0], [0, 6], [-2, 3], {"begin_mask": 1}),          # begin_mask, reversed
    ([4, 5, 6], [1, 0, 2], [3, 3, -1], [1, 1, 2], {"end_mask": 2}),
    ([4, 5, 6], [1, 0, 0], [2, 5, 6], [1, 1, 1], {"shrink_axis_mask": 1}),
    ([4, 5, 6], [-1, 0, -2], [0, 5, 0], [1, 1, 1], {"shrink_axis_mask": 5}),
    ([4, 5, 6], [0, 1], [0, 4], [1, 2], {"ellipsis_mask": 1}),     # [..., 1:4:2]
    ([2, 4, 5, 6], [1, 0, 2], [2, 0, 5], [1, 1, 1], {"ellipsis_mask": 2}),
    ([4, 5], [0, 1, 0], [0, 4, 5], [1, 1, 1], {"new_axis_mask": 1}),
    ([4, 5], [1, 0, 0], [3, 0, 2], [1, 1, 1], {"new_axis_mask": 2}),
    ([4, 5, 6], [-10, 2, 1], [10, 100, -1], [1, 1, 3], {}),        # clamped
    ([4, 5, 6], [1], [3], [1], {}),                                # fewer entries than rank
    ([5, 6], [1, 2], [2, 3], [1, 1], {"offset": True}),            # end = begin + end
]


@pytest.mark.parametrize("case", STRIDED, ids=lambda c: f"{c[0]}-{c[1]}-{c[2]}-{c[3]}-{c[4]}")
def test_strided_slice(case: tuple) -> None:
    shape, begin, end, strides, masks = case
    expected = np.zeros(shape)[_np_index(shape, begin, end, strides, masks)].shape
    version = 8 if masks.get("offset") else 1
    check("STRIDED_SLICE", [x_in(shape), i32(*begin), i32(*end), i32(*strides)],
          [list(expected)], version=version, **masks)


@pytest.mark.parametrize("dtype", ["int8", "uint8", "int32", "int64", "bool"])
def test_strided_slice_types(dtype: str) -> None:
    check("STRIDED_SLICE", [x_in([4, 6], dtype), i32(3, 1), i32(0, 6), i32(-1, 2)],
          [[3, 3]], dtype)


def test_strided_slice_runtime_begin_refused() -> None:
    inputs = [([4, 6], FLOAT32, None), ([2], INT32, None), ([2], INT32, i32(2, 2)),
              ([2], INT32, i32(1, 1))]
    assert "begin (input 1) must be a constant" in runtime_refusal("STRIDED_SLICE", inputs,
                                                                   [2, 2])


# -- GATHER ------------------------------------------------------------------------------------
@pytest.mark.parametrize("axis", [0, 1, -1])
@pytest.mark.parametrize("dtype", ["float32", "int8", "bool", "int64"])
def test_gather_constant_indices(axis: int, dtype: str) -> None:
    shape = [3, 4, 5]
    indices = i32([2, 0], [1, 1])
    out = shape[:axis % 3] + [2, 2] + shape[axis % 3 + 1:]
    check("GATHER", [x_in(shape, dtype), indices], [out], dtype, axis=axis)


@pytest.mark.parametrize("index_type", ["int32", "int64"])
def test_gather_runtime_indices(index_type: str) -> None:
    m = ModelWriter()
    x = m.input("x", [4, 3], "uint8", quantization=Q["uint8"])
    i = m.input("i", [5], index_type)
    y = m.tensor("y", [5, 3], "uint8", quantization=Q["uint8"])
    m.op("GATHER", [x, i], [y], axis=0)
    m.output(y)
    indices = np.array([3, 0, 1, 1, 2], index_type)
    check_delegated(m.finish(), [data([4, 3], "uint8"), indices])


def test_gather_scalar_index() -> None:
    check("GATHER", [x_in([4, 3]), np.array(2, np.int32)], [[3]], axis=0)


def test_gather_refusals() -> None:
    model, _ = build("GATHER", [x_in([2, 3]), i32([0], [1])], [[2, 1]], axis=1, batch_dims=1)
    assert "batch_dims 1" in refused(model).nodes[0].reason
    model, _ = build("GATHER", [x_in([4, 3]), i32(-1, 0)], [[2, 3]], axis=0)
    assert "outside [0, 4)" in refused(model).nodes[0].reason


# -- TRANSPOSE / TILE / BROADCAST_TO / DEPTH_TO_SPACE / SPACE_TO_DEPTH -------------------------
@pytest.mark.parametrize("perm", [[0, 3, 1, 2], [3, 2, 1, 0], [0, 1, 2, 3]])
@pytest.mark.parametrize("dtype", ["float32", "int8", "int32"])
def test_transpose(perm: list, dtype: str) -> None:
    shape = [2, 3, 4, 5]
    check("TRANSPOSE", [x_in(shape, dtype), i32(*perm)], [[shape[p] for p in perm]], dtype)


@pytest.mark.parametrize("dtype", ["float32", "uint8", "bool", "int64"])
def test_tile(dtype: str) -> None:
    check("TILE", [x_in([2, 1, 3], dtype), i32(2, 3, 1)], [[4, 3, 3]], dtype)


@pytest.mark.parametrize("dtype", ["float32", "int8", "int32"])
def test_broadcast_to(dtype: str) -> None:
    check("BROADCAST_TO", [x_in([3, 1], dtype), i32(2, 3, 4)], [[2, 3, 4]], dtype, version=2)


@pytest.mark.parametrize("dtype", ["float32", "int8", "uint8"])
def test_depth_to_space(dtype: str) -> None:
    check("DEPTH_TO_SPACE", [x_in([1, 2, 3, 8], dtype)], [[1, 4, 6, 2]], dtype, block_size=2)


@pytest.mark.parametrize("dtype", ["float32", "int8", "uint8"])
def test_space_to_depth(dtype: str) -> None:
    check("SPACE_TO_DEPTH", [x_in([2, 4, 6, 3], dtype)], [[2, 2, 3, 12]], dtype, block_size=2)


def test_space_to_depth_block_3() -> None:
    check("SPACE_TO_DEPTH", [x_in([1, 6, 3, 2])], [[1, 2, 1, 18]], block_size=3)


def test_tile_runtime_multiples_refused() -> None:
    reason = runtime_refusal("TILE", [([2, 3], FLOAT32, None), ([2], INT32, None)], [4, 3])
    assert "multiples (input 1) must be a constant" in reason


def test_chain_of_data_movement() -> None:
    """Several ops in one partition: transpose, reshape, pad, slice."""
    m = ModelWriter()
    x = m.input("x", [1, 4, 6, 2], "int8", quantization=Q["int8"])
    t = m.tensor("t", [1, 2, 4, 6], "int8", quantization=Q["int8"])
    m.op("TRANSPOSE", [x, m.constant("perm", i32(0, 3, 1, 2))], [t])
    r = m.tensor("r", [8, 6], "int8", quantization=Q["int8"])
    m.op("RESHAPE", [t, m.constant("shape", i32(8, 6))], [r])
    p = m.tensor("p", [10, 7], "int8", quantization=Q["int8"])
    m.op("PAD", [r, m.constant("pads", i32([1, 1], [0, 1]))], [p])
    s = m.tensor("s", [5, 7], "int8", quantization=Q["int8"])
    m.op("STRIDED_SLICE", [p, m.constant("b", i32(9, 0)), m.constant("e", i32(0, 7)),
                           m.constant("st", i32(-2, 1))], [s])
    m.output(s)
    check_delegated(m.finish(), [data([1, 4, 6, 2], "int8")], partitions=1)
