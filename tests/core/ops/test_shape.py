"""Data movement ops (reshape, transpose, expand, tile, concat, split, slice, pad, reverse,
triangular): hand-checked spec examples, OpenVINO vs reference (exact), validation."""

from __future__ import annotations

import numpy as np
import pytest

import webnn_core as webnn
from tests.helpers import OP_BACKENDS, assert_backends_agree, context, run

D = webnn.MLOperandDescriptor
ALL_TYPES = ("float32", "float16", "int32", "uint32", "int64", "uint64", "int8", "uint8")
#: OpenVINO's CPU plugin computes these in 32 bits: the driver rejects values outside this
OV_EXACT_RANGE = {"int64": (-(2**31), 2**31 - 1), "uint64": (0, 2**31 - 1),
                  "uint32": (0, 2**31 - 1)}


def random_data(rng: np.random.Generator, dtype: str, shape, narrow: bool = False
                ) -> np.ndarray:
    """Normal floats; integers over the whole range of their type, or with ``narrow``
    over the range OpenVINO computes exactly."""
    if dtype.startswith("float"):
        return rng.normal(0, 10, shape).astype(dtype)
    info = np.iinfo(dtype)
    low, high = OV_EXACT_RANGE.get(dtype, (info.min, info.max)) if narrow else (info.min,
                                                                                  info.max)
    return rng.integers(low, high, size=shape, dtype=dtype, endpoint=True)


def check_all_types(build, shapes: dict[str, tuple], seed: int = 0) -> None:
    """For every data type: the reference runs on values over the type's whole range, and
    OpenVINO equals the reference exactly on values within its exact range."""
    rng = np.random.default_rng(seed)
    for dtype in ALL_TYPES:
        def graph(g, dtype=dtype):
            xs = {name: g.input(name, D(dtype, shape)) for name, shape in shapes.items()}
            return build(g, xs)

        wide = {name: random_data(rng, dtype, shape) for name, shape in shapes.items()}
        ref = run("reference", graph, wide)
        assert all(v.dtype == np.dtype(dtype) for v in ref.values())
        narrow = {name: random_data(rng, dtype, shape, True) for name, shape in shapes.items()}
        assert_backends_agree(graph, narrow)


def build_one(backend, fn, x: np.ndarray):
    """Run ``fn(builder, input)`` on one input named x."""
    dtype = str(x.dtype)
    return run(backend, lambda g: {"y": fn(g, g.input("x", D(dtype, x.shape)))}, {"x": x})["y"]


M23 = np.array([[1, 2, 3], [4, 5, 6]], np.float32)


# -- reshape ---------------------------------------------------------------------------
@pytest.mark.parametrize("backend", OP_BACKENDS)
def test_reshape_examples(backend):
    y = build_one(backend, lambda g, x: g.reshape(x, [3, 2]), M23)
    np.testing.assert_array_equal(y, [[1, 2], [3, 4], [5, 6]])
    y = build_one(backend, lambda g, x: g.reshape(x, []), np.array([7], np.float32))
    assert y.shape == () and y == 7
    y = build_one(backend, lambda g, x: g.reshape(x, [1, 1, 1]), np.array(7, np.int8))
    assert y.shape == (1, 1, 1) and y.dtype == np.int8


def test_reshape_all_types():
    check_all_types(lambda g, xs: {"y": g.reshape(xs["x"], [4, 1, 6])}, {"x": (2, 3, 4)})


def test_reshape_validation():
    g = webnn.MLGraphBuilder(context("reference"))
    x = g.input("x", D("float32", [2, 3]))
    with pytest.raises(TypeError, match="reshape: newShape .* has 8 elements"):
        g.reshape(x, [2, 4])
    with pytest.raises(TypeError, match="reshape: newShape .* invalid dimension 0"):
        g.reshape(x, [0, 6])
    with pytest.raises(TypeError, match="reshape: newShape"):
        g.reshape(x, [-1, 6])


