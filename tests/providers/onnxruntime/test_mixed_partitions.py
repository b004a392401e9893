"""Supported ops of every translator family sandwiched between nodes the EP refuses, so
the session alternates WebNN / CPU / WebNN / CPU / WebNN partitions.

Each model is ``x -> Neg 'pre' -> Cast(DOUBLE) -> Cast(FLOAT) -> <op under test> ->
Cast(DOUBLE) -> Cast(FLOAT) -> Neg 'post' -> y``: WebNN has no float64, so the float64 round
trips (exact for float32 values) stay on the CPU EP and cut the graph; the op under test
reads a value computed on the CPU EP and feeds one read by the CPU EP. The outputs must
equal the CPU-only session's (float32 differences only) and the assignment must be exactly:
three WebNN partitions {pre}, {op nodes}, {post} and the four Casts on the CPU EP.
"""

from __future__ import annotations

import numpy as np
import onnx
import onnxruntime as ort
import pytest
from onnx import TensorProto, helper, numpy_helper

from tests.providers.onnxruntime._ort_models import EP

OPSET = 21
RNG = np.random.default_rng(1234)


def _w(*shape, scale=1.0):
    return (RNG.standard_normal(shape) * scale).astype(np.float32)


def _init(name, array):
    return numpy_helper.from_array(np.asarray(array), name)


def _node(op, inputs, outputs, name, **attrs):
    return helper.make_node(op, inputs, outputs, name=name, **attrs)


class Case:
    """The op under test: nodes reading ``a`` (float32 ``shape``) and writing float32 ``b``."""

    def __init__(self, family, name, shape, nodes, inits=(), rtol=1e-5, atol=1e-5,
                 value_info=None, xfail=None):
        self.family, self.name, self.shape = family, name, list(shape)
        self.nodes, self.inits = nodes, list(inits)
        self.rtol, self.atol = rtol, atol
        #: declared shapes of values neither ONNX nor ORT infers (float32)
        self.value_info = value_info or {}
        self.xfail = xfail

    @property
    def id(self):
        return f"{self.family}-{self.name}"


