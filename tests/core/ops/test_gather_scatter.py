"""gather, gatherElements, gatherND, scatterElements, scatterND and where: the spec's
examples, index clamping (negative and out-of-bounds indices), OpenVINO vs reference
(exact), validation."""

from __future__ import annotations

import numpy as np
import pytest

import webnn_core as webnn
from tests.core.ops.test_shape import ALL_TYPES, random_data
from tests.helpers import OP_BACKENDS, assert_backends_agree, context, run

D = webnn.MLOperandDescriptor
INDEX_TYPES = ("int32", "uint32", "int64")

#: the spec examples' [4, 3] input
G43 = np.array([[0, 1, 2], [10, 11, 12], [20, 21, 22], [30, 31, 32]], np.float32)
G422 = np.array([0, 1, 10, 11, 100, 101, 110, 111, 200, 201, 210, 211, 300, 301, 310, 311],
                np.float32).reshape(4, 2, 2)
G222 = np.arange(8, dtype=np.float32).reshape(2, 2, 2)


def with_indices(backend, op, x, indices, *extra, **options):
    """Run ``op(input, indices, *extra, **options)`` with indices (and extra operands)
    as constants."""
    def graph(g):
        i = g.input("x", D(str(x.dtype), x.shape))
        idx = g.constant(indices)
        more = [g.constant(e) for e in extra]
        return {"y": getattr(g, op)(i, idx, *more, **options)}

    return run(backend, graph, {"x": x})["y"]


# -- gather ----------------------------------------------------------------------------
@pytest.mark.parametrize("backend", OP_BACKENDS)
def test_gather_spec_examples(backend):
    y = with_indices(backend, "gather", G43, np.array([3, 1], np.uint32))
    np.testing.assert_array_equal(y, [[30, 31, 32], [10, 11, 12]])
    y = with_indices(backend, "gather", G43, np.array([2, 1, 1], np.uint32), axis=1)
    np.testing.assert_array_equal(y, [[2, 1, 1], [12, 11, 11], [22, 21, 21], [32, 31, 31]])
    y = with_indices(backend, "gather", G43, np.array([[0, 1], [1, 2]], np.uint32), axis=1)
    np.testing.assert_array_equal(y, [[[0, 1], [1, 2]], [[10, 11], [11, 12]],
                                      [[20, 21], [21, 22]], [[30, 31], [31, 32]]])
    y = with_indices(backend, "gather", np.array([5, 6, 7], np.float32), np.array(2, np.int64))
    assert y.shape == () and y == 7


@pytest.mark.parametrize("backend", OP_BACKENDS)
@pytest.mark.parametrize("index_type", INDEX_TYPES)
def test_gather_clamps_indices(backend, index_type):
    """Negative indices count from the end; out-of-bounds ones clamp to [-N, N - 1]."""
    if index_type == "uint32":
        idx, expected = [0, 3, 4, 1000, 2**31 - 1], [0, 3, 3, 3, 3]
    else:
        idx, expected = [-1, -4, -5, 4, 1000, -1000], [3, 0, 0, 3, 3, 0]
    y = with_indices(backend, "gather", G43, np.array(idx, index_type), axis=0)
    np.testing.assert_array_equal(y, G43[expected])


@pytest.mark.parametrize("dtype", ALL_TYPES)
@pytest.mark.parametrize("index_type", INDEX_TYPES)
def test_gather_all_types(dtype, index_type):
    rng = np.random.default_rng(1)
    low = 0 if index_type == "uint32" else -6
    indices = rng.integers(low, 6, size=(2, 3)).astype(index_type)
    for axis in range(3):
        agree(dtype, lambda g, i, axis=axis: g.gather(i, g.constant(indices), axis=axis),
              (3, 4, 5), rng)


def agree(dtype, fn, shape, rng, updates_shape=None):
    """The reference runs on values over the type's whole range; OpenVINO equals the
    reference exactly on values within the range it computes exactly. ``fn(builder,
    input)``, or ``fn(builder, input, updates)`` with ``updates_shape`` (a graph input)."""
    shapes = {"x": shape} if updates_shape is None else {"x": shape, "u": updates_shape}

    def graph(g):
        operands = [g.input(name, D(dtype, s)) for name, s in shapes.items()]
        return {"y": fn(g, *operands)}

    wide = {name: random_data(rng, dtype, s) for name, s in shapes.items()}
    assert run("reference", graph, wide)["y"].dtype == np.dtype(dtype)
    assert_backends_agree(graph, {name: random_data(rng, dtype, s, True)
                                  for name, s in shapes.items()})