# -- transpose -------------------------------------------------------------------------
@pytest.mark.parametrize("backend", OP_BACKENDS)
def test_transpose_examples(backend):
    y = build_one(backend, lambda g, x: g.transpose(x), M23)
    np.testing.assert_array_equal(y, [[1, 4], [2, 5], [3, 6]])
    x = np.arange(24, dtype=np.float32).reshape(2, 3, 4)
    y = build_one(backend, lambda g, x: g.transpose(x, permutation=[1, 2, 0]), x)
    assert y.shape == (3, 4, 2)
    assert y[2, 1, 1] == x[1, 2, 1] == 21
    y = build_one(backend, lambda g, x: g.transpose(x), np.array(5, np.uint8))
    assert y.shape == () and y == 5


def test_transpose_all_types():
    check_all_types(lambda g, xs: {"y": g.transpose(xs["x"], permutation=[2, 0, 3, 1])},
                    {"x": (2, 3, 4, 5)})


def test_transpose_validation():
    g = webnn.MLGraphBuilder(context("reference"))
    x = g.input("x", D("float32", [2, 3, 4]))
    with pytest.raises(TypeError, match="transpose: permutation .* must have 3 values"):
        g.transpose(x, permutation=[0, 1])
    with pytest.raises(TypeError, match="transpose: permutation .* in \\[0, 2\\]"):
        g.transpose(x, permutation=[0, 1, 3])
    with pytest.raises(TypeError, match="transpose: permutation .* duplicates"):
        g.transpose(x, permutation=[0, 1, 1])


# -- expand ----------------------------------------------------------------------------
@pytest.mark.parametrize("backend", OP_BACKENDS)
def test_expand_examples(backend):
    y = build_one(backend, lambda g, x: g.expand(x, [2, 3]), np.array([[1], [2]], np.int32))
    np.testing.assert_array_equal(y, [[1, 1, 1], [2, 2, 2]])
    y = build_one(backend, lambda g, x: g.expand(x, [2, 1, 2]), np.array(4, np.float32))
    np.testing.assert_array_equal(y, np.full((2, 1, 2), 4, np.float32))
    y = build_one(backend, lambda g, x: g.expand(x, []), np.array(4, np.float32))
    assert y.shape == () and y == 4


def test_expand_all_types():
    check_all_types(lambda g, xs: {"y": g.expand(xs["x"], [2, 3, 4, 5])}, {"x": (3, 1, 5)})


def test_expand_validation():
    g = webnn.MLGraphBuilder(context("reference"))
    x = g.input("x", D("float32", [2, 3]))
    with pytest.raises(TypeError, match="expand: .* not unidirectionally broadcastable"):
        g.expand(x, [3, 3])
    with pytest.raises(TypeError, match="expand: .* not unidirectionally broadcastable"):
        g.expand(x, [3])
    with pytest.raises(TypeError, match="expand: .*invalid dimension"):
        g.expand(g.input("s", D("float32", [1])), [0])


# -- tile ------------------------------------------------------------------------------
@pytest.mark.parametrize("backend", OP_BACKENDS)
def test_tile_examples(backend):
    y = build_one(backend, lambda g, x: g.tile(x, [2, 2]), np.array([[1, 2]], np.int8))
    np.testing.assert_array_equal(y, [[1, 2, 1, 2], [1, 2, 1, 2]])
    y = build_one(backend, lambda g, x: g.tile(x, []), np.array(3, np.float32))
    assert y.shape == () and y == 3


def test_tile_all_types():
    check_all_types(lambda g, xs: {"y": g.tile(xs["x"], [3, 1, 2])}, {"x": (2, 3, 4)})


def test_tile_validation():
    g = webnn.MLGraphBuilder(context("reference"))
    x = g.input("x", D("float32", [2, 3]))
    with pytest.raises(TypeError, match="tile: repetitions .* must have 2 values"):
        g.tile(x, [2])
    with pytest.raises(TypeError, match="tile: repetitions .* must not contain 0"):
        g.tile(x, [2, 0])


