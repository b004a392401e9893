"""ONNX element-wise ops through the WebNN translator vs ORT's CPU EP."""

from __future__ import annotations

import numpy as np
import pytest
from onnx import helper

from tests.providers.onnx.helpers import assert_translation_matches, make_model, node_verdict

rng = np.random.default_rng(0)


@pytest.mark.parametrize("op", ["Add", "Sub", "Mul", "Div", "Pow", "Max", "Min", "Sum", "Mean"])
def test_binary_broadcast(op):
    a = rng.uniform(0.5, 2, (2, 3, 4)).astype(np.float32)
    b = rng.uniform(0.5, 2, (3, 1)).astype(np.float32)
    model = make_model([helper.make_node(op, ["a", "b"], ["y"])], {"a": a, "b": b}, ["y"])
    assert_translation_matches(model, {"a": a, "b": b})


@pytest.mark.parametrize("op", ["Equal", "Greater", "GreaterOrEqual", "Less", "LessOrEqual"])
def test_comparisons_give_bool(op):
    a = rng.integers(-2, 3, (2, 5)).astype(np.int64)
    b = rng.integers(-2, 3, (5,)).astype(np.int64)
    model = make_model([helper.make_node(op, ["a", "b"], ["y"])], {"a": a, "b": b}, ["y"])
    assert_translation_matches(model, {"a": a, "b": b})


@pytest.mark.parametrize("op", ["And", "Or", "Xor"])
def test_logical(op):
    a = rng.integers(0, 2, (6,)).astype(bool)
    b = rng.integers(0, 2, (6,)).astype(bool)
    model = make_model([helper.make_node(op, ["a", "b"], ["t"]),
                        helper.make_node("Not", ["t"], ["y"])], {"a": a, "b": b}, ["y"])
    assert_translation_matches(model, {"a": a, "b": b})


@pytest.mark.parametrize("op", ["Abs", "Ceil", "Cos", "Exp", "Floor", "Log", "Neg",
                                "Reciprocal", "Round", "Sin", "Sign", "Sqrt", "Tan", "Erf"])
def test_unary(op):
    x = rng.uniform(0.1, 3, (2, 3)).astype(np.float32)
    model = make_model([helper.make_node(op, ["x"], ["y"])], {"x": x}, ["y"])
    assert_translation_matches(model, {"x": x}, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("pos,neg", [(1, 1), (1, 0), (0, 1)])
def test_isinf_isnan(pos, neg):
    x = np.array([np.inf, -np.inf, np.nan, 1.0], np.float32)
    model = make_model([helper.make_node("IsInf", ["x"], ["i"], detect_positive=pos,
                                         detect_negative=neg),
                        helper.make_node("IsNaN", ["x"], ["n"])], {"x": x}, ["i", "n"])
    assert_translation_matches(model, {"x": x})


def test_unknown_op_is_reported():
    x = np.ones((2,), np.float32)
    model = make_model([helper.make_node("Frobnicate", ["x"], ["y"], domain="com.example")],
                       {"x": x}, ["y"])
    model.opset_import.append(helper.make_opsetid("com.example", 1))
    verdict = node_verdict(model)
    assert not verdict.supported and verdict.kind == "op" and "Frobnicate" in verdict.reason


def test_double_is_refused_with_dtype_reason():
    x = np.ones((2,), np.float64)
    model = make_model([helper.make_node("Abs", ["x"], ["y"])], {"x": x}, ["y"])
    verdict = node_verdict(model)
    assert not verdict.supported and verdict.kind == "dtype"