def test_gather_validation():
    g = webnn.MLGraphBuilder(context("reference"))
    x = g.input("x", D("float32", [4, 3]))
    idx = g.input("i", D("int32", [2]))
    with pytest.raises(TypeError, match="gather: indices data type float32 is not allowed"):
        g.gather(x, x)
    with pytest.raises(TypeError, match="gather: indices data type uint64 is not allowed"):
        g.gather(x, g.input("u", D("uint64", [2])))
    with pytest.raises(TypeError, match="gather: axis 2 must be less than the input rank 2"):
        g.gather(x, idx, axis=2)
    with pytest.raises(TypeError, match="gather: input must be of rank 1"):
        g.gather(g.input("s", D("float32", [])), idx)


# -- gatherElements --------------------------------------------------------------------
@pytest.mark.parametrize("backend", OP_BACKENDS)
def test_gather_elements_spec_examples(backend):
    y = with_indices(backend, "gather_elements", G43,
                     np.array([[3, 1, 1], [2, 0, 3]], np.uint32))
    np.testing.assert_array_equal(y, [[30, 11, 12], [20, 1, 32]])
    y = with_indices(backend, "gather_elements", G43,
                     np.array([[2], [1], [0], [2]], np.uint32), axis=1)
    np.testing.assert_array_equal(y, [[2], [11], [20], [32]])
    y = with_indices(backend, "gather_elements", G422,
                     np.array([[[0, 2], [1, 3]]], np.uint32), axis=0)
    np.testing.assert_array_equal(y, [[[0, 201], [110, 311]]])


@pytest.mark.parametrize("backend", OP_BACKENDS)
@pytest.mark.parametrize("index_type", ("int32", "int64"))
def test_gather_elements_clamps_indices(backend, index_type):
    idx = np.array([[-1, 7], [-9, -3], [2, 100], [0, -2]], index_type)
    y = with_indices(backend, "gather_elements", G43, idx, axis=1)
    # -1 -> 2, 7 -> 2 | -9 -> -3 -> 0, -3 -> 0 | 2, 100 -> 2 | 0, -2 -> 1
    np.testing.assert_array_equal(y, [[2, 2], [10, 10], [22, 22], [30, 31]])


@pytest.mark.parametrize("dtype", ALL_TYPES)
def test_gather_elements_all_types(dtype):
    rng = np.random.default_rng(2)
    for axis, index_type in ((0, "int32"), (1, "uint32"), (2, "int64")):
        shape = [3, 4, 5]
        shape[axis] = 6
        low = 0 if index_type == "uint32" else -7
        indices = rng.integers(low, 7, size=shape).astype(index_type)
        agree(dtype, lambda g, i, axis=axis, indices=indices: g.gather_elements(
            i, g.constant(indices), axis=axis), (3, 4, 5), rng)


def test_gather_elements_validation():
    g = webnn.MLGraphBuilder(context("reference"))
    x = g.input("x", D("float32", [4, 3]))
    with pytest.raises(TypeError, match="gather_elements: indices rank 1 must equal"):
        g.gather_elements(x, g.input("a", D("int32", [4])))
    with pytest.raises(TypeError, match="gather_elements: indices shape .* except along axis 0"):
        g.gather_elements(x, g.input("b", D("int32", [2, 2])))
    with pytest.raises(TypeError, match="gather_elements: axis 2 must be less than"):
        g.gather_elements(x, g.input("c", D("int32", [4, 3])), axis=2)
    with pytest.raises(TypeError, match="gather_elements: indices data type int8"):
        g.gather_elements(x, g.input("d", D("int8", [4, 3])))