# -- concat ----------------------------------------------------------------------------
@pytest.mark.parametrize("backend", OP_BACKENDS)
def test_concat_examples(backend):
    a = np.array([[1, 2]], np.float32)
    b = np.array([[3, 4], [5, 6]], np.float32)

    def graph(g):
        x = g.input("a", D("float32", [1, 2]))
        y = g.input("b", D("float32", [2, 2]))
        return {"rows": g.concat([x, y], 0), "cols": g.concat([y, y], 1),
                "one": g.concat([x], 1)}

    out = run(backend, graph, {"a": a, "b": b})
    np.testing.assert_array_equal(out["rows"], [[1, 2], [3, 4], [5, 6]])
    np.testing.assert_array_equal(out["cols"], [[3, 4, 3, 4], [5, 6, 5, 6]])
    np.testing.assert_array_equal(out["one"], a)


def test_concat_all_types():
    shapes = {"a": (2, 1, 3), "b": (2, 4, 3), "c": (2, 2, 3)}
    check_all_types(lambda g, xs: {"y": g.concat([xs["a"], xs["b"], xs["c"]], 1)}, shapes)


def test_concat_validation():
    g = webnn.MLGraphBuilder(context("reference"))
    a = g.input("a", D("float32", [2, 3]))
    with pytest.raises(TypeError, match="concat: the number of inputs"):
        g.concat([], 0)
    with pytest.raises(TypeError, match="concat: axis 2 must be less than"):
        g.concat([a, a], 2)
    with pytest.raises(TypeError, match="concat: inputs\\[1\\] data type int32 must match"):
        g.concat([a, g.input("b", D("int32", [2, 3]))], 0)
    with pytest.raises(TypeError, match="concat: inputs\\[1\\] rank 1 must equal"):
        g.concat([a, g.input("c", D("float32", [3]))], 0)
    with pytest.raises(TypeError, match="concat: inputs\\[1\\] shape .* except along axis 0"):
        g.concat([a, g.input("d", D("float32", [2, 4]))], 0)
    with pytest.raises(TypeError, match="concat: axis 0 must be less than the inputs. rank 0"):
        g.concat([g.input("s", D("float32", []))], 0)


# -- split -----------------------------------------------------------------------------
@pytest.mark.parametrize("backend", OP_BACKENDS)
def test_split_examples(backend):
    x = np.arange(12, dtype=np.float32).reshape(2, 6)

    def graph(g):
        i = g.input("x", D("float32", [2, 6]))
        even = g.split(i, 3, axis=1)
        sized = g.split(i, [1, 5], axis=1)
        rows = g.split(i, 2)
        whole = g.split(i, 1)
        return {"e0": even[0], "e2": even[2], "s0": sized[0], "s1": sized[1],
                "r1": rows[1], "w": whole[0]}

    out = run(backend, graph, {"x": x})
    np.testing.assert_array_equal(out["e0"], [[0, 1], [6, 7]])
    np.testing.assert_array_equal(out["e2"], [[4, 5], [10, 11]])
    np.testing.assert_array_equal(out["s0"], [[0], [6]])
    np.testing.assert_array_equal(out["s1"], [[1, 2, 3, 4, 5], [7, 8, 9, 10, 11]])
    np.testing.assert_array_equal(out["r1"], [[6, 7, 8, 9, 10, 11]])
    np.testing.assert_array_equal(out["w"], x)


def test_split_all_types():
    def build(g, xs):
        parts = g.split(xs["x"], [2, 1, 3], axis=2)
        return {f"y{i}": p for i, p in enumerate(parts)}

    check_all_types(build, {"x": (2, 3, 6)})


