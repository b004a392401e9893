"""matmul and gemm: hand-checked values, OpenVINO vs reference, validation."""

from __future__ import annotations

import numpy as np
import pytest

import webnn_core as webnn
from tests.helpers import OP_BACKENDS, assert_backends_agree, context, run

D = webnn.MLOperandDescriptor


def _inp(g: webnn.MLGraphBuilder, name: str, array: np.ndarray) -> webnn.MLOperand:
    return g.input(name, D(str(array.dtype), array.shape))


# -- hand-checked values -----------------------------------------------------------------
@pytest.mark.parametrize("backend", OP_BACKENDS)
@pytest.mark.parametrize("dtype", ["float32", "float16"])
def test_matmul_by_hand(backend, dtype):
    a = np.array([[1, 2], [3, 4]], dtype)
    b = np.array([[5, 6], [7, 8]], dtype)
    out = run(backend, lambda g: {"y": g.matmul(_inp(g, "a", a), _inp(g, "b", b))},
              {"a": a, "b": b})["y"]
    assert out.dtype == np.dtype(dtype)
    np.testing.assert_array_equal(out, [[19, 22], [43, 50]])


@pytest.mark.parametrize("backend", OP_BACKENDS)
def test_matmul_broadcasts_batch_dimensions(backend):
    # a: 2 stacked [1, 2] rows; b: 3 stacked [2, 1] columns -> output [2, 3, 1, 1]
    a = np.array([[[[1, 2]]], [[[3, 4]]]], np.float32)  # [2, 1, 1, 2]
    b = np.array([[[1], [0]], [[0], [1]], [[1], [1]]], np.float32)  # [3, 2, 1]
    out = run(backend, lambda g: {"y": g.matmul(_inp(g, "a", a), _inp(g, "b", b))},
              {"a": a, "b": b})["y"]
    assert out.shape == (2, 3, 1, 1)
    np.testing.assert_array_equal(out.reshape(2, 3), [[1, 2, 3], [3, 4, 7]])


GEMM_HAND = [
    # options, expected for a = [[1, 2], [3, 4]], b = identity, c = [10, 20]
    ({"alpha": 2.0, "beta": 0.5}, [[7, 14], [11, 18]]),
    ({"alpha": 2.0, "beta": 0.5, "a_transpose": True}, [[7, 16], [9, 18]]),
    ({}, [[11, 22], [13, 24]]),
    ({"beta": -1.0, "b_transpose": True}, [[-9, -18], [-7, -16]]),
]


@pytest.mark.parametrize("backend", OP_BACKENDS)
@pytest.mark.parametrize("options,expected", GEMM_HAND)
def test_gemm_by_hand(backend, options, expected):
    a = np.array([[1, 2], [3, 4]], np.float32)
    b = np.eye(2, dtype=np.float32)

    def build(g):
        return {"y": g.gemm(_inp(g, "a", a), g.constant(b),
                            c=g.constant(np.array([10, 20], np.float32)), **options)}

    np.testing.assert_array_equal(run(backend, build, {"a": a})["y"], expected)


@pytest.mark.parametrize("backend", OP_BACKENDS)
def test_gemm_without_c_and_zero_beta(backend):
    a = np.array([[1, 2, 3]], np.float32)  # [1, 3]
    b = np.array([[1], [1], [1]], np.float32)  # [3, 1]

    def build(g):
        x, w = _inp(g, "a", a), g.constant(b)
        return {"plain": g.gemm(x, w, alpha=-1.0),
                # beta 0 still multiplies c: 0 * inf is NaN (spec: alpha*A*B + beta*C)
                "nan": g.gemm(x, w, c=g.constant("float32", np.inf), beta=0.0)}

    out = run(backend, build, {"a": a})
    np.testing.assert_array_equal(out["plain"], [[-6]])
    assert np.isnan(out["nan"]).all()


# -- OpenVINO vs reference -------------------------------------------------------------
MATMUL_SHAPES = [([3, 4], [4, 5]), ([2, 3, 4], [4, 5]), ([3, 4], [2, 4, 5]),
                 ([2, 1, 3, 4], [3, 4, 6]), ([1, 2, 1, 2, 3, 4], [2, 1, 4, 1]),
                 ([5, 1, 7], [5, 7, 1]), ([2, 3, 1, 8, 16], [1, 1, 4, 16, 8])]


@pytest.mark.parametrize("dtype", ["float32", "float16"])
@pytest.mark.parametrize("shape_a,shape_b", MATMUL_SHAPES)
def test_matmul_agrees(dtype, shape_a, shape_b):
    rng = np.random.default_rng(30)
    # positive values: no cancellation, so WPT's K * 2 ULP bound applies
    a = rng.uniform(0.1, 1, shape_a).astype(dtype)
    b = rng.uniform(0.1, 1, shape_b).astype(dtype)
    out = assert_backends_agree(lambda g: {"y": g.matmul(_inp(g, "a", a), _inp(g, "b", b))},
                                {"a": a, "b": b}, ulp=2 * shape_a[-1])
    assert out["y"].shape == np.matmul(a, b).shape


