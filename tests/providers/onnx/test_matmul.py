"""ONNX MatMul / Gemm / Einsum / MatMulInteger through the WebNN translator vs ORT."""

from __future__ import annotations

import numpy as np
import pytest
from onnx import helper
from webnn_providers.onnx import from_onnx_model, run_graph

from tests.helpers import context
from tests.providers.onnx.helpers import assert_translation_matches, make_model, node_verdict

rng = np.random.default_rng(0)
TOL = {"rtol": 1e-4, "atol": 1e-5}


def _x(*shape, dtype=np.float32):
    return rng.standard_normal(shape).astype(dtype)


@pytest.mark.parametrize("sa,sb", [
    ((3, 4), (4, 5)),
    ((2, 3, 4), (4, 5)),
    ((2, 1, 3, 4), (5, 4, 2)),   # batch broadcasting
    ((4,), (4, 5)),              # 1-D first operand
    ((2, 3, 4), (4,)),           # 1-D second operand
    ((4,), (4,)),                # dot product -> scalar
    ((4,), (2, 4, 3)),
])
def test_matmul(sa, sb):
    a, b = _x(*sa), _x(*sb)
    model = make_model([helper.make_node("MatMul", ["a", "b"], ["y"])], {"a": a, "b": b},
                       ["y"])
    assert_translation_matches(model, {"a": a, "b": b}, **TOL)


def test_matmul_constant_weight_chain_and_old_opset():
    a, w = _x(2, 6), _x(6, 3)
    nodes = [helper.make_node("MatMul", ["a", "w"], ["m"]),
             helper.make_node("Add", ["m", "c"], ["y"])]
    model = make_model(nodes, {"a": a}, ["y"], {"w": w, "c": _x(3)}, opset=7)
    assert_translation_matches(model, {"a": a}, **TOL)


def test_matmul_float16():
    a, b = _x(3, 8, dtype=np.float16), _x(8, 2, dtype=np.float16)
    model = make_model([helper.make_node("MatMul", ["a", "b"], ["y"])], {"a": a, "b": b},
                       ["y"])
    assert_translation_matches(model, {"a": a, "b": b}, rtol=1e-2, atol=1e-2)


def test_matmul_int32_is_refused():
    a = np.ones((2, 2), np.int32)
    model = make_model([helper.make_node("MatMul", ["a", "a"], ["y"])], {"a": a}, ["y"])
    verdict = node_verdict(model)
    assert not verdict.supported and "matmul" in verdict.reason


@pytest.mark.parametrize("attrs,c_shape", [
    ({}, (5,)),
    ({"transA": 1}, (3, 5)),
    ({"transB": 1, "alpha": 0.5, "beta": 2.0}, (1, 5)),
    ({"transA": 1, "transB": 1}, (3, 1)),
    ({"alpha": -1.5}, ()),
    ({"beta": 0.25}, None),
])
def test_gemm(attrs, c_shape):
    a = _x(4, 3) if attrs.get("transA") else _x(3, 4)
    b = _x(5, 4) if attrs.get("transB") else _x(4, 5)
    inputs = ["a", "b"] + (["c"] if c_shape is not None else [])
    inits = {"b": b} | ({"c": _x(*c_shape)} if c_shape is not None else {})
    model = make_model([helper.make_node("Gemm", inputs, ["y"], **attrs)], {"a": a}, ["y"],
                       inits)
    assert_translation_matches(model, {"a": a}, **TOL)


def test_gemm_opset7_runtime_c():
    a, b, c = _x(2, 3), _x(3, 4), _x(2, 4)
    node = helper.make_node("Gemm", ["a", "b", "c"], ["y"], beta=0.5)
    model = make_model([node], {"a": a, "b": b, "c": c}, ["y"], opset=7)
    assert_translation_matches(model, {"a": a, "b": b, "c": c}, **TOL)


EINSUMS = [
    ("ij,jk->ik", [(3, 4), (4, 5)]),
    ("bij,bjk->bik", [(2, 3, 4), (2, 4, 5)]),
    ("ij,jk", [(3, 4), (4, 5)]),                 # implicit output
    ("ij->ji", [(3, 4)]),
    ("ij->i", [(3, 4)]),
    ("ijk->", [(2, 3, 4)]),
    ("i,j->ij", [(3,), (4,)]),                   # outer product
    ("i,i->", [(5,), (5,)]),                     # inner product
    ("bhqd,bhkd->bhqk", [(2, 3, 4, 5), (2, 3, 6, 5)]),   # attention scores
    ("...ij,...jk->...ik", [(2, 3, 4), (1, 4, 5)]),      # ellipsis with broadcasting
    ("...ij->...ji", [(2, 3, 4)]),
    ("ij,jk,kl->il", [(2, 3), (3, 4), (4, 2)]),
    ("bn,anm,bm->ba", [(2, 3), (4, 3, 5), (2, 5)]),      # bilinear
    ("abc,cd->abd", [(2, 3, 4), (4, 5)]),
    ("ij,kj->ik", [(3, 4), (5, 4)]),
    ("ijk,ikl->jl", [(2, 3, 4), (2, 4, 5)]),             # summed batch label
    ("ij,ij->ij", [(3, 4), (3, 4)]),                     # element-wise product
    ("ij -> ij", [(3, 4)]),
]