def test_split_validation():
    g = webnn.MLGraphBuilder(context("reference"))
    x = g.input("x", D("float32", [2, 6]))
    with pytest.raises(TypeError, match="split: axis 2 must be less than"):
        g.split(x, 2, axis=2)
    with pytest.raises(TypeError, match="split: splits 4 must evenly divide"):
        g.split(x, 4, axis=1)
    with pytest.raises(TypeError, match="split: splits 0 must be in"):
        g.split(x, 0, axis=1)
    with pytest.raises(TypeError, match="split: splits .* must sum to"):
        g.split(x, [2, 3], axis=1)
    with pytest.raises(TypeError, match="split: splits .* must not contain 0"):
        g.split(x, [6, 0], axis=1)
    with pytest.raises(TypeError, match="split: the number of splits"):
        g.split(x, [], axis=1)


# -- slice -----------------------------------------------------------------------------
@pytest.mark.parametrize("backend", OP_BACKENDS)
def test_slice_examples(backend):
    x = np.arange(20, dtype=np.float32).reshape(4, 5)
    y = build_one(backend, lambda g, i: g.slice(i, [1, 1], [2, 3]), x)
    np.testing.assert_array_equal(y, [[6, 7, 8], [11, 12, 13]])
    # size 5 with stride 2 -> ceil(5 / 2) = 3 elements: 0, 2, 4
    y = build_one(backend, lambda g, i: g.slice(i, [0, 0], [4, 5], strides=[3, 2]), x)
    np.testing.assert_array_equal(y, [[0, 2, 4], [15, 17, 19]])
    y = build_one(backend, lambda g, i: g.slice(i, [3, 4], [1, 1]), x)
    np.testing.assert_array_equal(y, [[19]])
    y = build_one(backend, lambda g, i: g.slice(i, [], []), np.array(2, np.float32))
    assert y.shape == () and y == 2


def test_slice_all_types():
    check_all_types(lambda g, xs: {"y": g.slice(xs["x"], [1, 0, 2], [3, 3, 5],
                                                strides=[2, 1, 3])}, {"x": (5, 3, 7)})


def test_slice_validation():
    g = webnn.MLGraphBuilder(context("reference"))
    x = g.input("x", D("float32", [4, 5]))
    with pytest.raises(TypeError, match="slice: sizes .* must not contain 0"):
        g.slice(x, [0, 0], [0, 5])
    with pytest.raises(TypeError, match="slice: starts .* must both have 2 values"):
        g.slice(x, [0], [4, 5])
    with pytest.raises(TypeError, match="slice: strides .* must have 2 values"):
        g.slice(x, [0, 0], [4, 5], strides=[1])
    with pytest.raises(TypeError, match="slice: strides .* greater than 0"):
        g.slice(x, [0, 0], [4, 5], strides=[1, 0])
    with pytest.raises(TypeError, match="slice: starts\\[1\\] \\+ sizes\\[1\\] .* exceed"):
        g.slice(x, [0, 3], [4, 3])


# -- pad -------------------------------------------------------------------------------
@pytest.mark.parametrize("backend", OP_BACKENDS)
def test_pad_spec_examples(backend):
    """The spec's example for the three modes (§api-mlgraphbuilder-pad)."""
    def graph(g):
        x = g.input("x", D("float32", [2, 3]))
        return {"constant": g.pad(x, [1, 2], [1, 2]),
                "edge": g.pad(x, [1, 2], [1, 2], mode="edge"),
                "reflection": g.pad(x, [1, 2], [1, 2], mode="reflection"),
                "value": g.pad(x, [0, 1], [1, 0], value=-2.5)}

    out = run(backend, graph, {"x": M23})
    np.testing.assert_array_equal(out["constant"], [[0, 0, 0, 0, 0, 0, 0],
                                                    [0, 0, 1, 2, 3, 0, 0],
                                                    [0, 0, 4, 5, 6, 0, 0],
                                                    [0, 0, 0, 0, 0, 0, 0]])
    np.testing.assert_array_equal(out["edge"], [[1, 1, 1, 2, 3, 3, 3],
                                                [1, 1, 1, 2, 3, 3, 3],
                                                [4, 4, 4, 5, 6, 6, 6],
                                                [4, 4, 4, 5, 6, 6, 6]])
    np.testing.assert_array_equal(out["reflection"], [[6, 5, 4, 5, 6, 5, 4],
                                                      [3, 2, 1, 2, 3, 2, 1],
                                                      [6, 5, 4, 5, 6, 5, 4],
                                                      [3, 2, 1, 2, 3, 2, 1]])
    np.testing.assert_array_equal(out["value"], [[-2.5, 1, 2, 3], [-2.5, 4, 5, 6],
                                                 [-2.5, -2.5, -2.5, -2.5]])