# -- gatherND --------------------------------------------------------------------------
@pytest.mark.parametrize("backend", OP_BACKENDS)
def test_gather_nd_spec_examples(backend):
    x22 = np.array([[0, 1], [2, 3]], np.float32)
    y = with_indices(backend, "gather_nd", x22, np.array([[0, 0], [1, 1], [1, 0]], np.uint32))
    np.testing.assert_array_equal(y, [0, 3, 2])
    y = with_indices(backend, "gather_nd", x22, np.array([[1], [0]], np.uint32))
    np.testing.assert_array_equal(y, [[2, 3], [0, 1]])
    y = with_indices(backend, "gather_nd", G222, np.array([[0, 1], [1, 0]], np.uint32))
    np.testing.assert_array_equal(y, [[2, 3], [4, 5]])
    y = with_indices(backend, "gather_nd", G222, np.array([[1], [0], [1]], np.uint32))
    np.testing.assert_array_equal(y, [[[4, 5], [6, 7]], [[0, 1], [2, 3]], [[4, 5], [6, 7]]])
    idx = np.array([[0, 0, 1], [0, 1, 0], [1, 0, 0], [1, 1, 0], [1, 1, 1]], np.uint32)
    y = with_indices(backend, "gather_nd", G222, idx)
    np.testing.assert_array_equal(y, [1, 2, 4, 6, 7])
    y = with_indices(backend, "gather_nd", x22, np.array([1, 0], np.int32))
    assert y.shape == () and y == 2


@pytest.mark.parametrize("backend", OP_BACKENDS)
@pytest.mark.parametrize("index_type", ("int32", "int64"))
def test_gather_nd_clamps_indices(backend, index_type):
    """Each coordinate clamps to its own dimension: G43 is [4, 3]."""
    idx = np.array([[-1, -1], [9, 9], [-9, -9], [1, -2], [3, 5]], index_type)
    y = with_indices(backend, "gather_nd", G43, idx)
    np.testing.assert_array_equal(y, [32, 32, 0, 11, 32])


@pytest.mark.parametrize("dtype", ALL_TYPES)
def test_gather_nd_all_types(dtype):
    rng = np.random.default_rng(3)
    for k, index_type in ((1, "int32"), (2, "uint32"), (3, "int64")):
        low = 0 if index_type == "uint32" else -6
        indices = rng.integers(low, 6, size=(2, 2, k)).astype(index_type)
        agree(dtype, lambda g, i, indices=indices: g.gather_nd(i, g.constant(indices)),
              (3, 4, 5), rng)


def test_gather_nd_validation():
    g = webnn.MLGraphBuilder(context("reference"))
    x = g.input("x", D("float32", [4, 3]))
    with pytest.raises(TypeError, match="gather_nd: indices' last dimension \\(3\\) must not"):
        g.gather_nd(x, g.input("a", D("int32", [2, 3])))
    with pytest.raises(TypeError, match="gather_nd: indices must be of rank 1"):
        g.gather_nd(x, g.input("b", D("int32", [])))
    with pytest.raises(TypeError, match="gather_nd: indices data type float16"):
        g.gather_nd(x, g.input("c", D("float16", [2, 1])))


# -- scatterElements -------------------------------------------------------------------
@pytest.mark.parametrize("backend", OP_BACKENDS)
def test_scatter_elements_spec_examples(backend):
    updates = np.array([[-1, -2, -3], [-4, -5, -6]], np.float32)
    y = with_indices(backend, "scatter_elements", G43,
                     np.array([[3, 1, 1], [2, 0, 3]], np.uint32), updates)
    np.testing.assert_array_equal(y, [[0, -5, 2], [10, -2, -3], [-4, 21, 22], [-1, 31, -6]])
    y = with_indices(backend, "scatter_elements", G43,
                     np.array([[2], [1], [0], [2]], np.uint32),
                     np.array([[-1], [-2], [-3], [-4]], np.float32), axis=1)
    np.testing.assert_array_equal(y, [[0, 1, -1], [10, -2, 12], [-3, 21, 22], [30, 31, -4]])
    y = with_indices(backend, "scatter_elements", G422,
                     np.array([[[0, 2], [1, 3]]], np.uint32),
                     np.array([[[-1, -2], [-3, -4]]], np.float32), axis=0)
    np.testing.assert_array_equal(y, [[[-1, 1], [10, 11]], [[100, 101], [-3, 111]],
                                      [[200, -2], [210, 211]], [[300, 301], [310, -4]]])


@pytest.mark.parametrize("backend", OP_BACKENDS)
@pytest.mark.parametrize("index_type", ("int32", "int64"))
def test_scatter_elements_clamps_indices(backend, index_type):
    # along axis 1 of [4, 3]: -1 -> 2, 50 -> 2 would collide, so one each per row
    idx = np.array([[-1], [50], [-50], [-2]], index_type)
    y = with_indices(backend, "scatter_elements", G43, idx,
                     np.array([[-1], [-2], [-3], [-4]], np.float32), axis=1)
    np.testing.assert_array_equal(y, [[0, 1, -1], [10, 11, -2], [-3, 21, 22], [30, -4, 32]])


