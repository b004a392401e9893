"""Constant folding of ONNX models before partitioning (webnn_providers.onnx.folding):
what folds into initializers, what is kept, and that the folded model computes exactly
what the original does (onnx.reference, ORT's CPU EP and the WebNN translator)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import onnx
import pytest
from onnx import TensorProto, helper, numpy_helper
from onnx.reference import ReferenceEvaluator
from webnn_providers.onnx import from_onnx_model, run_graph
from webnn_providers.onnx.analysis import analyze
from webnn_providers.onnx.folding import FOLDABLE_OPS, MAX_ELEMENTS, FoldResult, fold_constants
from webnn_providers.partition import graph_predecessors

from tests.helpers import context
from tests.providers.onnx.helpers import run_ort

rng = np.random.default_rng(0)
I64 = TensorProto.INT64
F32 = TensorProto.FLOAT
OPSET = 21


# -- helpers ----------------------------------------------------------------------------
def _vi(name: str, elem: int, shape: Sequence[int | str | None] | None) -> onnx.ValueInfoProto:
    return helper.make_tensor_value_info(name, elem, shape)


def _model(nodes: Sequence[onnx.NodeProto], inputs: Sequence[onnx.ValueInfoProto],
           outputs: Sequence[onnx.ValueInfoProto],
           initializers: Mapping[str, np.ndarray] | None = None, opset: int = OPSET,
           extra_opsets: Sequence[tuple[str, int]] = ()) -> onnx.ModelProto:
    """A model from explicit value infos (symbolic input dims, typed outputs for the
    checker) and numpy initializers."""
    graph = helper.make_graph(
        list(nodes), "fold", list(inputs), list(outputs),
        [numpy_helper.from_array(np.asarray(a), name)
         for name, a in (initializers or {}).items()])
    model = helper.make_model(graph, opset_imports=[
        helper.make_opsetid("", opset),
        *(helper.make_opsetid(domain, version) for domain, version in extra_opsets)])
    model.ir_version = 10
    return model


def _op_types(model: onnx.ModelProto) -> list[str]:
    return [node.op_type for node in model.graph.node]


def _initializers(model: onnx.ModelProto) -> dict[str, np.ndarray]:
    names = [init.name for init in model.graph.initializer]
    assert len(names) == len(set(names)), f"duplicate initializers: {names}"
    return {init.name: numpy_helper.to_array(init) for init in model.graph.initializer}


def _reference(model: onnx.ModelProto, feeds: Mapping[str, np.ndarray]) -> list[np.ndarray]:
    return ReferenceEvaluator(model).run(None, dict(feeds))


def _assert_same_results(original: onnx.ModelProto, folded: onnx.ModelProto,
                         feeds: Mapping[str, np.ndarray], *, ort: bool = False) -> None:
    """Both models give bit-identical outputs (same dtypes and shapes) with
    onnx.reference, and with ORT's CPU EP when ``ort``."""
    runners = [_reference] + ([lambda m, f: list(run_ort(m, f).values())] if ort else [])
    for run in runners:
        want = run(original, feeds)
        have = run(folded, feeds)
        assert len(have) == len(want)
        for h, w in zip(have, want, strict=True):
            assert h.dtype == w.dtype and h.shape == w.shape, (h, w)
            np.testing.assert_array_equal(h, w)