@pytest.mark.parametrize("mode", ["constant", "edge", "reflection"])
def test_pad_all_types(mode):
    check_all_types(lambda g, xs: {"y": g.pad(xs["x"], [0, 2, 1], [1, 0, 3], mode=mode,
                                              value=7)}, {"x": (2, 3, 4)})


@pytest.mark.parametrize("backend", OP_BACKENDS)
@pytest.mark.parametrize("dtype, value, expected", [
    ("int8", 1000, 127),                # clamped to the type's range
    ("int8", -1000.0, -128),
    ("uint8", -1, 0),
    ("int32", 2.5, 2),                  # rounded half to even
    ("int32", 3.5, 4),
    ("int32", float("nan"), 0),
    ("int32", 16777217, 16777217),      # not representable in float32
    ("int32", -2**31, -2**31),
    ("uint32", 4294967290, 4294967290),
    ("uint32", 2**40, 2**32 - 1),
    ("float16", 70000, np.inf),         # beyond float16: infinity
    ("float16", 1 / 3, np.float16(1 / 3)),
    ("float32", -np.inf, -np.inf),
])
def test_pad_value_cast(backend, dtype, value, expected):
    """The MLNumber ``value`` is cast to the input's data type (spec §algorithms-casting)."""
    x = np.ones((2,), dtype)
    y = build_one(backend, lambda g, i: g.pad(i, [1], [2], value=value), x)
    np.testing.assert_array_equal(y, np.array([expected, 1, 1, expected, expected], dtype))


def test_pad_value_cast_64_bit_reference():
    x = np.ones((1,), np.uint64)
    y = build_one("reference", lambda g, i: g.pad(i, [1], [0], value=2**64 + 5), x)
    np.testing.assert_array_equal(y, np.array([2**64 - 1, 1], np.uint64))
    x = np.ones((1,), np.int64)
    y = build_one("reference", lambda g, i: g.pad(i, [0], [1], value=-(2**63) + 1), x)
    np.testing.assert_array_equal(y, np.array([1, -(2**63) + 1], np.int64))


@pytest.mark.parametrize("backend", OP_BACKENDS)
def test_pad_scalar_and_no_padding(backend):
    y = build_one(backend, lambda g, i: g.pad(i, [], []), np.array(3, np.float32))
    assert y.shape == () and y == 3
    y = build_one(backend, lambda g, i: g.pad(i, [0, 0], [0, 0], mode="reflection"), M23)
    np.testing.assert_array_equal(y, M23)


def test_pad_validation():
    g = webnn.MLGraphBuilder(context("reference"))
    x = g.input("x", D("float32", [2, 3]))
    with pytest.raises(TypeError, match="pad: beginningPadding .* must both have 2 values"):
        g.pad(x, [1], [1, 1])
    with pytest.raises(TypeError, match="pad: reflection padding .* less than the input size 2"):
        g.pad(x, [2, 0], [0, 0], mode="reflection")
    with pytest.raises(TypeError, match="pad: reflection padding .* less than the input size 3"):
        g.pad(x, [0, 0], [0, 3], mode="reflection")
    with pytest.raises(TypeError, match="pad: mode: 'symmetric' is not one of"):
        g.pad(x, [0, 0], [0, 0], mode="symmetric")
    with pytest.raises(TypeError, match="pad: value .* is not a number"):
        g.pad(x, [0, 0], [0, 0], value="1")