def unique_indices(rng, count: int, size: int, index_type: str) -> np.ndarray:
    """``count`` distinct positions in [0, size), some written as negative indices."""
    idx = rng.permutation(size)[:count].astype(np.int64)
    if index_type != "uint32":
        idx = np.where(rng.random(count) < 0.5, idx - size, idx)
    return idx.astype(index_type)


@pytest.mark.parametrize("dtype", ALL_TYPES)
def test_scatter_elements_all_types(dtype):
    rng = np.random.default_rng(4)
    for axis, index_type in ((0, "int64"), (1, "int32"), (2, "uint32")):
        shape = [4, 5, 6]
        size = shape[axis]
        shape[axis] = 3
        # distinct indices along the axis for every other position
        idx = np.apply_along_axis(
            lambda _, size=size, kind=index_type: unique_indices(rng, 3, size, kind), axis,
            np.zeros(shape))
        idx = idx.astype(index_type)
        agree(dtype, lambda g, i, u, axis=axis, idx=idx:
              g.scatter_elements(i, g.constant(idx), u, axis=axis), (4, 5, 6), rng, shape)


def test_scatter_elements_validation():
    g = webnn.MLGraphBuilder(context("reference"))
    x = g.input("x", D("float32", [4, 3]))
    idx = g.input("i", D("int32", [2, 3]))
    with pytest.raises(TypeError, match="scatter_elements: updates data type int32 must match"):
        g.scatter_elements(x, idx, g.input("a", D("int32", [2, 3])))
    with pytest.raises(TypeError, match="scatter_elements: updates shape .* must equal indices"):
        g.scatter_elements(x, idx, g.input("b", D("float32", [3, 3])))
    with pytest.raises(TypeError, match="scatter_elements: indices shape .* except along"):
        g.scatter_elements(x, idx, g.input("c", D("float32", [2, 3])), axis=1)
    with pytest.raises(TypeError, match="scatter_elements: indices rank 1 and updates rank 1"):
        g.scatter_elements(x, g.input("d", D("int32", [2])), g.input("e", D("float32", [2])))
    with pytest.raises(TypeError, match="scatter_elements: axis 2 must be less than"):
        g.scatter_elements(x, idx, g.input("f", D("float32", [2, 3])), axis=2)


# -- scatterND -------------------------------------------------------------------------
@pytest.mark.parametrize("backend", OP_BACKENDS)
def test_scatter_nd_spec_examples(backend):
    y = with_indices(backend, "scatter_nd", np.arange(8, dtype=np.float32),
                     np.array([[4], [3], [1], [7]], np.uint32),
                     np.array([-1, -2, -3, -4], np.float32))
    np.testing.assert_array_equal(y, [0, -3, 2, -2, -1, 5, 6, -4])
    y = with_indices(backend, "scatter_nd", np.array([[0, 1], [2, 3]], np.float32),
                     np.array([[0, 0], [1, 1]], np.uint32), np.array([-1, -2], np.float32))
    np.testing.assert_array_equal(y, [[-1, 1], [2, -2]])
    y = with_indices(backend, "scatter_nd", np.arange(6, dtype=np.float32).reshape(3, 2),
                     np.array([[2], [0]], np.uint32),
                     np.array([[-1, -2], [-3, -4]], np.float32))
    np.testing.assert_array_equal(y, [[-3, -4], [2, 3], [-1, -2]])
    y = with_indices(backend, "scatter_nd", G222, np.array([[0, 1], [1, 0]], np.uint32),
                     np.array([[-1, -2], [-3, -4]], np.float32))
    np.testing.assert_array_equal(y, [[[0, 1], [-1, -2]], [[-3, -4], [6, 7]]])


@pytest.mark.parametrize("backend", OP_BACKENDS)
@pytest.mark.parametrize("index_type", ("int32", "int64"))
def test_scatter_nd_clamps_indices(backend, index_type):
    """G43 is [4, 3]: [-1, -1] -> [3, 2]; [-9, 9] -> [0, 2]; [1, -3] -> [1, 0]."""
    idx = np.array([[-1, -1], [-9, 9], [1, -3]], index_type)
    y = with_indices(backend, "scatter_nd", G43, idx, np.array([-1, -2, -3], np.float32))
    np.testing.assert_array_equal(y, [[0, 1, -2], [-3, 11, 12], [20, 21, 22], [30, 31, -1]])