def _cases() -> list[Case]:
    c: list[Case] = []
    # -- elementwise
    c.append(Case("elementwise", "add_div_max", [2, 3, 4], [
        _node("Add", ["a", "c"], ["t0"], "add"),
        _node("Div", ["t0", "d"], ["t1"], "div"),
        _node("Max", ["t1", "a"], ["t2"], "max"),
        _node("Abs", ["t2"], ["t3"], "abs"),
        _node("Pow", ["t3", "e"], ["b"], "pow")],
        [_init("c", _w(4)), _init("d", np.array([2.0, -4.0, 0.5, 8.0], np.float32)),
         _init("e", np.array(1.5, np.float32))]))
    # -- activations
    for op, attrs in [("Sigmoid", {}), ("HardSwish", {}), ("LeakyRelu", {"alpha": 0.3}),
                      ("Elu", {"alpha": 0.7}), ("Gelu", {"approximate": "tanh"}),
                      ("Softmax", {"axis": -1}), ("LogSoftmax", {"axis": 1}),
                      ("Softplus", {}), ("Mish", {})]:
        c.append(Case("activations", op.lower(), [2, 5, 6],
                      [_node(op, ["a"], ["b"], op.lower(), **attrs)]))
    c.append(Case("activations", "clip_prelu", [2, 3, 4], [
        _node("Clip", ["a", "lo", "hi"], ["t0"], "clip"),
        _node("PRelu", ["t0", "slope"], ["b"], "prelu")],
        [_init("lo", np.array(-1.0, np.float32)), _init("hi", np.array(1.5, np.float32)),
         _init("slope", _w(3, 1, scale=0.2))]))
    # -- conv / pool
    c.append(Case("conv_pool", "conv_maxpool", [1, 3, 9, 9], [
        _node("Conv", ["a", "W", "B"], ["t0"], "conv", pads=[1, 1, 1, 1], strides=[1, 1]),
        _node("MaxPool", ["t0"], ["b"], "maxpool", kernel_shape=[3, 3], strides=[2, 2])],
        [_init("W", _w(4, 3, 3, 3)), _init("B", _w(4))], rtol=1e-4))
    c.append(Case("conv_pool", "depthwise_conv_avgpool", [1, 4, 8, 8], [
        _node("Conv", ["a", "W"], ["t0"], "dwconv", group=4, kernel_shape=[3, 3],
              dilations=[2, 2], pads=[2, 2, 2, 2]),
        _node("AveragePool", ["t0"], ["b"], "avgpool", kernel_shape=[2, 2], strides=[2, 2],
              count_include_pad=0)],
        [_init("W", _w(4, 1, 3, 3))], rtol=1e-4))
    c.append(Case("conv_pool", "conv_transpose_global_pool", [1, 2, 5, 5], [
        _node("ConvTranspose", ["a", "W"], ["t0"], "convT", strides=[2, 2],
              output_padding=[1, 1], pads=[1, 1, 1, 1]),
        _node("GlobalAveragePool", ["t0"], ["t1"], "gap"),
        _node("Mul", ["t0", "t1"], ["b"], "scale")],
        [_init("W", _w(2, 3, 3, 3))], rtol=1e-4))
    # -- normalization
    c.append(Case("normalization", "batch_norm", [2, 3, 4, 4], [
        _node("BatchNormalization", ["a", "s", "o", "m", "v"], ["b"], "bn", epsilon=1e-3)],
        [_init("s", _w(3)), _init("o", _w(3)), _init("m", _w(3)),
         _init("v", np.array([0.5, 1.0, 2.0], np.float32))], rtol=1e-4))
    c.append(Case("normalization", "instance_norm", [2, 3, 5, 5], [
        _node("InstanceNormalization", ["a", "s", "o"], ["b"], "inorm")],
        [_init("s", _w(3)), _init("o", _w(3))], rtol=1e-4, atol=1e-4))
    c.append(Case("normalization", "layer_norm", [2, 4, 6], [
        _node("LayerNormalization", ["a", "s", "o"], ["b"], "lnorm", axis=-1)],
        [_init("s", _w(6)), _init("o", _w(6))], rtol=1e-4, atol=1e-4))
    c.append(Case("normalization", "group_norm_lrn", [1, 4, 3, 3], [
        _node("GroupNormalization", ["a", "s", "o"], ["t0"], "gnorm", num_groups=2),
        _node("LRN", ["t0"], ["b"], "lrn", size=3)],
        [_init("s", _w(4)), _init("o", _w(4))], rtol=1e-4, atol=1e-4,
        # GroupNormalization (a function op) has no type/shape inference in ONNX or ORT:
        # without this the values after it have unknown shapes and stay on the CPU EP
        value_info={"t0": [1, 4, 3, 3]}))
    # -- matmul / gemm / einsum
    c.append(Case("matmul", "matmul", [2, 3, 5], [
        _node("MatMul", ["a", "W"], ["b"], "matmul")], [_init("W", _w(5, 4))], rtol=1e-4))
    c.append(Case("matmul", "gemm", [3, 5], [
        _node("Gemm", ["a", "W", "C"], ["b"], "gemm", transB=1, alpha=0.5, beta=2.0)],
        [_init("W", _w(4, 5)), _init("C", _w(4))], rtol=1e-4))
    c.append(Case("matmul", "einsum", [2, 3, 5], [
        _node("Einsum", ["a", "W"], ["b"], "einsum", equation="bij,jk->bik")],
        [_init("W", _w(5, 4))], rtol=1e-4))
    # -- resize
    c.append(Case("resize", "linear_scales", [1, 2, 4, 5], [
        _node("Resize", ["a", "", "sc"], ["b"], "resize", mode="linear")],
        [_init("sc", np.array([1, 1, 2, 2], np.float32))], rtol=1e-5))
    c.append(Case("resize", "nearest_sizes", [1, 2, 4, 5], [
        _node("Resize", ["a", "", "", "sz"], ["b"], "resize", mode="nearest",
              nearest_mode="floor", coordinate_transformation_mode="asymmetric")],
        [_init("sz", np.array([1, 2, 8, 10], np.int64))]))
    # -- shape ops
    c.append(Case("shape", "reshape_transpose_concat", [2, 3, 4], [
        _node("Reshape", ["a", "shp"], ["t0"], "reshape"),
        _node("Transpose", ["t0"], ["t1"], "transpose", perm=[1, 0]),
        _node("Concat", ["t1", "t1"], ["b"], "concat", axis=0)],
        [_init("shp", np.array([6, -1], np.int64))]))
    c.append(Case("shape", "split_slice_pad", [2, 6, 4], [
        _node("Split", ["a"], ["s0", "s1"], "split", axis=1, num_outputs=2),
        _node("Slice", ["s1", "st", "en", "ax", "sp"], ["t0"], "slice"),
        _node("Pad", ["t0", "pads", "pv"], ["t1"], "pad", mode="reflect"),
        _node("Add", ["s0", "t1"], ["b"], "add")],
        [_init("st", np.array([-1, 1], np.int64)), _init("en", np.array([-4, 3], np.int64)),
         _init("ax", np.array([1, 2], np.int64)), _init("sp", np.array([-1, 1], np.int64)),
         _init("pads", np.array([0, 0, 1, 0, 0, 1], np.int64)),
         _init("pv", np.array(0.0, np.float32))]))
    c.append(Case("shape", "unsqueeze_expand_tile_flatten", [3, 4], [
        _node("Unsqueeze", ["a", "ax1"], ["t0"], "unsqueeze"),
        _node("Expand", ["t0", "shp"], ["t1"], "expand"),
        _node("Tile", ["t1", "reps"], ["t2"], "tile"),
        _node("Flatten", ["t2"], ["b"], "flatten", axis=1)],
        [_init("ax1", np.array([1], np.int64)), _init("shp", np.array([3, 2, 4], np.int64)),
         _init("reps", np.array([1, 1, 2], np.int64))]))
    c.append(Case("shape", "depth_to_space", [1, 8, 2, 3], [
        _node("DepthToSpace", ["a"], ["t0"], "d2s", blocksize=2, mode="CRD"),
        _node("SpaceToDepth", ["t0"], ["b"], "s2d", blocksize=2)]))
    # -- indexing
    c.append(Case("indexing", "gather_gather_elements", [4, 5], [
        _node("Gather", ["a", "idx"], ["t0"], "gather", axis=1),
        _node("GatherElements", ["t0", "eidx"], ["b"], "gather_elements", axis=0)],
        [_init("idx", np.array([[4, 0], [-1, 2]], np.int64)),
         _init("eidx", np.array([[[3, 0], [1, 1]], [[0, 2], [2, 3]]], np.int64))]))
    c.append(Case("indexing", "gather_nd_scatter_nd", [3, 4], [
        _node("GatherND", ["a", "nidx"], ["t0"], "gather_nd"),
        _node("ScatterND", ["a", "sidx", "t0"], ["b"], "scatter_nd")],
        [_init("nidx", np.array([[0, 1], [2, 3]], np.int64)),
         _init("sidx", np.array([[1, 0], [0, 2]], np.int64))]))
    c.append(Case("indexing", "topk_trilu", [3, 6], [
        _node("TopK", ["a", "k"], ["t0", "i0"], "topk", axis=1),
        _node("Trilu", ["t0"], ["b"], "trilu", upper=0)],
        [_init("k", np.array([1], np.int64))]))
    # -- reductions
    c.append(Case("reduction", "mean_sum_max_l2", [2, 3, 4], [
        _node("ReduceMean", ["a", "ax1"], ["t0"], "rmean", keepdims=1),
        _node("ReduceSum", ["a", "ax2"], ["t1"], "rsum", keepdims=1),
        _node("ReduceMax", ["a"], ["t2"], "rmax", keepdims=1),
        _node("ReduceL2", ["a", "ax2"], ["t3"], "rl2", keepdims=1),
        _node("Sum", ["t0", "t1", "t2", "t3"], ["b"], "sum")],
        [_init("ax1", np.array([1], np.int64)), _init("ax2", np.array([2], np.int64))],
        rtol=1e-5))
    c.append(Case("reduction", "argmax_cumsum", [3, 5], [
        _node("ArgMax", ["a"], ["t0"], "argmax", axis=1, keepdims=1),
        _node("Cast", ["t0"], ["t1"], "argmax_float", to=TensorProto.FLOAT),
        _node("CumSum", ["a", "cax"], ["t2"], "cumsum"),
        _node("Add", ["t2", "t1"], ["b"], "add")],
        [_init("cax", np.array(1, np.int32))]))
    # -- recurrent
    hidden = 4
    c.append(Case("recurrent", "lstm", [3, 2, 5], [
        _node("LSTM", ["a", "W", "R", "B"], ["y", "yh", "yc"], "lstm", hidden_size=hidden),
        _node("Squeeze", ["y", "dir"], ["b"], "squeeze")],
        [_init("W", _w(1, 4 * hidden, 5, scale=0.5)), _init("R", _w(1, 4 * hidden, hidden,
                                                                  scale=0.5)),
         _init("B", _w(1, 8 * hidden, scale=0.1)), _init("dir", np.array([1], np.int64))],
        rtol=1e-4, atol=1e-5))
    c.append(Case("recurrent", "gru_bidirectional", [3, 2, 5], [
        _node("GRU", ["a", "W", "R"], ["y", "yh"], "gru", hidden_size=hidden,
              direction="bidirectional", linear_before_reset=1),
        _node("Transpose", ["yh"], ["b"], "transpose", perm=[1, 0, 2])],
        [_init("W", _w(2, 3 * hidden, 5, scale=0.5)),
         _init("R", _w(2, 3 * hidden, hidden, scale=0.5))], rtol=1e-4, atol=1e-5))
    c.append(Case("recurrent", "rnn", [3, 2, 5], [
        _node("RNN", ["a", "W", "R"], ["y", "yh"], "rnn", hidden_size=hidden),
        _node("Squeeze", ["yh", "dir"], ["b"], "squeeze")],
        [_init("W", _w(1, hidden, 5, scale=0.5)), _init("R", _w(1, hidden, hidden, scale=0.5)),
         _init("dir", np.array([0], np.int64))], rtol=1e-4, atol=1e-5))
    # -- quantization
    c.append(Case("quantization", "quantize_dequantize", [2, 3, 4], [
        _node("QuantizeLinear", ["a", "qs", "qz"], ["q"], "quantize"),
        _node("DequantizeLinear", ["q", "qs", "qz"], ["b"], "dequantize")],
        [_init("qs", np.array(0.0371, np.float32)), _init("qz", np.array(3, np.int8))]))
    c.append(Case("quantization", "per_axis_uint8", [2, 3, 4], [
        _node("QuantizeLinear", ["a", "qs", "qz"], ["q"], "quantize", axis=1),
        _node("DequantizeLinear", ["q", "qs", "qz"], ["b"], "dequantize", axis=1)],
        [_init("qs", np.array([0.0213, 0.0377, 0.0119], np.float32)),
         _init("qz", np.array([128, 100, 140], np.uint8))]))
    c.append(Case("quantization", "dynamic_quantize", [3, 4], [
        _node("DynamicQuantizeLinear", ["a"], ["q", "qs", "qz"], "dyn_quantize"),
        _node("DequantizeLinear", ["q", "qs", "qz"], ["b"], "dequantize")], atol=1e-6))
    # -- cast / where
    c.append(Case("cast_where", "cast_int_round_trip", [3, 4], [
        _node("Mul", ["a", "ten"], ["t0"], "scale"),
        _node("Cast", ["t0"], ["t1"], "to_int32", to=TensorProto.INT32),
        _node("Cast", ["t1"], ["b"], "to_float", to=TensorProto.FLOAT)],
        [_init("ten", np.array(10.0, np.float32))]))
    c.append(Case("cast_where", "where_greater", [3, 4], [
        _node("Greater", ["a", "zero"], ["cond"], "greater"),
        _node("Neg", ["a"], ["n"], "neg"),
        _node("Where", ["cond", "a", "n"], ["b"], "where")],
        [_init("zero", np.array(0.0, np.float32))]))
    return c