# -- reverse ---------------------------------------------------------------------------
@pytest.mark.parametrize("backend", OP_BACKENDS)
def test_reverse_examples(backend):
    y = build_one(backend, lambda g, x: g.reverse(x), M23)
    np.testing.assert_array_equal(y, [[6, 5, 4], [3, 2, 1]])
    y = build_one(backend, lambda g, x: g.reverse(x, axes=[1]), M23)
    np.testing.assert_array_equal(y, [[3, 2, 1], [6, 5, 4]])
    y = build_one(backend, lambda g, x: g.reverse(x, axes=[]), M23)
    np.testing.assert_array_equal(y, M23)
    y = build_one(backend, lambda g, x: g.reverse(x), np.array(9, np.int32))
    assert y.shape == () and y == 9


def test_reverse_all_types():
    check_all_types(lambda g, xs: {"y": g.reverse(xs["x"], axes=[3, 0, 2])},
                    {"x": (2, 3, 1, 5)})


def test_reverse_validation():
    g = webnn.MLGraphBuilder(context("reference"))
    x = g.input("x", D("float32", [2, 3]))
    with pytest.raises(TypeError, match="reverse: axes .* in \\[0, 1\\]"):
        g.reverse(x, axes=[2])
    with pytest.raises(TypeError, match="reverse: axes .* duplicates"):
        g.reverse(x, axes=[1, 1])


# -- triangular ------------------------------------------------------------------------
T33 = np.array([[7, 1, 2], [9, 4, 8], [2, 6, 3]], np.float32)


@pytest.mark.parametrize("backend", OP_BACKENDS)
@pytest.mark.parametrize("upper, diagonal, expected", [
    (True, 0, [[7, 1, 2], [0, 4, 8], [0, 0, 3]]),
    (True, 1, [[0, 1, 2], [0, 0, 8], [0, 0, 0]]),
    (True, -1, [[7, 1, 2], [9, 4, 8], [0, 6, 3]]),
    (False, 0, [[7, 0, 0], [9, 4, 0], [2, 6, 3]]),
    (False, 1, [[7, 1, 0], [9, 4, 8], [2, 6, 3]]),
    (False, -1, [[0, 0, 0], [9, 0, 0], [2, 6, 0]]),
    (True, 5, np.zeros((3, 3))),
    (False, -3, np.zeros((3, 3))),
    (True, -2, T33),
])
def test_triangular_spec_examples(backend, upper, diagonal, expected):
    """The spec's examples (§api-mlgraphbuilder-triangular) and extreme diagonals."""
    y = build_one(backend, lambda g, x: g.triangular(x, upper=upper, diagonal=diagonal), T33)
    np.testing.assert_array_equal(y, expected)


@pytest.mark.parametrize("backend", OP_BACKENDS)
def test_triangular_batches_and_non_square(backend):
    x = np.stack([T33, np.arange(1, 10, dtype=np.float32).reshape(3, 3)])
    y = build_one(backend, lambda g, i: g.triangular(i, upper=False), x)
    np.testing.assert_array_equal(y, [[[7, 0, 0], [9, 4, 0], [2, 6, 3]],
                                      [[1, 0, 0], [4, 5, 0], [7, 8, 9]]])
    y = build_one(backend, lambda g, i: g.triangular(i, diagonal=1), M23)
    np.testing.assert_array_equal(y, [[0, 2, 3], [0, 0, 6]])


def test_triangular_all_types():
    check_all_types(lambda g, xs: {"y": g.triangular(xs["x"], upper=False, diagonal=-1)},
                    {"x": (2, 4, 5)})