@pytest.mark.parametrize("equation,shapes", EINSUMS)
def test_einsum(equation, shapes):
    inputs = {f"x{i}": _x(*s) for i, s in enumerate(shapes)}
    node = helper.make_node("Einsum", list(inputs), ["y"], equation=equation)
    assert_translation_matches(make_model([node], inputs, ["y"]), inputs, **TOL)


def test_einsum_integer_reduction():
    x = rng.integers(-5, 5, (3, 4)).astype(np.int32)
    node = helper.make_node("Einsum", ["x"], ["y"], equation="ij->j")
    assert_translation_matches(make_model([node], {"x": x}, ["y"]), {"x": x})


@pytest.mark.parametrize("equation,shapes", [("ii->i", [(3, 3)]), ("ii", [(3, 3)]),
                                             ("iij,j->i", [(2, 2, 3), (3,)])])
def test_einsum_diagonal_is_refused(equation, shapes):
    inputs = {f"x{i}": _x(*s) for i, s in enumerate(shapes)}
    node = helper.make_node("Einsum", list(inputs), ["y"], equation=equation)
    verdict = node_verdict(make_model([node], inputs, ["y"]))
    assert not verdict.supported and equation in verdict.reason and "diagonal" in verdict.reason


@pytest.mark.parametrize("dtype_a,dtype_b", [(np.uint8, np.uint8), (np.int8, np.int8),
                                             (np.uint8, np.int8)])
@pytest.mark.parametrize("zero_points", ["none", "scalar", "vector"])
def test_matmul_integer(dtype_a, dtype_b, zero_points):
    def ints(dtype, shape):
        info = np.iinfo(dtype)
        return rng.integers(info.min, info.max + 1, shape).astype(dtype)

    a, b = ints(dtype_a, (4, 7)), ints(dtype_b, (7, 3))
    inputs, inits = ["a", "b"], {"b": b}
    if zero_points == "scalar":
        inits |= {"za": ints(dtype_a, ()), "zb": ints(dtype_b, ())}
        inputs += ["za", "zb"]
    elif zero_points == "vector":   # ORT's CPU EP takes scalar zero points for A only
        inits |= {"za": ints(dtype_a, (1,)), "zb": ints(dtype_b, (3,))}
        inputs += ["za", "zb"]
    node = helper.make_node("MatMulInteger", inputs, ["y"])
    model = make_model([node], {"a": a}, ["y"], inits)
    assert_translation_matches(model, {"a": a})


def test_matmul_integer_per_row_zero_point():
    """A per-row a_zero_point (ONNX spec: 1-D of size M) that ORT's CPU EP refuses:
    checked against the spec formula in int64."""
    a = rng.integers(0, 256, (4, 9)).astype(np.uint8)
    b = rng.integers(-128, 128, (9, 3)).astype(np.int8)
    za = rng.integers(0, 256, (4,)).astype(np.uint8)
    zb = rng.integers(-128, 128, (3,)).astype(np.int8)
    node = helper.make_node("MatMulInteger", ["a", "b", "za", "zb"], ["y"])
    model = make_model([node], {"a": a}, ["y"], {"b": b, "za": za, "zb": zb})
    want = (a.astype(np.int64) - za[:, None]) @ (b.astype(np.int64) - zb)
    for backend in ("reference", "openvino"):
        got = run_graph(context(backend), from_onnx_model(model), {"a": a})["y"]
        assert got.dtype == np.int32
        np.testing.assert_array_equal(got, want)


def test_matmul_integer_batched_and_1d():
    a = rng.integers(0, 256, (2, 3, 258)).astype(np.uint8)   # the largest exact K
    b = rng.integers(0, 256, (258,)).astype(np.uint8)
    node = helper.make_node("MatMulInteger", ["a", "b", "za"], ["y"])
    model = make_model([node], {"a": a, "b": b}, ["y"], {"za": np.array(255, np.uint8)})
    assert_translation_matches(model, {"a": a, "b": b})


def test_matmul_integer_large_k_is_refused():
    a = np.zeros((2, 259), np.uint8)
    b = np.zeros((259, 2), np.uint8)
    node = helper.make_node("MatMulInteger", ["a", "b"], ["y"])
    verdict = node_verdict(make_model([node], {"a": a, "b": b}, ["y"]))
    assert not verdict.supported and "K * 255^2 < 2^24" in verdict.reason