@pytest.mark.parametrize("dtype", ["float32", "float16"])
@pytest.mark.parametrize("a_transpose", [False, True])
@pytest.mark.parametrize("b_transpose", [False, True])
@pytest.mark.parametrize("alpha,beta,c_shape", [(1.0, 1.0, [5]), (1.0, 1.0, None),
                                                (0.5, 2.0, [3, 5]), (1.5, 1.0, [3, 1]),
                                                (1.0, 0.25, []), (2.0, 1.0, [1, 5])])
def test_gemm_agrees(dtype, a_transpose, b_transpose, alpha, beta, c_shape):
    rng = np.random.default_rng(31)
    m, k, n = 3, 8, 5
    a = rng.uniform(0.1, 1, [k, m] if a_transpose else [m, k]).astype(dtype)
    b = rng.uniform(0.1, 1, [n, k] if b_transpose else [k, n]).astype(dtype)
    c = None if c_shape is None else rng.uniform(0.1, 1, c_shape).astype(dtype)

    def build(g):
        extra = {} if c is None else {"c": _inp(g, "c", c)}
        return {"y": g.gemm(_inp(g, "a", a), g.constant(b), alpha=alpha, beta=beta,
                            a_transpose=a_transpose, b_transpose=b_transpose, **extra)}

    inputs = {"a": a} if c is None else {"a": a, "c": c}
    # WPT's gemm bound: K * 2, +1 for alpha != 1, +1 for c and +1 more for beta != 1
    ulp = 2 * k + (alpha != 1) + (c is not None) + (c is not None and beta != 1)
    out = assert_backends_agree(build, inputs, ulp=ulp)
    assert out["y"].shape == (m, n)


# -- validation ------------------------------------------------------------------------
def _builder() -> webnn.MLGraphBuilder:
    return webnn.MLGraphBuilder(context("reference"))


def test_matmul_validation():
    g = _builder()
    a = g.input("a", D("float32", [2, 3]))
    with pytest.raises(TypeError, match=r"matmul: the columns of a \(3\) must equal the rows "
                                        r"of b \(4\)"):
        g.matmul(a, g.input("b", D("float32", [4, 5])))
    with pytest.raises(TypeError, match="matmul: a and b must be at least of rank 2"):
        g.matmul(a, g.input("v", D("float32", [3])))
    with pytest.raises(TypeError, match="matmul: b data type float16 must match"):
        g.matmul(a, g.input("h", D("float16", [3, 2])))
    with pytest.raises(TypeError, match="matmul: a data type int32 is not allowed"):
        g.matmul(g.input("i", D("int32", [2, 2])), g.input("j", D("int32", [2, 2])))
    with pytest.raises(TypeError, match=r"matmul: the batch dimensions of a \[2\] and b \[3\]"):
        g.matmul(g.input("p", D("float32", [2, 2, 3])), g.input("q", D("float32", [3, 3, 2])))
    assert g.matmul(g.input("r", D("float32", [4, 1, 2, 3])),
                    g.input("s", D("float32", [5, 3, 6]))).shape == (4, 5, 2, 6)


def test_gemm_validation():
    g = _builder()
    a = g.input("a", D("float32", [2, 3]))
    b = g.input("b", D("float32", [3, 4]))
    with pytest.raises(TypeError, match=r"gemm: the columns of a \(2\) must equal the rows"):
        g.gemm(a, b, a_transpose=True)
    with pytest.raises(TypeError, match="gemm: a and b must be of rank 2"):
        g.gemm(g.input("r3", D("float32", [1, 2, 3])), b)
    with pytest.raises(TypeError, match=r"gemm: c shape \[3\] is not unidirectionally"):
        g.gemm(a, b, c=g.input("c3", D("float32", [3])))
    with pytest.raises(TypeError, match=r"gemm: c shape \[1, 2, 4\] is not unidirectionally"):
        g.gemm(a, b, c=g.input("c4", D("float32", [1, 2, 4])))
    with pytest.raises(TypeError, match="gemm: c data type float16 must match"):
        g.gemm(a, b, c=g.input("ch", D("float16", [4])))
    with pytest.raises(TypeError, match="gemm: alpha"):
        g.gemm(a, b, alpha=float("inf"))
    with pytest.raises(TypeError, match="gemm: a_transpose"):
        g.gemm(a, b, a_transpose=1)
    assert g.gemm(a, b, c=g.input("c", D("float32", [2, 1]))).shape == (2, 4)