def _view_chain(x_shape: Sequence[int | str | None] | None, *, constants_as_nodes: bool = True,
                names: bool = True) -> onnx.ModelProto:
    """PyTorch's ``relu(x.view(x.size(0), -1, 4))``: Shape -> Gather -> Unsqueeze ->
    Concat (with a constant [-1, 4]) -> Reshape -> Relu."""
    def name(label: str) -> str:
        return label if names else ""

    consts = {"zero": np.array(0, np.int64), "axes": np.array([0], np.int64),
              "rest": np.array([-1, 4], np.int64)}
    nodes = []
    if constants_as_nodes:
        nodes += [
            helper.make_node("Constant", [], ["zero"], name=name("c_zero"), value_int=0),
            helper.make_node("Constant", [], ["axes"], name=name("c_axes"), value_ints=[0]),
            helper.make_node("Constant", [], ["rest"], name=name("c_rest"),
                             value=numpy_helper.from_array(consts["rest"], "rest")),
        ]
    nodes += [
        helper.make_node("Shape", ["x"], ["shape"], name=name("shape")),
        helper.make_node("Gather", ["shape", "zero"], ["batch"], name=name("gather"), axis=0),
        helper.make_node("Unsqueeze", ["batch", "axes"], ["batch1"], name=name("unsqueeze")),
        helper.make_node("Concat", ["batch1", "rest"], ["target"], name=name("concat"),
                         axis=0),
        helper.make_node("Reshape", ["x", "target"], ["r"], name=name("reshape")),
        helper.make_node("Relu", ["r"], ["y"], name=name("relu")),
    ]
    static_tail = x_shape is not None and all(isinstance(d, int) for d in x_shape[1:])
    out_shape = [x_shape[0], int(np.prod(x_shape[1:])) // 4, 4] if static_tail else None
    return _model(nodes, [_vi("x", F32, x_shape)], [_vi("y", F32, out_shape)],
                  None if constants_as_nodes else consts)


# -- 1. the x.view(x.size(0), -1, 4) chain -----------------------------------------------
def test_view_chain_folds_to_reshape():
    """On a static input the Constant nodes and the Shape -> Gather -> Unsqueeze -> Concat
    chain all fold, leaving Reshape (reading the folded target as an initializer) and its
    consumer; the folded model passes the full checker and computes bit-identically."""
    model = _view_chain([2, 3, 8])
    result = fold_constants(model)
    assert isinstance(result, FoldResult)
    assert result.folded == [
        "Constant 'c_zero'", "Constant 'c_axes'", "Constant 'c_rest'", "Shape 'shape'",
        "Gather 'gather'", "Unsqueeze 'unsqueeze'", "Concat 'concat'"]
    assert _op_types(result.model) == ["Reshape", "Relu"]
    inits = _initializers(result.model)
    assert list(inits) == ["target"]
    assert inits["target"].dtype == np.int64
    np.testing.assert_array_equal(inits["target"], [2, -1, 4])
    onnx.checker.check_model(result.model, full_check=True)
    x = rng.standard_normal((2, 3, 8)).astype(np.float32)
    _assert_same_results(model, result.model, {"x": x}, ort=True)


def test_unnamed_nodes_are_labelled_by_index():
    """Nodes without a name are reported as ``op #index`` with their position in the
    original graph."""
    result = fold_constants(_view_chain([2, 3, 8], names=False))
    assert result.folded == ["Constant #0", "Constant #1", "Constant #2", "Shape #3",
                             "Gather #4", "Unsqueeze #5", "Concat #6"]


def test_view_chain_with_initializer_constants():
    """The same chain with its constants given as initializers: the shape chain still
    folds; the initializers it read stay, and ``target`` is added once."""
    model = _view_chain([4, 2, 2, 2], constants_as_nodes=False)
    result = fold_constants(model)
    assert result.folded == ["Shape 'shape'", "Gather 'gather'", "Unsqueeze 'unsqueeze'",
                             "Concat 'concat'"]
    assert _op_types(result.model) == ["Reshape", "Relu"]
    inits = _initializers(result.model)
    assert set(inits) == {"zero", "axes", "rest", "target"}
    np.testing.assert_array_equal(inits["target"], [4, -1, 4])
    onnx.checker.check_model(result.model, full_check=True)
    x = rng.standard_normal((4, 2, 2, 2)).astype(np.float32)
    _assert_same_results(model, result.model, {"x": x})


def test_folding_is_idempotent():
    """Folding an already folded model finds nothing and returns it as is."""
    folded = fold_constants(_view_chain([2, 3, 8])).model
    again = fold_constants(folded)
    assert again.model is folded and again.folded == []


# -- 2. Constant node variants ----------------------------------------------------------
@pytest.mark.parametrize(("attrs", "expected"), [
    ({"value": numpy_helper.from_array(np.arange(6, dtype=np.float16).reshape(2, 3))},
     np.arange(6, dtype=np.float16).reshape(2, 3)),
    ({"value": numpy_helper.from_array(np.array([[True, False]]))}, np.array([[True, False]])),
    ({"value": numpy_helper.from_array(np.array(7, np.int32))}, np.array(7, np.int32)),
    ({"value_float": 1.5}, np.array(1.5, np.float32)),
    ({"value_floats": [1.0, -2.5, 3.25]}, np.array([1.0, -2.5, 3.25], np.float32)),
    ({"value_int": -3}, np.array(-3, np.int64)),
    ({"value_ints": [1, -1, 2**40]}, np.array([1, -1, 2**40], np.int64)),
], ids=["value_f16", "value_bool", "value_i32_scalar", "value_float", "value_floats",
        "value_int", "value_ints"])
def test_constant_variants_become_initializers(attrs, expected):
    """Each numeric form of a Constant becomes an initializer of the right dtype and shape
    (scalar attributes give 0-d tensors) and the model computes the same."""
    elem = helper.np_dtype_to_tensor_dtype(expected.dtype)
    nodes = [helper.make_node("Constant", [], ["c"], name="const", **attrs),
             helper.make_node("Identity", ["x"], ["xi"]),
             helper.make_node("Concat", ["xi", "c"], ["y"], axis=0)
             if expected.ndim else helper.make_node("Identity", ["c"], ["y"])]
    if expected.ndim:
        x_shape = list(expected.shape)
        out_shape = [2 * expected.shape[0], *expected.shape[1:]]
    else:  # a 0-d constant: Identity keeps it alive as a (kept) graph-output producer
        x_shape, out_shape = [1], list(expected.shape)
    model = _model(nodes, [_vi("x", elem, x_shape)], [_vi("y", elem, out_shape)])
    result = fold_constants(model)
    assert result.folded == ["Constant 'const'"]
    assert "Constant" not in _op_types(result.model)
    value = _initializers(result.model)["c"]
    assert value.dtype == expected.dtype and value.shape == expected.shape
    np.testing.assert_array_equal(value, expected)
    onnx.checker.check_model(result.model, full_check=True)
    x = np.ones(x_shape, expected.dtype)
    _assert_same_results(model, result.model, {"x": x})


@pytest.mark.parametrize("attrs", [
    {"value_string": "hello"},
    {"value_strings": ["a", "b"]},
    {"sparse_value": helper.make_sparse_tensor(
        helper.make_tensor("v", F32, [2], [1.0, 2.0]),
        helper.make_tensor("i", I64, [2], [0, 3]), [4])},
], ids=["value_string", "value_strings", "sparse_value"])
def test_constant_string_and_sparse_are_kept(attrs):
    """Constants with no dense numeric value (strings, sparse tensors) stay nodes: nothing
    folds, and the very same model object comes back."""
    nodes = [helper.make_node("Constant", [], ["c"], **attrs),
             helper.make_node("Identity", ["c"], ["y"])]
    model = _model(nodes, [], [helper.make_empty_tensor_value_info("y")])
    before = model.SerializeToString()
    result = fold_constants(model)
    assert result.model is model and result.folded == []
    assert model.SerializeToString() == before


# -- 3. Shape (start/end) and Size ------------------------------------------------------
@pytest.mark.parametrize(("start", "end"), [
    (None, None), (1, None), (None, 2), (1, 3), (-2, None), (None, -1), (-3, -1),
    (-10, 10), (3, 1), (4, None), (0, 0),
])
def test_shape_start_end(start, end):
    """Shape with ``start``/``end`` (opset 15+, negative and out-of-range values clamp)
    folds to exactly the slice onnx.reference computes."""
    attrs = {k: v for k, v in (("start", start), ("end", end)) if v is not None}
    x_shape = [2, 3, 5, 7]
    expected = np.array(x_shape[slice(start, end)], np.int64)
    nodes = [helper.make_node("Shape", ["x"], ["s"], name="shape", **attrs),
             helper.make_node("Add", ["s", "z"], ["y"])]
    model = _model(nodes, [_vi("x", F32, x_shape), _vi("z", I64, [1])],
                   [_vi("y", I64, [len(expected)])])
    result = fold_constants(model)
    assert result.folded == ["Shape 'shape'"]
    assert _op_types(result.model) == ["Add"]
    value = _initializers(result.model)["s"]
    assert value.dtype == np.int64
    np.testing.assert_array_equal(value, expected)
    reference = ReferenceEvaluator(_model(nodes[:1], [_vi("x", F32, x_shape)],
                                          [_vi("s", I64, None)]))
    np.testing.assert_array_equal(
        value, reference.run(None, {"x": np.zeros(x_shape, np.float32)})[0])
    onnx.checker.check_model(result.model, full_check=True)
    feeds = {"x": np.zeros(x_shape, np.float32), "z": np.array([10], np.int64)}
    _assert_same_results(model, result.model, feeds)


def test_shape_before_opset_15():
    """Shape at opset 13 (no start/end) folds to the whole shape."""
    nodes = [helper.make_node("Shape", ["x"], ["s"]),
             helper.make_node("Add", ["s", "z"], ["y"])]
    model = _model(nodes, [_vi("x", F32, [4, 1, 6]), _vi("z", I64, [1])],
                   [_vi("y", I64, [3])], opset=13)
    result = fold_constants(model)
    assert result.folded == ["Shape #0"]
    np.testing.assert_array_equal(_initializers(result.model)["s"], [4, 1, 6])
    _assert_same_results(model, result.model,
                         {"x": np.zeros((4, 1, 6), np.float32), "z": np.array([1], np.int64)})


@pytest.mark.parametrize("x_shape", [[2, 3, 4], [5], [], [3, 0, 2]])
def test_size(x_shape):
    """Size folds to a 0-d int64 holding the element count (scalars and empty tensors
    too)."""
    nodes = [helper.make_node("Size", ["x"], ["n"], name="size"),
             helper.make_node("Add", ["n", "z"], ["y"])]
    model = _model(nodes, [_vi("x", F32, x_shape), _vi("z", I64, [])], [_vi("y", I64, [])])
    result = fold_constants(model)
    assert result.folded == ["Size 'size'"]
    value = _initializers(result.model)["n"]
    assert value.dtype == np.int64 and value.shape == ()
    assert int(value) == int(np.prod(x_shape))
    onnx.checker.check_model(result.model, full_check=True)
    _assert_same_results(model, result.model, {"x": np.zeros(x_shape, np.float32),
                                               "z": np.array(0, np.int64)})


def test_shape_of_intermediate_value_with_inferred_shape():
    """Shape of a value produced by a kept node folds when shape inference gives it a
    static shape (here the output of a Transpose of a static input)."""
    nodes = [helper.make_node("Transpose", ["x"], ["t"], perm=[2, 0, 1]),
             helper.make_node("Shape", ["t"], ["s"], name="shape"),
             helper.make_node("Reshape", ["x", "s"], ["y"])]
    model = _model(nodes, [_vi("x", F32, [2, 3, 4])], [_vi("y", F32, [4, 2, 3])])
    result = fold_constants(model)
    assert result.folded == ["Shape 'shape'"]
    assert _op_types(result.model) == ["Transpose", "Reshape"]
    np.testing.assert_array_equal(_initializers(result.model)["s"], [4, 2, 3])
    x = rng.standard_normal((2, 3, 4)).astype(np.float32)
    _assert_same_results(model, result.model, {"x": x})


# -- 4. symbolic / unknown dimensions ---------------------------------------------------
@pytest.mark.parametrize("x_shape", [["N", 3, 8], [2, None, 8], None],
                         ids=["symbolic", "unknown_dim", "unknown_rank"])
def test_non_static_input_not_folded(x_shape):
    """Shape of a value whose shape is not fully static does not fold, nor does anything
    downstream of it; with nothing to fold the same model object comes back unchanged."""
    model = _view_chain(x_shape, constants_as_nodes=False)
    before = model.SerializeToString()
    result = fold_constants(model)
    assert result.model is model and result.folded == []
    assert model.SerializeToString() == before


def test_symbolic_input_folds_only_the_constants():
    """With Constant nodes in the chain and a symbolic batch, only the Constants fold;
    Shape -> Gather -> Unsqueeze -> Concat -> Reshape stay and read them as initializers."""
    model = _view_chain(["N", 3, 8])
    result = fold_constants(model)
    assert result.folded == ["Constant 'c_zero'", "Constant 'c_axes'", "Constant 'c_rest'"]
    assert _op_types(result.model) == ["Shape", "Gather", "Unsqueeze", "Concat", "Reshape",
                                       "Relu"]
    assert set(_initializers(result.model)) == {"zero", "axes", "rest"}
    onnx.checker.check_model(result.model, full_check=True)
    for batch in (1, 3):
        x = rng.standard_normal((batch, 3, 8)).astype(np.float32)
        _assert_same_results(model, result.model, {"x": x})


# -- 5. graph outputs -------------------------------------------------------------------
def test_node_producing_graph_output_is_kept():
    """A foldable node whose output is a graph output stays (the graph needs a producer);
    its constant inputs become initializers."""
    nodes = [helper.make_node("Shape", ["x"], ["s"], name="shape"),
             helper.make_node("Constant", [], ["i"], name="idx", value_ints=[1, 2]),
             helper.make_node("Gather", ["s", "i"], ["dims"], name="gather"),
             helper.make_node("Relu", ["x"], ["y"])]
    model = _model(nodes, [_vi("x", F32, [2, 3, 4])],
                   [_vi("dims", I64, [2]), _vi("y", F32, [2, 3, 4])])
    result = fold_constants(model)
    assert result.folded == ["Shape 'shape'", "Constant 'idx'"]
    assert _op_types(result.model) == ["Gather", "Relu"]
    assert set(_initializers(result.model)) == {"s", "i"}
    onnx.checker.check_model(result.model, full_check=True)
    x = rng.standard_normal((2, 3, 4)).astype(np.float32)
    _assert_same_results(model, result.model, {"x": x})


def test_constant_producing_graph_output_is_kept():
    """A Constant node that is itself a graph output stays; nothing else folds, so the
    model comes back as is."""
    nodes = [helper.make_node("Constant", [], ["c"], value_ints=[1, 2, 3])]
    model = _model(nodes, [], [_vi("c", I64, [3])])
    result = fold_constants(model)
    assert result.model is model and result.folded == []


# -- 6. max_elements --------------------------------------------------------------------
def _constant_of_shape(shape: Sequence[int]) -> onnx.ModelProto:
    nodes = [helper.make_node("ConstantOfShape", ["shape"], ["c"], name="cos",
                              value=numpy_helper.from_array(np.array([2.5], np.float32))),
             helper.make_node("Add", ["c", "x"], ["y"])]
    return _model(nodes, [_vi("x", F32, [1])], [_vi("y", F32, list(shape))],
                  {"shape": np.array(shape, np.int64)})


def test_max_elements_default_keeps_large_outputs():
    """ConstantOfShape producing more than MAX_ELEMENTS elements is not folded by
    default."""
    shape = [MAX_ELEMENTS // 64 + 1, 64]
    model = _constant_of_shape(shape)
    result = fold_constants(model)
    assert result.model is model and result.folded == []


def test_max_elements_larger_limit_folds():
    """The same node folds under a limit it fits, and the result computes the same."""
    shape = [MAX_ELEMENTS // 64 + 1, 64]
    model = _constant_of_shape(shape)
    result = fold_constants(model, max_elements=2 * MAX_ELEMENTS)
    assert result.folded == ["ConstantOfShape 'cos'"]
    assert _op_types(result.model) == ["Add"]
    value = _initializers(result.model)["c"]
    assert value.dtype == np.float32 and value.shape == tuple(shape)
    assert (value == 2.5).all()
    x = np.array([1.0], np.float32)
    _assert_same_results(model, result.model, {"x": x})


@pytest.mark.parametrize(("limit", "folds"), [(11, False), (12, True), (13, True)])
def test_max_elements_boundary(limit, folds):
    """An output of exactly max_elements elements folds; one more is kept."""
    model = _constant_of_shape([3, 4])
    result = fold_constants(model, max_elements=limit)
    assert bool(result.folded) == folds
    assert (result.model is model) == (not folds)


def test_max_elements_does_not_limit_constant_nodes():
    """The limit applies to evaluated nodes, not to Constant nodes, which only move their
    value into an initializer."""
    big = np.arange(100, dtype=np.float32)
    nodes = [helper.make_node("Constant", [], ["c"], value=numpy_helper.from_array(big)),
             helper.make_node("Add", ["c", "x"], ["y"])]
    model = _model(nodes, [_vi("x", F32, [1])], [_vi("y", F32, [100])])
    result = fold_constants(model, max_elements=4)
    assert result.folded == ["Constant #0"]
    np.testing.assert_array_equal(_initializers(result.model)["c"], big)


# -- 7. other domains, subgraphs, non-foldable ops, failing evaluation ------------------
@pytest.mark.parametrize("domain", ["com.example", "com.microsoft"])
def test_other_domain_nodes_kept(domain):
    """Nodes of another domain are kept even when named like a foldable op (a Constant,
    an Add of constants)."""
    nodes = [helper.make_node("Constant", [], ["c"], domain=domain, value_ints=[1]),
             helper.make_node("Add", ["a", "b"], ["d"], domain=domain),
             helper.make_node("Add", ["c", "d"], ["y"], domain=domain)]
    model = _model(nodes, [], [_vi("y", I64, [1])],
                   {"a": np.array([1], np.int64), "b": np.array([2], np.int64)},
                   extra_opsets=[(domain, 1)])
    result = fold_constants(model)
    assert result.model is model and result.folded == []


def test_default_domain_spelled_ai_onnx_folds():
    """A node whose domain is written ``ai.onnx`` is in the default domain: it folds like
    one written with the empty domain."""
    nodes = [helper.make_node("Add", ["a", "b"], ["c"], name="add", domain="ai.onnx"),
             helper.make_node("Constant", [], ["k"], name="k", domain="ai.onnx",
                              value_ints=[3]),
             helper.make_node("Mul", ["c", "k"], ["d"], name="mul", domain="ai.onnx"),
             helper.make_node("Add", ["d", "z"], ["y"])]
    model = _model(nodes, [_vi("z", I64, [1])], [_vi("y", I64, [1])],
                   {"a": np.array([1], np.int64), "b": np.array([2], np.int64)})
    result = fold_constants(model)
    assert result.folded == ["Add 'add'", "Constant 'k'", "Mul 'mul'"]
    np.testing.assert_array_equal(_initializers(result.model)["d"], [9])
    onnx.checker.check_model(result.model, full_check=True)
    feeds = {"z": np.array([1], np.int64)}
    (want,) = run_ort(model, feeds).values()  # onnx.reference does not alias ai.onnx
    (have,) = _reference(result.model, feeds)
    assert have.dtype == want.dtype
    np.testing.assert_array_equal(have, want)


def _if_model() -> onnx.ModelProto:
    """``If(cond)`` whose branches read the outer-scope values ``k`` (a Shape) and ``m``
    (a Constant); ``cond`` is a Constant too."""
    then_branch = helper.make_graph([helper.make_node("Identity", ["k"], ["t"])], "then",
                                    [], [_vi("t", I64, [3])])
    else_branch = helper.make_graph([helper.make_node("Neg", ["m"], ["e"])], "else",
                                    [], [_vi("e", I64, [3])])
    nodes = [helper.make_node("Constant", [], ["cond"], name="cond",
                              value=numpy_helper.from_array(np.array(True))),
             helper.make_node("Shape", ["x"], ["k"], name="shape"),
             helper.make_node("Constant", [], ["m"], name="m", value_ints=[7, 8, 9]),
             helper.make_node("Constant", [], ["unused"], name="unused", value_ints=[0]),
             helper.make_node("If", ["cond"], ["r"], name="if", then_branch=then_branch,
                              else_branch=else_branch),
             helper.make_node("Add", ["r", "z"], ["y"])]
    return _model(nodes, [_vi("x", F32, [2, 3, 4]), _vi("z", I64, [1])],
                  [_vi("y", I64, [3])])


def test_subgraph_node_kept_and_outer_values_provided():
    """A node with a subgraph (If) is kept; the folded values its branches read from the
    outer scope become initializers, and the model computes the same."""
    model = _if_model()
    result = fold_constants(model)
    assert result.folded == ["Constant 'cond'", "Shape 'shape'", "Constant 'm'",
                             "Constant 'unused'"]
    assert _op_types(result.model) == ["If", "Add"]
    assert set(_initializers(result.model)) == {"cond", "k", "m"}
    onnx.checker.check_model(result.model, full_check=True)
    feeds = {"x": np.zeros((2, 3, 4), np.float32), "z": np.array([1], np.int64)}
    _assert_same_results(model, result.model, feeds)


@pytest.mark.parametrize("op", ["Identity", "Shape"])
def test_foldable_op_with_subgraph_attribute_kept(op):
    """Any node carrying a graph attribute is kept, before the Shape/Size/Constant fast
    paths and before evaluation: an op that would fold here (Identity of an initializer,
    Shape of a static input) stays when it has one."""
    sub = helper.make_graph([], "sub", [], [])
    nodes = [helper.make_node(op, ["a"], ["b"], body=sub),
             helper.make_node("Add", ["b", "z"], ["y"])]
    model = _model(nodes, [_vi("z", I64, [1])], [_vi("y", I64, [1])],
                   {"a": np.array([4], np.int64)})
    if op == "Shape":  # of a static graph input rather than an initializer
        del model.graph.initializer[:]
        model.graph.input.append(_vi("a", F32, [3]))
    result = fold_constants(model)
    assert result.model is model and result.folded == []


@pytest.mark.parametrize("op", ["MatMul", "Sqrt", "Softmax"])
def test_ops_outside_foldable_set_kept(op):
    """Ops outside FOLDABLE_OPS are not precomputed even on constant inputs (folding is
    for shape arithmetic, not weights)."""
    assert op not in FOLDABLE_OPS
    inputs = ["a", "a"] if op == "MatMul" else ["a"]
    nodes = [helper.make_node(op, inputs, ["b"]), helper.make_node("Add", ["b", "x"], ["y"])]
    model = _model(nodes, [_vi("x", F32, [2, 2])], [_vi("y", F32, [2, 2])],
                   {"a": np.eye(2, dtype=np.float32)})
    result = fold_constants(model)
    assert result.model is model and result.folded == []


@pytest.mark.parametrize(("op", "a", "b"), [
    ("Gather", [1, 2, 3], [5]),       # index out of range
    ("Reshape", [1, 2, 3], [2]),      # 3 elements into shape [2]
    ("Expand", [1, 2, 3], [2]),       # incompatible broadcast
], ids=["gather_oob", "reshape_size", "expand_broadcast"])
def test_failing_evaluation_kept(op, a, b):
    """A foldable node whose evaluation raises is kept (with its constant inputs), while
    the Constant feeding it still folds."""
    nodes = [helper.make_node("Constant", [], ["b"], name="b",
                              value=numpy_helper.from_array(np.array(b, np.int64))),
             helper.make_node(op, ["a", "b"], ["c"], name="bad"),
             helper.make_node("Identity", ["c"], ["y"])]
    model = _model(nodes, [], [helper.make_empty_tensor_value_info("y")],
                   {"a": np.array(a, np.int64)})
    result = fold_constants(model)
    assert result.folded == ["Constant 'b'"]
    assert _op_types(result.model) == [op, "Identity"]
    assert set(_initializers(result.model)) == {"a", "b"}


# -- 8. which values become initializers -------------------------------------------------
def test_only_values_read_by_kept_nodes_become_initializers():
    """Intermediate folded values (read only by other folded nodes) are not added; only
    the value the kept node reads is."""
    nodes = [helper.make_node("Constant", [], ["a"], value_ints=[2, 3]),
             helper.make_node("Constant", [], ["b"], value_ints=[10, 20]),
             helper.make_node("Mul", ["a", "b"], ["ab"]),
             helper.make_node("Add", ["ab", "a"], ["c"]),
             helper.make_node("Constant", [], ["dead"], value_ints=[1]),
             helper.make_node("Neg", ["dead"], ["dead2"]),
             helper.make_node("Add", ["c", "z"], ["y"])]
    model = _model(nodes, [_vi("z", I64, [2])], [_vi("y", I64, [2])])
    result = fold_constants(model)
    assert len(result.folded) == 6
    assert _op_types(result.model) == ["Add"]
    inits = _initializers(result.model)
    assert list(inits) == ["c"]
    np.testing.assert_array_equal(inits["c"], [22, 63])
    onnx.checker.check_model(result.model, full_check=True)
    _assert_same_results(model, result.model, {"z": np.array([1, -1], np.int64)})


def test_existing_initializers_not_duplicated():
    """An initializer read by both folded and kept nodes appears once, unchanged; unused
    existing initializers are left alone."""
    w = np.array([1, 2, 3], np.int64)
    nodes = [helper.make_node("Neg", ["w"], ["nw"], name="neg"),
             helper.make_node("Add", ["w", "z"], ["s"]),
             helper.make_node("Add", ["s", "nw"], ["y"])]
    model = _model(nodes, [_vi("z", I64, [3])], [_vi("y", I64, [3])],
                   {"w": w, "spare": np.array([0], np.int64)})
    result = fold_constants(model)
    assert result.folded == ["Neg 'neg'"]
    names = [init.name for init in result.model.graph.initializer]
    assert names == ["w", "spare", "nw"]
    inits = _initializers(result.model)
    np.testing.assert_array_equal(inits["w"], w)
    np.testing.assert_array_equal(inits["nw"], -w)
    _assert_same_results(model, result.model, {"z": np.array([5, 5, 5], np.int64)})


# -- 9. the input model is not mutated --------------------------------------------------
@pytest.mark.parametrize("build", [
    lambda: _view_chain([2, 3, 8]),
    lambda: _view_chain(["N", 3, 8]),
    _if_model,
    lambda: _constant_of_shape([3, 4]),
], ids=["view_chain", "symbolic", "if", "constant_of_shape"])
def test_input_model_not_mutated(build):
    """fold_constants leaves its argument byte-identical (nodes, initializers, value
    infos), whatever it folds."""
    model = build()
    before = model.SerializeToString()
    result = fold_constants(model, max_elements=8)
    assert model.SerializeToString() == before
    if result.folded:
        assert result.model is not model


# -- 10. integer semantics through the reference evaluator -------------------------------
def _i64(*values: int) -> np.ndarray:
    return np.array(values, np.int64)


_CHAINS = {
    # ONNX integer Div truncates toward zero (exact at the int64 extremes)
    "div_int64": ([helper.make_node("Div", ["a", "b"], ["c"])],
                  {"a": _i64(-7, 7, -1, 2**62 + 1), "b": _i64(2, -2, 3, 3)}, I64),
    # integer Mod (fmod=0) takes the divisor's sign; fmod=1 the dividend's
    "mod": ([helper.make_node("Mod", ["a", "b"], ["c"])],
            {"a": _i64(-7, 7, -7, 7), "b": _i64(2, -2, -3, 3)}, I64),
    "fmod": ([helper.make_node("Mod", ["a", "b"], ["c"], fmod=1)],
             {"a": _i64(-7, 7, -7, 7), "b": _i64(2, -2, -3, 3)}, I64),
    "div_cast_float": ([helper.make_node("Div", ["a", "b"], ["q"]),
                        helper.make_node("Cast", ["q"], ["c"], to=F32)],
                       {"a": _i64(-9, 9, 100), "b": _i64(4, 4, 7)}, F32),
    "float_floor_ceil_cast": ([helper.make_node("Div", ["f", "g"], ["q"]),
                               helper.make_node("Floor", ["q"], ["fl"]),
                               helper.make_node("Ceil", ["q"], ["ce"]),
                               helper.make_node("Sub", ["ce", "fl"], ["d"]),
                               helper.make_node("Cast", ["d"], ["c"], to=I64)],
                              {"f": np.array([-2.7, 2.5, 6.0], np.float32),
                               "g": np.array([1.0, 1.0, 2.0], np.float32)}, I64),
    "cast_truncates": ([helper.make_node("Cast", ["f"], ["c"], to=I64)],
                       {"f": np.array([-2.7, -0.5, 0.5, 2.7], np.float32)}, I64),
    # PyTorch's "0 means keep" reshape-target fix-up: Where(Equal(s, 0), dims, s)
    "where_equal": ([helper.make_node("Equal", ["s", "zero"], ["eq"]),
                     helper.make_node("Where", ["eq", "dims", "s"], ["c"])],
                    {"s": _i64(2, 0, 4), "zero": _i64(0), "dims": _i64(2, 3, 4)}, I64),
    "greater_less_and_not_or": ([helper.make_node("Greater", ["s", "one"], ["g"]),
                                 helper.make_node("Less", ["s", "five"], ["le"]),
                                 helper.make_node("And", ["g", "le"], ["both"]),
                                 helper.make_node("Not", ["both"], ["nb"]),
                                 helper.make_node("Or", ["nb", "g"], ["any"]),
                                 helper.make_node("Where", ["any", "s", "one"], ["c"])],
                                {"s": _i64(0, 1, 3, 7), "one": _i64(1), "five": _i64(5)},
                                I64),
    "range": ([helper.make_node("Range", ["start", "limit", "delta"], ["c"])],
              {"start": np.array(10, np.int64), "limit": np.array(-3, np.int64),
               "delta": np.array(-4, np.int64)}, I64),
    "reduce_prod_sum_max_min": ([helper.make_node("ReduceProd", ["s"], ["p"], keepdims=1),
                                 helper.make_node("ReduceSum", ["s", "ax"], ["t"]),
                                 helper.make_node("ReduceMax", ["s"], ["mx"]),
                                 helper.make_node("ReduceMin", ["s"], ["mn"], keepdims=0),
                                 helper.make_node("Concat", ["p", "t", "mx"], ["pt"],
                                                  axis=0),
                                 helper.make_node("Sub", ["pt", "mn"], ["c"])],
                                {"s": _i64(2, 3, 4), "ax": _i64(0)}, I64),
    "slice_negative_step": ([helper.make_node("Slice", ["s", "st", "en", "ax", "sp"],
                                              ["c"])],
                            {"s": _i64(1, 2, 3, 4, 5, 6), "st": _i64(-1), "en": _i64(-100),
                             "ax": _i64(0), "sp": _i64(-2)}, I64),
    "tile_expand_transpose_flatten": ([helper.make_node("Tile", ["m", "reps"], ["t"]),
                                       helper.make_node("Expand", ["t", "shp"], ["e"]),
                                       helper.make_node("Transpose", ["e"], ["tr"],
                                                        perm=[0, 2, 1]),
                                       helper.make_node("Flatten", ["tr"], ["c"], axis=0)],
                                      {"m": np.arange(6, dtype=np.int64).reshape(2, 3),
                                       "reps": _i64(1, 2), "shp": _i64(2, 1, 1)}, I64),
    "squeeze_unsqueeze_reshape": ([helper.make_node("Unsqueeze", ["s", "ax"], ["u"]),
                                   helper.make_node("Squeeze", ["u", "ax"], ["q"]),
                                   helper.make_node("Reshape", ["q", "shp"], ["c"])],
                                  {"s": _i64(1, 2, 3, 4), "ax": _i64(0, -1),
                                   "shp": _i64(-1)}, I64),
    "neg_abs_max_min_identity": ([helper.make_node("Neg", ["s"], ["n"]),
                                  helper.make_node("Abs", ["n"], ["a"]),
                                  helper.make_node("Max", ["n", "lo"], ["mx"]),
                                  helper.make_node("Min", ["a", "mx", "hi"], ["mn"]),
                                  helper.make_node("Identity", ["mn"], ["c"])],
                                 {"s": _i64(-5, 3, 9), "lo": _i64(-4), "hi": _i64(8)}, I64),
    "constant_of_shape_int64": ([helper.make_node(
        "ConstantOfShape", ["s"], ["c"],
        value=numpy_helper.from_array(np.array([-3], np.int64)))], {"s": _i64(2, 3)}, I64),
    "gather_axis_negative_index": ([helper.make_node("Gather", ["s", "i"], ["c"], axis=0)],
                                   {"s": _i64(5, 6, 7), "i": _i64(-1, 0, -3)}, I64),
}


@pytest.mark.parametrize("case", list(_CHAINS))
def test_integer_semantics_match_reference(case):
    """Every node of a constant chain folds, and the folded model (the chain's result as
    an initializer, read by a kept Add) gives exactly what onnx.reference and ORT's CPU EP
    give on the unfolded model: same values, dtype and shape. The full checker accepts
    the folded model, so the folded value's dtype is what the graph declares."""
    nodes, inits, elem = _CHAINS[case]
    original_nodes = [*nodes, helper.make_node("Add", ["c", "z"], ["y"])]
    z = np.zeros([1], helper.tensor_dtype_to_np_dtype(elem))
    probe = _model(original_nodes, [_vi("z", elem, [1])], [_vi("y", elem, None)], inits)
    (want,) = _reference(probe, {"z": z})
    model = _model(original_nodes, [_vi("z", elem, [1])], [_vi("y", elem, want.shape)], inits)
    result = fold_constants(model)
    assert len(result.folded) == len(nodes), result.folded
    assert _op_types(result.model) == ["Add"]
    assert set(_initializers(result.model)) == set(inits) | {"c"}
    onnx.checker.check_model(result.model, full_check=True)
    _assert_same_results(model, result.model, {"z": z}, ort=True)


def test_all_chain_ops_are_foldable():
    """The integer-semantics cases only use ops of FOLDABLE_OPS (so they test folding,
    not the keep path)."""
    used = {node.op_type for nodes, _, _ in _CHAINS.values() for node in nodes}
    assert used <= FOLDABLE_OPS, used - FOLDABLE_OPS


# -- 11. end to end with the WebNN translator --------------------------------------------
def _report(model: onnx.ModelProto):
    graph = from_onnx_model(model)
    return graph, analyze(context("reference"), graph, graph_predecessors(graph))


def test_translator_supports_folded_view_chain():
    """Unfolded, the translator refuses the Reshape (its target is computed: "dynamic
    shape"); folded, every remaining node is supported, they form one partition, and
    WebNN's result equals onnx.reference's."""
    model = _view_chain([2, 3, 8])
    _, before = _report(model)
    reshape = next(n for n in before.nodes if n.op_type == "Reshape")
    assert not reshape.supported and reshape.kind == "dynamic shape", reshape.reason

    folded = fold_constants(model).model
    graph, after = _report(folded)
    assert [n.op_type for n in after.nodes] == ["Reshape", "Relu"]
    assert all(n.supported for n in after.nodes), [n.reason for n in after.nodes]
    assert after.partitions == [[0, 1]]

    x = rng.standard_normal((2, 3, 8)).astype(np.float32)
    got = run_graph(context("reference"), graph, {"x": x})
    (want,) = _reference(model, {"x": x})
    np.testing.assert_array_equal(got["y"], want)


def test_translator_supports_folded_transformer_style_shapes():
    """A transformer-style head split: ``x.view(b, s, heads, -1).transpose(1, 2)`` with
    b and s read by Shape/Gather, plus a Where-guarded target: unfolded the Reshape is a
    dynamic shape; folded, all nodes are supported and WebNN matches onnx.reference."""
    heads = 2
    nodes = [
        helper.make_node("Shape", ["x"], ["shape"]),
        helper.make_node("Constant", [], ["i0"], value_ints=[0]),
        helper.make_node("Constant", [], ["i1"], value_ints=[1]),
        helper.make_node("Gather", ["shape", "i0"], ["b"]),
        helper.make_node("Gather", ["shape", "i1"], ["s"]),
        helper.make_node("Constant", [], ["tail"], value_ints=[heads, -1]),
        helper.make_node("Concat", ["b", "s", "tail"], ["raw"], axis=0),
        helper.make_node("Constant", [], ["zero"], value_int=0),
        helper.make_node("Equal", ["raw", "zero"], ["is0"]),
        helper.make_node("Where", ["is0", "shape_pad", "raw"], ["target"]),
        helper.make_node("Reshape", ["x", "target"], ["r"]),
        helper.make_node("Transpose", ["r"], ["y"], perm=[0, 2, 1, 3]),
    ]
    x_shape = [2, 5, 8]
    model = _model(nodes, [_vi("x", F32, x_shape)], [_vi("y", F32, [2, heads, 5, 4])],
                   {"shape_pad": np.array([1, 1, 1, 1], np.int64)})
    _, before = _report(model)
    reshape = next(n for n in before.nodes if n.op_type == "Reshape")
    assert not reshape.supported and reshape.kind == "dynamic shape", reshape.reason

    result = fold_constants(model)
    assert _op_types(result.model) == ["Reshape", "Transpose"]
    graph, after = _report(result.model)
    assert all(n.supported for n in after.nodes), [n.reason for n in after.nodes]
    x = rng.standard_normal(x_shape).astype(np.float32)
    got = run_graph(context("reference"), graph, {"x": x})
    (want,) = _reference(model, {"x": x})
    np.testing.assert_array_equal(got["y"], want)


# -- the numpy fast path of Unsqueeze / Squeeze ----------------------------------------------
@pytest.mark.parametrize("op, shape, axes, opset", [
    ("Unsqueeze", (3,), [1, 2], 11), ("Unsqueeze", (3, 4), [-1, 0], 13),
    ("Unsqueeze", (), [0], 13), ("Squeeze", (1, 3, 1), [0, -1], 13),
    ("Squeeze", (1, 3, 1), [2], 11)])
def test_squeeze_unsqueeze_fold_as_onnx_reference_computes(op, shape, axes, opset):
    """Exporters write an Unsqueeze per BatchNormalization parameter (DenseNet-121: 242);
    they fold with numpy, to exactly onnx.reference's value."""
    from webnn_providers.onnx.folding import _evaluate, _squeeze_or_unsqueeze

    x = rng.standard_normal(shape).astype(np.float32)
    if opset >= 13:
        node = helper.make_node(op, ["x", "a"], ["y"])
        known = {"x": x, "a": np.array(axes, np.int64)}
    else:
        node = helper.make_node(op, ["x"], ["y"], axes=axes)
        known = {"x": x}
    fast = _squeeze_or_unsqueeze(node, known)["y"]
    slow = _evaluate(node, known, opset)["y"]
    assert fast.shape == slow.shape and fast.dtype == slow.dtype
    np.testing.assert_array_equal(fast, slow)


def test_squeeze_unsqueeze_fast_path_leaves_the_unusual_to_onnx_reference():
    from webnn_providers.onnx.folding import _squeeze_or_unsqueeze

    x = np.zeros((1, 3), np.float32)
    no_axes = helper.make_node("Squeeze", ["x"], ["y"])
    bad_axis = helper.make_node("Squeeze", ["x", "a"], ["y"])
    repeated = helper.make_node("Unsqueeze", ["x", "a"], ["y"])
    assert _squeeze_or_unsqueeze(no_axes, {"x": x}) is None
    assert _squeeze_or_unsqueeze(bad_axis, {"x": x, "a": np.array([1], np.int64)}) is None
    assert _squeeze_or_unsqueeze(repeated, {"x": x, "a": np.array([0, 0], np.int64)}) is None


def test_folding_reads_only_the_initializers_it_folds(monkeypatch):
    """Weights are never converted to arrays by the folder (ResNet-50: 100 MB): only the
    inputs of nodes that may fold are read."""
    import webnn_providers.onnx.folding as folding

    read = []
    real = folding.numpy_helper.to_array

    def counted(tensor, *args, **kwargs):
        read.append(tensor.name)
        return real(tensor, *args, **kwargs)

    monkeypatch.setattr(folding.numpy_helper, "to_array", counted)
    w = rng.standard_normal((4, 3, 3, 3)).astype(np.float32)
    model = _model(
        [helper.make_node("Conv", ["x", "w"], ["c"]),
         helper.make_node("Unsqueeze", ["s", "axes"], ["s4"]),
         helper.make_node("Mul", ["c", "s4"], ["y"])],
        [_vi("x", F32, [1, 3, 5, 5])], [_vi("y", F32, [1, 4, 3, 3])],
        {"w": w, "s": np.ones(4, np.float32), "axes": np.array([1, 2], np.int64)})
    result = fold_constants(model)
    assert _op_types(result.model) == ["Conv", "Mul"]
    assert "w" not in read and {"s", "axes"} <= set(read)