@pytest.mark.parametrize("dtype", ALL_TYPES)
def test_scatter_nd_all_types(dtype):
    rng = np.random.default_rng(5)
    shape = (6, 5, 4)
    for k, index_type in ((1, "int32"), (2, "uint32"), (3, "int64")):
        flat = unique_indices(rng, 6, int(np.prod(shape[:k])), "uint32").astype(np.int64)
        idx = np.stack(np.unravel_index(flat, shape[:k]), axis=-1).reshape(2, 3, k)
        if index_type != "uint32":  # write some coordinates from the end
            idx = np.where(rng.random(idx.shape) < 0.5, idx - np.array(shape[:k]), idx)
        idx = idx.astype(index_type)
        agree(dtype, lambda g, i, u, idx=idx: g.scatter_nd(i, g.constant(idx), u),
              shape, rng, (2, 3) + shape[k:])


def test_scatter_nd_validation():
    g = webnn.MLGraphBuilder(context("reference"))
    x = g.input("x", D("float32", [4, 3]))
    with pytest.raises(TypeError, match="scatter_nd: updates shape \\[3\\] must be \\[2, 3\\]"):
        g.scatter_nd(x, g.input("a", D("int32", [2, 1])), g.input("b", D("float32", [3])))
    with pytest.raises(TypeError, match="scatter_nd: indices' last dimension \\(3\\)"):
        g.scatter_nd(x, g.input("c", D("int32", [2, 3])), g.input("d", D("float32", [2])))
    with pytest.raises(TypeError, match="scatter_nd: updates data type float16 must match"):
        g.scatter_nd(x, g.input("e", D("int32", [2, 2])), g.input("f", D("float16", [2])))


# -- where -----------------------------------------------------------------------------
@pytest.mark.parametrize("backend", OP_BACKENDS)
def test_where_example(backend):
    """Non-zero conditions select trueValue; three-way broadcasting."""
    cond = np.array([[0], [1], [2], [255]], np.uint8)          # [4, 1]
    t = np.array([1, 2, 3], np.float32)                        # [3]
    f = np.array(-1, np.float32)                               # []

    def graph(g):
        return {"y": g.where(g.input("c", D("uint8", [4, 1])), g.input("t", D("float32", [3])),
                             g.input("f", D("float32", [])))}

    y = run(backend, graph, {"c": cond, "t": t, "f": f})["y"]
    np.testing.assert_array_equal(y, [[-1, -1, -1], [1, 2, 3], [1, 2, 3], [1, 2, 3]])


@pytest.mark.parametrize("dtype", ALL_TYPES)
def test_where_all_types(dtype):
    rng = np.random.default_rng(6)

    def inputs(narrow):
        return {"c": rng.integers(0, 3, size=(2, 1, 4), dtype=np.uint8),
                "t": random_data(rng, dtype, (3, 1), narrow),
                "f": random_data(rng, dtype, (1, 1, 3, 4), narrow)}

    def graph(g):
        return {"y": g.where(g.input("c", D("uint8", [2, 1, 4])), g.input("t", D(dtype, [3, 1])),
                             g.input("f", D(dtype, [1, 1, 3, 4])))}

    ref = run("reference", graph, inputs(False))["y"]
    assert ref.shape == (1, 2, 3, 4) and ref.dtype == np.dtype(dtype)
    assert_backends_agree(graph, inputs(True))


def test_where_validation():
    g = webnn.MLGraphBuilder(context("reference"))
    c = g.input("c", D("uint8", [2, 3]))
    t = g.input("t", D("float32", [2, 3]))
    with pytest.raises(TypeError, match="where: condition data type float32 is not allowed"):
        g.where(t, t, t)
    with pytest.raises(TypeError, match="where: falseValue data type int32 must match"):
        g.where(c, t, g.input("i", D("int32", [2, 3])))
    with pytest.raises(TypeError, match="where: .*not bidirectionally broadcastable"):
        g.where(c, t, g.input("f", D("float32", [4, 3])))
    with pytest.raises(TypeError, match="where: .*not bidirectionally broadcastable"):
        g.where(g.input("c2", D("uint8", [4, 1])), t, t)