def test_triangular_validation():
    g = webnn.MLGraphBuilder(context("reference"))
    with pytest.raises(TypeError, match="triangular: input must be of rank 2 to N"):
        g.triangular(g.input("x", D("float32", [3])))
    x = g.input("y", D("float32", [3, 3]))
    with pytest.raises(TypeError, match="triangular: upper"):
        g.triangular(x, upper=1)
    with pytest.raises(TypeError, match="triangular: diagonal"):
        g.triangular(x, diagonal=2**31)


# -- composition and common checks ------------------------------------------------------
def test_chain_of_data_movement_agrees():
    rng = np.random.default_rng(7)
    x = rng.normal(size=(2, 3, 4)).astype(np.float16)

    def graph(g):
        i = g.input("x", D("float16", [2, 3, 4]))
        t = g.transpose(g.reshape(i, [6, 4]), permutation=[1, 0])
        p = g.pad(g.slice(t, [1, 0], [3, 6], strides=[2, 1]), [1, 1], [0, 2], mode="edge")
        r = g.reverse(g.tile(p, [1, 2]), axes=[1])
        a, b = g.split(r, 2, axis=1)
        return {"y": g.triangular(g.concat([b, a, g.expand(a, [3, 9])], 0), diagonal=1)}

    assert_backends_agree(graph, {"x": x})


@pytest.mark.parametrize("dtype", ["int64", "uint64"])
def test_64_bit_values_exact_on_reference(dtype):
    """The reference moves 64-bit integers exactly over their whole range."""
    info = np.iinfo(dtype)
    x = np.array([[info.max, info.min], [info.max - 1, 2**53 + 1]], dtype)
    y = build_one("reference", lambda g, i: g.pad(g.transpose(i), [0, 1], [0, 0],
                                                  value=int(info.max) - 2), x)
    np.testing.assert_array_equal(y, np.array([[info.max - 2, info.max, info.max - 1],
                                               [info.max - 2, info.min, 2**53 + 1]], dtype))


def test_openvino_keeps_64_bit_pad_values_exact():
    """OpenVINO computes int64 in 32 bits: a pad value outside int32 makes the graph run on
    the reference (exact); within int32 it is exact on OpenVINO (even beyond float32)."""
    x = np.array([1, 2], np.int64)
    y = build_one("openvino", lambda g, i: g.pad(i, [1], [0], value=2**40), x)
    np.testing.assert_array_equal(y, [2**40, 1, 2])
    y = build_one("openvino", lambda g, i: g.pad(i, [1], [0], value=-(2**31) + 1), x)
    np.testing.assert_array_equal(y, [-(2**31) + 1, 1, 2])
    y = build_one("openvino", lambda g, i: g.pad(i, [0], [1], value=16777217),
                  x.astype(np.uint64))
    np.testing.assert_array_equal(y, np.array([1, 2, 16777217], np.uint64))


def test_operands_from_another_builder():
    g = webnn.MLGraphBuilder(context("reference"))
    other = webnn.MLGraphBuilder(context("reference")).input("x", D("float32", [2]))
    with pytest.raises(TypeError, match="reshape: input was created by another"):
        g.reshape(other, [2])
    with pytest.raises(TypeError, match="concat: inputs\\[0\\] was created by another"):
        g.concat([other], 0)


def test_reshape_matmul_result_to_scalar():
    """Regression: OpenVINO 2026.4's CPU plugin segfaulted compiling MatMul -> Reshape([])."""
    a = np.arange(4, dtype=np.float32).reshape(1, 4)
    w = np.ones((4, 1), np.float32)

    def build(g):
        x = g.input("x", webnn.MLOperandDescriptor("float32", [1, 4]))
        return {"y": g.reshape(g.matmul(x, g.constant(w)), [])}

    out = assert_backends_agree(build, {"x": a})
    assert out["y"].shape == () and out["y"] == 6