# regression: ORT hands the EP RNN's schema-default activations ['Tanh', 'Tanh'] for a
# forward RNN without the attribute; the translator used to refuse it
CASES = _cases()
CAST_NODES = {"to64_in", "to32_in", "to64_out", "to32_out"}


def sandwich(case: Case) -> onnx.ModelProto:
    nodes = [
        _node("Neg", ["sw_x"], ["sw_p"], "pre"),
        _node("Cast", ["sw_p"], ["sw_p64"], "to64_in", to=TensorProto.DOUBLE),
        _node("Cast", ["sw_p64"], ["a"], "to32_in", to=TensorProto.FLOAT),
        *case.nodes,
        _node("Cast", ["b"], ["sw_b64"], "to64_out", to=TensorProto.DOUBLE),
        _node("Cast", ["sw_b64"], ["sw_c"], "to32_out", to=TensorProto.FLOAT),
        _node("Neg", ["sw_c"], ["sw_y"], "post"),
    ]
    output = helper.make_tensor_value_info("sw_y", TensorProto.FLOAT, [])
    output.type.tensor_type.ClearField("shape")  # ORT infers it (onnx.checker would want it)
    graph = helper.make_graph(
        nodes, case.id, [helper.make_tensor_value_info("sw_x", TensorProto.FLOAT, case.shape)],
        [output], case.inits,
        value_info=[helper.make_tensor_value_info(name, TensorProto.FLOAT, shape)
                    for name, shape in case.value_info.items()])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)],
                              ir_version=10)
    return model