# -- indices computed at run time (not folded as constants) -------------------------------
@pytest.mark.parametrize("index_type", INDEX_TYPES)
def test_runtime_indices_clamp_on_both_backends(index_type):
    """Indices fed as graph inputs, so OpenVINO clamps at inference, not while folding."""
    if index_type == "uint32":
        flat, pairs = [0, 3, 4, 2**31 - 1], [[0, 2], [7, 9], [2**31 - 1, 1]]
        expected_take, expected_nd = [0, 3, 3, 3], [2, 32, 31]
    else:
        flat, pairs = [-1, 9, -9, 2], [[-1, -1], [9, -9], [-2, 1]]
        expected_take, expected_nd = [3, 3, 0, 2], [32, 30, 21]
    flat = np.array(flat, index_type)
    pairs = np.array(pairs, index_type)
    column = flat.reshape(4, 1)

    def graph(g):
        x = g.input("x", D("float32", [4, 3]))
        i = g.input("i", D(index_type, [4]))
        p = g.input("p", D(index_type, [3, 2]))
        c = g.input("c", D(index_type, [4, 1]))
        return {"take": g.gather(x, i), "nd": g.gather_nd(x, p),
                "elements": g.gather_elements(x, c, axis=1),
                "scatter": g.scatter_elements(x, g.input("r", D(index_type, [1, 3])),
                                              g.input("v", D("float32", [1, 3]))),
                "scatter_nd": g.scatter_nd(x, g.input("q", D(index_type, [1, 2])),
                                           g.input("w", D("float32", [1])))}

    inputs = {"x": G43, "i": flat, "p": pairs, "c": column, "r": flat[1:].reshape(1, 3),
              "v": np.array([[-1, -2, -3]], np.float32), "w": np.array([-7], np.float32),
              "q": pairs[:1]}
    for backend in OP_BACKENDS:
        out = run(backend, graph, inputs)
        np.testing.assert_array_equal(out["take"], G43[expected_take], err_msg=backend)
        np.testing.assert_array_equal(out["nd"], expected_nd, err_msg=backend)
        cols = [min(max(int(v), -3), 2) % 3 for v in flat]
        np.testing.assert_array_equal(out["elements"][:, 0], G43[np.arange(4), cols],
                                      err_msg=backend)
        rows = [min(max(int(v), -4), 3) % 4 for v in flat[1:]]
        expected = G43.copy()
        expected[rows, [0, 1, 2]] = [-1, -2, -3]
        np.testing.assert_array_equal(out["scatter"], expected, err_msg=backend)
        expected = G43.copy()
        expected[tuple(min(max(int(v), -n), n - 1) % n for v, n in zip(pairs[0], (4, 3)))] = -7
        np.testing.assert_array_equal(out["scatter_nd"], expected, err_msg=backend)


@pytest.mark.parametrize("backend", OP_BACKENDS)
def test_indices_beyond_int32_clamp(backend):
    """Indices far outside the tensor and the int32 range clamp. (OpenVINO's CPU plugin
    computes int64 and uint32 in 32 bits; the driver runs such inputs on the reference.)"""
    big = np.array([2**32 + 1, -(2**40), 2**62, -(2**31) - 1, 2**31, -2], np.int64)
    huge_unsigned = np.array([2**32 - 1, 2**31, 1], np.uint32)

    def graph(g):
        x = g.input("x", D("float32", [4, 3]))
        return {"take": g.gather(x, g.input("i", D("int64", [6]))),
                "nd": g.gather_nd(x, g.input("p", D("int64", [3, 2]))),
                "unsigned": g.gather(x, g.input("u", D("uint32", [3])), axis=1)}

    inputs = {"x": G43, "i": big, "p": big.reshape(3, 2), "u": huge_unsigned}
    out = run(backend, graph, inputs)
    np.testing.assert_array_equal(out["take"], G43[[3, 0, 3, 0, 3, 2]])
    # coordinates: (2^32+1 -> 3, -2^40 -> 0), (2^62 -> 3, -2^31-1 -> 0), (2^31 -> 3, -2 -> 1)
    np.testing.assert_array_equal(out["nd"], [30, 30, 31])
    np.testing.assert_array_equal(out["unsigned"], G43[:, [2, 2, 1]])