def _assignment(session) -> list[tuple[str, frozenset]]:
    return [(s.ep_name, frozenset(n.name for n in s.get_nodes()))
            for s in session.get_provider_graph_assignment_info()]


@pytest.mark.parametrize("case", [
    pytest.param(c, id=c.id, marks=[pytest.mark.xfail(strict=True, reason=c.xfail,
                                                     raises=AssertionError)]
                 if c.xfail else []) for c in CASES])
def test_sandwiched_op(webnn_ort, case):
    model = sandwich(case)
    data = model.SerializeToString()
    so = ort.SessionOptions()
    so.log_severity_level = 3
    so.add_session_config_entry("session.record_ep_graph_assignment_info", "1")
    session = ort.InferenceSession(data, so, providers=[(EP, {"backend": "openvino"}),
                                                        "CPUExecutionProvider"],
                                   enable_fallback=0)
    cpu = ort.InferenceSession(data, so, providers=["CPUExecutionProvider"])
    x = np.random.default_rng(7).standard_normal(case.shape).astype(np.float32)
    (got,) = session.run(None, {"sw_x": x})
    (want,) = cpu.run(None, {"sw_x": x})
    assert got.dtype == want.dtype and got.shape == want.shape
    np.testing.assert_allclose(got, want, rtol=case.rtol, atol=case.atol)

    # WebNN: {pre}, {the op's nodes (ORT's level-1 optimizations may rename or fold some)},
    # {post}; the CPU EP: exactly the four Casts
    assigned = _assignment(session)
    webnn = [nodes for ep, nodes in assigned if ep == EP]
    cpu_nodes = set().union(*(nodes for ep, nodes in assigned if ep != EP))
    assert cpu_nodes == CAST_NODES, f"CPU EP nodes {sorted(cpu_nodes)}"
    assert len(webnn) == 3, f"WebNN partitions {[sorted(p) for p in webnn]}"
    assert frozenset({"pre"}) in webnn and frozenset({"post"}) in webnn
    (middle,) = [p for p in webnn if p not in ({"pre"}, {"post"})]
    assert middle & {n.name for n in case.nodes}, f"the op's partition {sorted(middle)}"


def test_every_family_covered():
    families = {c.family for c in CASES}
    assert families == {"elementwise", "activations", "conv_pool", "normalization", "matmul",
                        "resize", "shape", "indexing", "reduction", "recurrent",
                        "quantization", "cast_where"}
