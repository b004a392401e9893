"""ONNX models on OpenCV DNN with ``DNN_BACKEND_WEBNN``, compared with plain OpenCV (same
model, default backend): op families alone and sandwiched between nodes WebNN refuses (so
WebNN partitions alternate with OpenCV nodes), multi-input/multi-output partitions, NCHW and
NHWC inputs, non-float boundaries, dynamic batch, and real/light models.

Tolerances (tests/providers/opencv/helpers.py): bit-exact for data movement and max/relu-like
ops, a few ULP for element-wise functions, rtol 1e-4 / atol 1e-5 (scaled to the output's
magnitude) for convolution, matmul, normalization and reduction chains.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import cv2
import numpy as np
import onnx
import onnxruntime as ort
import pytest
from onnx import TensorProto
from webnn_providers import opencv as webnn_cv
from webnn_providers.testing import SHARED_MODELS

from tests.providers.opencv.helpers import (
    ACCUM,
    CAST_NODES,
    ELEMENTWISE,
    EXACT,
    Tol,
    assert_outputs_match,
    build_model,
    check,
    expected_outputs,
    mismatch,
    node,
    report_kinds,
    run_plain,
    sandwich,
    webnn_net,
    weight,
)

I64 = np.int64


def _x(shape, seed: int = 7, scale: float = 1.0) -> np.ndarray:
    return weight(seed, *shape, scale=scale)


@dataclass
class Case:
    """Nodes reading float32 ``a`` of ``shape`` and writing float32 ``b``."""

    family: str
    name: str
    shape: list[int]
    nodes: list[onnx.NodeProto]
    inits: dict[str, np.ndarray] = field(default_factory=dict)
    tol: Tol = EXACT
    opset: int = 13
    #: the refusal kind when WebNN must leave every node of the case to OpenCV
    refused: str = ""
    #: why plain OpenCV cannot be the oracle (it is wrong or cannot import the op): the
    #: case compares with onnx.reference and asserts OpenCV's problem is still there
    opencv_bug: str = ""

    @property
    def id(self) -> str:
        return f"{self.family}-{self.name}"


def _conv_cases() -> list[Case]:
    c = []
    c.append(Case("conv", "bias_pads", [1, 3, 9, 9], [
        node("Conv", ["a", "W", "B"], ["b"], "conv", pads=[1, 1, 1, 1])],
        {"W": weight(1, 4, 3, 3, 3), "B": weight(2, 4)}, ACCUM))
    c.append(Case("conv", "strides_asym_pads", [1, 3, 10, 9], [
        node("Conv", ["a", "W"], ["b"], "conv", pads=[0, 1, 2, 1], strides=[2, 3],
             kernel_shape=[3, 2])],
        {"W": weight(3, 5, 3, 3, 2)}, ACCUM))
    c.append(Case("conv", "groups_dilations", [1, 4, 11, 11], [
        node("Conv", ["a", "W", "B"], ["b"], "conv", group=2, dilations=[2, 3],
             pads=[2, 3, 2, 3])],
        {"W": weight(4, 6, 2, 3, 3), "B": weight(5, 6)}, ACCUM))
    c.append(Case("conv", "depthwise_same_upper", [1, 4, 8, 7], [
        node("Conv", ["a", "W"], ["b"], "conv", group=4, auto_pad="SAME_UPPER",
             strides=[2, 2], kernel_shape=[3, 3])],
        {"W": weight(6, 4, 1, 3, 3)}, ACCUM))
    c.append(Case("conv", "pointwise_1x1", [2, 8, 5, 5], [
        node("Conv", ["a", "W", "B"], ["b"], "conv")],
        {"W": weight(7, 16, 8, 1, 1), "B": weight(8, 16)}, ACCUM))
    c.append(Case("conv", "conv_transpose", [1, 2, 5, 5], [
        node("ConvTranspose", ["a", "W", "B"], ["b"], "convT", strides=[2, 2],
             output_padding=[1, 1], pads=[1, 1, 1, 1])],
        {"W": weight(9, 2, 3, 3, 3), "B": weight(10, 3)}, ACCUM))
    c.append(Case("conv", "conv_transpose_groups", [1, 4, 4, 5], [
        node("ConvTranspose", ["a", "W"], ["b"], "convT", group=2, strides=[2, 1],
             pads=[0, 1, 0, 1])],
        {"W": weight(11, 4, 3, 3, 3)}, ACCUM))
    return c


def _matmul_cases() -> list[Case]:
    return [
        Case("matmul", "gemm_transB", [3, 5], [
            node("Gemm", ["a", "W", "C"], ["b"], "gemm", transB=1, alpha=0.5, beta=2.0)],
            {"W": weight(12, 4, 5), "C": weight(13, 4)}, ACCUM),
        Case("matmul", "gemm_plain", [2, 6], [
            node("Gemm", ["a", "W", "C"], ["b"], "gemm")],
            {"W": weight(14, 6, 3), "C": weight(15, 1, 3)}, ACCUM),
        Case("matmul", "matmul_3d", [2, 3, 5], [
            node("MatMul", ["a", "W"], ["b"], "matmul")], {"W": weight(16, 5, 4)}, ACCUM),
        Case("matmul", "matmul_add", [4, 6], [
            node("MatMul", ["a", "W"], ["t0"], "matmul"),
            node("Add", ["t0", "B"], ["b"], "add")],
            {"W": weight(17, 6, 3), "B": weight(18, 3)}, ACCUM),
    ]


def _norm_cases() -> list[Case]:
    return [
        Case("norm", "batch_norm", [2, 3, 4, 4], [
            node("BatchNormalization", ["a", "s", "o", "m", "v"], ["b"], "bn", epsilon=1e-3)],
            {"s": weight(19, 3), "o": weight(20, 3), "m": weight(21, 3),
             "v": np.array([0.5, 1.0, 2.0], np.float32)}, ACCUM),
        Case("norm", "instance_norm", [2, 3, 5, 5], [
            node("InstanceNormalization", ["a", "s", "o"], ["b"], "inorm")],
            {"s": weight(22, 3), "o": weight(23, 3)}, ACCUM),
        Case("norm", "lrn", [1, 5, 4, 4], [
            node("LRN", ["a"], ["b"], "lrn", size=3, alpha=1e-3, beta=0.75, bias=1.5)],
            {}, ACCUM),
    ]


def _activation_cases() -> list[Case]:
    c = []
    for op, attrs, tol in [("Relu", {}, EXACT), ("LeakyRelu", {"alpha": 0.3}, ELEMENTWISE),
                           ("Sigmoid", {}, ELEMENTWISE), ("Tanh", {}, ELEMENTWISE),
                           ("Elu", {"alpha": 0.7}, ELEMENTWISE),
                           ("HardSigmoid", {"alpha": 0.3, "beta": 0.4}, ELEMENTWISE),
                           ("Softplus", {}, ELEMENTWISE), ("Abs", {}, EXACT),
                           ("Exp", {}, ELEMENTWISE), ("Floor", {}, EXACT)]:
        c.append(Case("activation", op.lower(), [2, 3, 4, 5],
                      [node(op, ["a"], ["b"], op.lower(), **attrs)], {}, tol))
    c.append(Case("activation", "hardswish", [2, 3, 4, 5],
                  [node("HardSwish", ["a"], ["b"], "hardswish")], {}, ELEMENTWISE, opset=14))
    c.append(Case("activation", "prelu", [2, 3, 4, 5],
                  [node("PRelu", ["a", "slope"], ["b"], "prelu")],
                  {"slope": weight(24, 3, 1, 1, scale=0.2)}, ELEMENTWISE))
    c.append(Case("activation", "clip", [2, 3, 4, 5],
                  [node("Clip", ["a", "lo", "hi"], ["b"], "clip")],
                  {"lo": np.array(-0.5, np.float32), "hi": np.array(0.75, np.float32)}, EXACT))
    c.append(Case("activation", "relu6_clip", [2, 3, 4, 5], [
        node("Mul", ["a", "k"], ["t0"], "scale"),
        node("Clip", ["t0", "lo", "hi"], ["b"], "clip")],
        {"k": np.array(4.0, np.float32), "lo": np.array(0.0, np.float32),
         "hi": np.array(6.0, np.float32)}, EXACT))
    c.append(Case("activation", "softmax_axis1", [2, 5, 3], [
        node("Softmax", ["a"], ["b"], "softmax", axis=1)], {}, ELEMENTWISE))
    c.append(Case("activation", "softmax_last", [2, 3, 7], [
        node("Softmax", ["a"], ["b"], "softmax", axis=-1)], {}, ELEMENTWISE))
    return c


def _pool_cases() -> list[Case]:
    return [
        Case("pool", "maxpool_pads_strides", [1, 3, 9, 9], [
            node("MaxPool", ["a"], ["b"], "maxpool", kernel_shape=[3, 3], strides=[2, 2],
                 pads=[1, 1, 1, 1])]),
        Case("pool", "maxpool_ceil", [1, 2, 8, 7], [
            node("MaxPool", ["a"], ["b"], "maxpool", kernel_shape=[3, 2], strides=[2, 2],
                 ceil_mode=1)]),
        Case("pool", "avgpool_ceil", [1, 2, 8, 7], [
            node("AveragePool", ["a"], ["b"], "avgpool", kernel_shape=[3, 3], strides=[2, 2],
                 ceil_mode=1)], tol=ELEMENTWISE),
        Case("pool", "avgpool_pads_exclude", [1, 3, 6, 6], [
            node("AveragePool", ["a"], ["b"], "avgpool", kernel_shape=[3, 3],
                 pads=[1, 1, 1, 1], count_include_pad=0)], tol=ELEMENTWISE),
        Case("pool", "avgpool_pads_include", [1, 3, 6, 6], [
            node("AveragePool", ["a"], ["b"], "avgpool", kernel_shape=[3, 3], strides=[2, 2],
                 pads=[1, 1, 1, 1], count_include_pad=1)], tol=ELEMENTWISE,
            opencv_bug="OpenCV 4.14 ignores count_include_pad=1: border windows are "
                       "divided by their count of non-pad elements"),
        Case("pool", "global_average", [2, 4, 5, 6], [
            node("GlobalAveragePool", ["a"], ["b"], "gap")], tol=ACCUM),
        Case("pool", "global_max", [2, 4, 5, 6], [
            node("GlobalMaxPool", ["a"], ["b"], "gmp")]),
    ]


def _elementwise_cases() -> list[Case]:
    shape = [2, 3, 4, 5]
    return [
        Case("elementwise", "add_channel", shape, [
            node("Add", ["a", "c"], ["b"], "add")], {"c": weight(25, 3, 1, 1)}, ELEMENTWISE),
        Case("elementwise", "sub_row", shape, [
            node("Sub", ["a", "c"], ["b"], "sub")], {"c": weight(26, 5)}, ELEMENTWISE),
        Case("elementwise", "mul_scalar", shape, [
            node("Mul", ["a", "c"], ["b"], "mul")], {"c": np.array(1.7, np.float32)},
            ELEMENTWISE),
        Case("elementwise", "div_full", shape, [
            node("Div", ["a", "c"], ["b"], "div")],
            {"c": (np.abs(weight(27, *shape)) + 0.5).astype(np.float32)}, ELEMENTWISE),
        Case("elementwise", "self_ops", shape, [
            node("Mul", ["a", "a"], ["t0"], "square"),
            node("Sub", ["t0", "a"], ["t1"], "sub"),
            node("Max", ["t1", "a"], ["t2"], "max"),
            node("Min", ["t2", "c"], ["b"], "min")], {"c": weight(28, 1, 3, 1, 1)},
            ELEMENTWISE),
        Case("elementwise", "sqrt_pow", shape, [
            node("Abs", ["a"], ["t0"], "abs"),
            node("Sqrt", ["t0"], ["t1"], "sqrt"),
            node("Pow", ["t1", "e"], ["b"], "pow")], {"e": np.array(2.0, np.float32)},
            ELEMENTWISE),
    ]


def _shape_cases() -> list[Case]:
    return [
        Case("shape", "concat_const", [1, 2, 3, 4], [
            node("Concat", ["a", "c", "a"], ["b"], "concat", axis=1)],
            {"c": weight(29, 1, 3, 3, 4)}),
        Case("shape", "reshape_transpose", [2, 3, 4], [
            node("Reshape", ["a", "shp"], ["t0"], "reshape"),
            node("Transpose", ["t0"], ["b"], "transpose", perm=[1, 0])],
            {"shp": np.array([6, -1], I64)}),
        Case("shape", "transpose_4d", [1, 2, 3, 4], [
            node("Transpose", ["a"], ["b"], "transpose", perm=[0, 2, 3, 1])]),
        Case("shape", "flatten", [2, 3, 4, 5], [
            node("Flatten", ["a"], ["b"], "flatten", axis=2)]),
        Case("shape", "squeeze_unsqueeze", [2, 1, 4, 5], [
            node("Squeeze", ["a", "ax1"], ["t0"], "squeeze"),
            node("Unsqueeze", ["t0", "ax2"], ["b"], "unsqueeze")],
            {"ax1": np.array([1], I64), "ax2": np.array([3], I64)}),
        Case("shape", "slice_steps", [1, 3, 8, 9], [
            node("Slice", ["a", "st", "en", "ax", "sp"], ["b"], "slice")],
            {"st": np.array([1, 0, 1], I64), "en": np.array([3, 8, 9], I64),
             "ax": np.array([1, 2, 3], I64), "sp": np.array([1, 2, 3], I64)}),
        Case("shape", "slice_negative", [2, 6, 5], [
            node("Slice", ["a", "st", "en", "ax"], ["b"], "slice")],
            {"st": np.array([-4, 1], I64), "en": np.array([-1, 100], I64),
             "ax": np.array([1, -1], I64)}),
        Case("shape", "split_add", [2, 6, 4], [
            node("Split", ["a", "sizes"], ["s0", "s1", "s2"], "split", axis=1),
            node("Add", ["s0", "s2"], ["t0"], "add"),
            node("Concat", ["t0", "s1"], ["b"], "concat", axis=1)],
            {"sizes": np.array([2, 2, 2], I64)}),
        Case("shape", "pad_constant", [1, 2, 4, 5], [
            node("Pad", ["a", "pads", "pv"], ["b"], "pad")],
            {"pads": np.array([0, 0, 1, 2, 0, 0, 2, 1], I64),
             "pv": np.array(0.5, np.float32)}),
        Case("shape", "pad_reflect", [1, 2, 4, 5], [
            node("Pad", ["a", "pads"], ["b"], "pad", mode="reflect")],
            {"pads": np.array([0, 0, 1, 2, 0, 0, 2, 1], I64)}),
        Case("shape", "pad_edge", [1, 2, 4, 5], [
            node("Pad", ["a", "pads"], ["b"], "pad", mode="edge")],
            {"pads": np.array([0, 0, 2, 1, 0, 0, 1, 2], I64)}),
        Case("shape", "depth_to_space_dcr", [1, 8, 2, 3], [
            node("DepthToSpace", ["a"], ["b"], "d2s", blocksize=2)]),
        Case("shape", "depth_to_space_crd", [1, 8, 2, 3], [
            node("DepthToSpace", ["a"], ["b"], "d2s", blocksize=2, mode="CRD")]),
        Case("shape", "space_to_depth", [1, 2, 4, 6], [
            node("SpaceToDepth", ["a"], ["b"], "s2d", blocksize=2)]),
        Case("shape", "gather_const", [2, 5, 3], [
            node("Gather", ["a", "idx"], ["b"], "gather", axis=1)],
            {"idx": np.array([4, 0, 2], I64)}),
    ]


def _resize_cases() -> list[Case]:
    return [
        Case("resize", "nearest_scales", [1, 2, 4, 5], [
            node("Resize", ["a", "", "sc"], ["b"], "resize", mode="nearest")],
            {"sc": np.array([1, 1, 2, 2], np.float32)}),
        Case("resize", "linear_scales", [1, 2, 4, 5], [
            node("Resize", ["a", "", "sc"], ["b"], "resize", mode="linear",
                 coordinate_transformation_mode="half_pixel")],
            {"sc": np.array([1, 1, 2, 3], np.float32)}, ELEMENTWISE),
        Case("resize", "linear_default_transform", [1, 2, 4, 5], [
            node("Resize", ["a", "", "sc"], ["b"], "resize", mode="linear")],
            {"sc": np.array([1, 1, 2, 3], np.float32)}, ELEMENTWISE,
            opencv_bug="OpenCV 4.14 cannot import Resize mode=linear without an explicit "
                       "coordinate_transformation_mode ('interpolation' is linear)"),
        Case("resize", "linear_pytorch_half_pixel_sizes", [1, 2, 4, 5], [
            node("Resize", ["a", "", "", "sz"], ["b"], "resize", mode="linear",
                 coordinate_transformation_mode="pytorch_half_pixel")],
            {"sz": np.array([1, 2, 8, 10], I64)}, ELEMENTWISE),
        Case("resize", "linear_align_corners_refused", [1, 2, 4, 5], [
            node("Resize", ["a", "", "", "sz"], ["b"], "resize", mode="linear",
                 coordinate_transformation_mode="align_corners")],
            {"sz": np.array([1, 2, 7, 9], I64)}, ELEMENTWISE, refused="attribute"),
        Case("resize", "nearest_asymmetric_floor", [1, 2, 4, 5], [
            node("Resize", ["a", "", "", "sz"], ["b"], "resize", mode="nearest",
                 nearest_mode="floor", coordinate_transformation_mode="asymmetric")],
            {"sz": np.array([1, 2, 8, 10], I64)}),
        Case("resize", "upsample_opset9", [1, 2, 3, 4], [
            node("Upsample", ["a", "sc"], ["b"], "upsample", mode="nearest")],
            {"sc": np.array([1, 1, 2, 2], np.float32)}, opset=9),
    ]


def _reduce_cases() -> list[Case]:
    return [
        Case("reduce", "mean_hw", [2, 3, 4, 5], [
            node("ReduceMean", ["a"], ["b"], "rmean", axes=[2, 3], keepdims=1)], tol=ACCUM),
        Case("reduce", "mean_channels_nokeep", [2, 3, 4, 5], [
            node("ReduceMean", ["a"], ["b"], "rmean", axes=[1], keepdims=0)], tol=ACCUM),
        Case("reduce", "max_sum", [2, 3, 4], [
            node("ReduceMax", ["a"], ["t0"], "rmax", axes=[2], keepdims=1),
            node("ReduceSum", ["a", "ax"], ["t1"], "rsum", keepdims=1),
            node("Add", ["t0", "t1"], ["b"], "add")], {"ax": np.array([2], I64)}, ACCUM),
    ]


CASES = [*_conv_cases(), *_matmul_cases(), *_norm_cases(), *_activation_cases(),
         *_pool_cases(), *_elementwise_cases(), *_shape_cases(), *_resize_cases(),
         *_reduce_cases()]


def _params(cases: list[Case]) -> list:
    return [pytest.param(c, id=c.id) for c in cases]


def _oracle(case: Case, model: onnx.ModelProto, feeds: dict[str, np.ndarray]) -> str:
    """"opencv", or for a known OpenCV problem "onnx" once the problem is confirmed."""
    if not case.opencv_bug:
        return "opencv"
    want = expected_outputs(model, feeds, None, "onnx")
    try:
        plain = run_plain(model.SerializeToString(), feeds)
    except cv2.error:
        return "onnx"  # OpenCV cannot import it
    # the problems are OpenCV 4's (OpenCV 5 fixed some): the ONNX reference is the oracle
    assert webnn_cv.OPENCV_MAJOR >= 5 or mismatch(plain[0], want[0], case.tol) is not None, \
        f"OpenCV no longer shows the problem ({case.opencv_bug}): compare with it again"
    return "onnx"


@pytest.mark.parametrize("case", _params(CASES))
def test_op_alone(case: Case) -> None:
    """The op's nodes are the whole model: one partition with every node."""
    model = build_model(case.nodes, {"a": case.shape}, ["b"], case.inits, opset=case.opset)
    feeds = {"a": _x(case.shape)}
    core = [n.name for n in case.nodes]
    report = check(model, feeds, case.tol, taken=[] if case.refused else core,
                   partitions=[] if case.refused else [core],
                   oracle=_oracle(case, model, feeds))
    kinds = {n.kind for n in report.fallback}
    assert kinds == ({case.refused} if case.refused else set()), report.summary()


@pytest.mark.parametrize("case", _params(CASES))
def test_op_sandwiched(case: Case) -> None:
    """WebNN {pre} / OpenCV casts / WebNN {op} / OpenCV casts / WebNN {post}."""
    model = build_model(sandwich(case.nodes), {"x": case.shape}, ["y"], case.inits,
                        opset=case.opset)
    feeds = {"x": _x(case.shape)}
    core = [n.name for n in case.nodes]
    if case.refused:
        taken, partitions = ["pre", "post"], [["pre"], ["post"]]
    else:
        taken, partitions = ["pre", *core, "post"], [["pre"], core, ["post"]]
    report = check(model, feeds, case.tol, taken=taken, partitions=partitions,
                   oracle=_oracle(case, model, feeds))
    kinds = report_kinds(report)
    assert {k: v for k, v in kinds.items() if k in CAST_NODES} == dict.fromkeys(
        CAST_NODES, "dtype"), report.summary()
    assert {kinds.get(name, "") for name in core} == {case.refused}, report.summary()


def test_every_family_covered() -> None:
    assert {c.family for c in CASES} == {"conv", "matmul", "norm", "activation", "pool",
                                         "elementwise", "shape", "resize", "reduce"}


# -- multi-input / multi-output partitions ---------------------------------------------------


def _partition_nodes(net) -> list[tuple[list[str], list[str]]]:
    """(inputs, outputs) of each WebNNPartition node of the model OpenCV imported (on
    OpenCV 5 without its layout's shape carrier, repeated inputs and padding outputs)."""
    result = []
    for n in net.rewritten_model().graph.node:
        if n.op_type != "WebNNPartition":
            continue
        inputs = list(dict.fromkeys(i for i in n.input if not i.startswith(n.name)))
        outputs = [o.removesuffix("__flat") for o in n.output if not o.startswith(n.name)]
        result.append((inputs, outputs))
    return result


def test_two_graph_inputs_one_partition() -> None:
    """A partition reading both graph inputs (different ranks) and writing one output."""
    nodes = [node("Conv", ["img", "W", "B"], ["c"], "conv", pads=[1, 1, 1, 1]),
             node("Relu", ["c"], ["r"], "relu"),
             node("GlobalAveragePool", ["r"], ["g"], "gap"),
             node("Flatten", ["g"], ["f"], "flatten"),
             node("Concat", ["f", "vec"], ["cat"], "concat", axis=1),
             node("Gemm", ["cat", "Wg", "Bg"], ["y"], "gemm", transB=1)]
    inits = {"W": weight(30, 6, 3, 3, 3), "B": weight(31, 6), "Wg": weight(32, 5, 10),
             "Bg": weight(33, 5)}
    model = build_model(nodes, {"img": [1, 3, 8, 8], "vec": [1, 4]}, ["y"], inits)
    feeds = {"img": _x([1, 3, 8, 8]), "vec": _x([1, 4], seed=8)}
    check(model, feeds, ACCUM, partitions=[[n.name for n in nodes]])
    net = webnn_net(model.SerializeToString())
    assert _partition_nodes(net) == [(["img", "vec"], ["y"])]


def test_partition_reads_opencv_value_and_graph_input() -> None:
    """x1 goes through OpenCV's casts; the second partition reads their result and x2."""
    nodes = [node("Relu", ["x1"], ["r1"], "relu1"),
             node("Cast", ["r1"], ["r64"], "to64", to=TensorProto.DOUBLE),
             node("Cast", ["r64"], ["c"], "to32", to=TensorProto.FLOAT),
             node("Mul", ["c", "x2"], ["m"], "mul"),
             node("Conv", ["m", "W"], ["y"], "conv", pads=[1, 1, 1, 1])]
    model = build_model(nodes, {"x1": [1, 3, 6, 6], "x2": [1, 3, 6, 6]}, ["y"],
                        {"W": weight(34, 4, 3, 3, 3)})
    feeds = {"x1": _x([1, 3, 6, 6]), "x2": _x([1, 3, 6, 6], seed=9)}
    check(model, feeds, ACCUM, taken=["relu1", "mul", "conv"],
          partitions=[["relu1"], ["mul", "conv"]])
    net = webnn_net(model.SerializeToString())
    assert _partition_nodes(net) == [(["x1"], ["r1"]), (["c", "x2"], ["y"])]


def _split_model() -> onnx.ModelProto:
    """conv -> Split into s0 (a graph output), s1 (to OpenCV's casts) and s2 -> Sigmoid g;
    g is a graph output, goes to OpenCV's casts (y3) and to the second partition (mul)."""
    nodes = [node("Conv", ["x", "W"], ["c"], "conv", pads=[1, 1, 1, 1]),
             node("Split", ["c", "sizes"], ["y0", "s1", "s2"], "split", axis=1),
             node("Cast", ["s1"], ["s1_64"], "s1_to64", to=TensorProto.DOUBLE),
             node("Cast", ["s1_64"], ["c1"], "s1_to32", to=TensorProto.FLOAT),
             node("Sigmoid", ["s2"], ["g"], "sig"),
             node("Mul", ["c1", "g"], ["y1"], "mul"),
             node("Cast", ["g"], ["g64"], "g_to64", to=TensorProto.DOUBLE),
             node("Cast", ["g64"], ["y3"], "g_to32", to=TensorProto.FLOAT)]
    return build_model(nodes, {"x": [1, 3, 6, 6]}, ["y0", "y1", "g", "y3"],
                       {"W": weight(35, 6, 3, 3, 3), "sizes": np.array([2, 2, 2], I64)})


def test_split_outputs_leave_partition() -> None:
    model = _split_model()
    feeds = {"x": _x([1, 3, 6, 6])}
    report = check(model, feeds, ACCUM, names=["y0", "y1", "g", "y3"],
                   taken=["conv", "split", "sig", "mul"],
                   partitions=[["conv", "split", "sig"], ["mul"]])
    assert set(report_kinds(report).values()) == {"dtype"}
    net = webnn_net(model.SerializeToString())
    first, second = _partition_nodes(net)
    assert first[0] == ["x"] and sorted(first[1]) == ["g", "s1", "y0"]
    assert sorted(second[0]) == ["c1", "g"] and second[1] == ["y1"]


def test_unconnected_out_layers() -> None:
    """forward(getUnconnectedOutLayersNames()) names and values as plain OpenCV's, also for
    a subset in another order."""
    model = _split_model()
    data = model.SerializeToString()
    x = _x([1, 3, 6, 6])
    plain = cv2.dnn.readNetFromONNX(np.frombuffer(data, np.uint8))
    plain.setInput(x)
    net = webnn_net(data)
    net.setInput(x)
    names = net.getUnconnectedOutLayersNames()
    assert names == plain.getUnconnectedOutLayersNames()
    assert sorted(names) == ["g", "y0", "y1", "y3"]
    got = [np.array(a) for a in net.forward(names)]
    want = [np.array(a) for a in plain.forward(names)]
    assert_outputs_match(got, want, ACCUM, context=str(net.partition_report()))
    subset = ["y3", "y0"]
    assert_outputs_match([np.array(a) for a in net.forward(subset)],
                         [np.array(a) for a in plain.forward(subset)], ACCUM, context="subset")


@pytest.mark.parametrize("shape", [[6], [3, 4], [2, 3, 4], [1, 2, 3, 4, 5], [2, 1, 2, 3, 2, 2]],
                         ids=lambda s: f"rank{len(s)}")
def test_ranks_crossing_boundaries(shape: list[int]) -> None:
    """Values of rank 1-6 cross between OpenCV and WebNN partitions both ways (a 1-D one
    was a bug: cv2 turns a 1-D array into an [n, 1] Mat, which failed the bridge's size
    check against the declared [n] until 1-D outputs were declared [n, 1])."""
    core = [node("Sigmoid", ["a"], ["b"], "sig")]
    model = build_model(sandwich(core), {"x": shape}, ["y"])
    check(model, {"x": _x(shape)}, ELEMENTWISE, taken=["pre", "sig", "post"],
          partitions=[["pre"], ["sig"], ["post"]])


def test_forward_layers_inside_partition() -> None:
    """forward(names) with layers inside a partition (conv, sig) and graph outputs: the
    values equal plain OpenCV's for the same layer names."""
    if webnn_cv.OPENCV_MAJOR >= 5:
        pytest.skip("OpenCV 5.1 cannot forward an inner tensor itself (an assertion); "
                    "test_direct.py checks the WebNN backend's against onnx.reference")
    model = _split_model()
    data = model.SerializeToString()
    x = _x([1, 3, 6, 6])
    plain = cv2.dnn.readNetFromONNX(np.frombuffer(data, np.uint8))
    plain.setInput(x)
    net = webnn_net(data)
    net.setInput(x)
    for names in (["onnx_node!conv"], ["onnx_node!sig", "y1"],
                  ["onnx_node!conv", "onnx_node!split", "y0", "y3"]):
        got = [np.array(a) for a in net.forward(names)]
        want = [np.array(a) for a in plain.forward(names)]
        assert_outputs_match(got, want, ACCUM, context=f"forward({names})")


# -- NCHW and NHWC inputs --------------------------------------------------------------------


def _conv_block(src: str, prefix: str = "") -> list[onnx.NodeProto]:
    return [node("Conv", [src, "W", "B"], ["c"], f"{prefix}conv", pads=[1, 1, 1, 1],
                 strides=[2, 2]),
            node("Relu", ["c"], ["r"], f"{prefix}relu"),
            node("MaxPool", ["r"], ["p"], f"{prefix}pool", kernel_shape=[2, 2], strides=[2, 2])]


CONV_INITS = {"W": weight(36, 8, 3, 3, 3), "B": weight(37, 8)}


def test_nchw_input() -> None:
    nodes = [*_conv_block("x"), node("Flatten", ["p"], ["y"], "flatten")]
    model = build_model(nodes, {"x": [1, 3, 16, 12]}, ["y"], CONV_INITS)
    check(model, {"x": _x([1, 3, 16, 12])}, ACCUM, partitions=[[n.name for n in nodes]])


def test_nhwc_input_transposed_like_tf() -> None:
    """An NHWC graph input, Transpose to NCHW, conv block, Transpose back to NHWC (as
    TF-exported models do): one partition, values as plain OpenCV's."""
    nodes = [node("Transpose", ["x"], ["t"], "to_nchw", perm=[0, 3, 1, 2]),
             *_conv_block("t"),
             node("Transpose", ["p"], ["y"], "to_nhwc", perm=[0, 2, 3, 1])]
    model = build_model(nodes, {"x": [1, 16, 12, 3]}, ["y"], CONV_INITS)
    check(model, {"x": _x([1, 16, 12, 3])}, ACCUM, partitions=[[n.name for n in nodes]])


def test_nhwc_input_sandwiched() -> None:
    """NHWC input; OpenCV's casts cut between the layout Transpose and the conv block, so
    the NHWC tensor is a partition input and the NCHW one crosses to OpenCV and back."""
    nodes = [node("Transpose", ["x"], ["t"], "to_nchw", perm=[0, 3, 1, 2]),
             node("Cast", ["t"], ["t64"], "to64", to=TensorProto.DOUBLE),
             node("Cast", ["t64"], ["t32"], "to32", to=TensorProto.FLOAT),
             *_conv_block("t32"),
             node("Transpose", ["p"], ["q"], "to_nhwc", perm=[0, 2, 3, 1]),
             node("Reshape", ["q", "shp"], ["f"], "reshape"),
             node("MatMul", ["f", "M"], ["y"], "matmul")]
    inits = {**CONV_INITS, "shp": np.array([1, -1], I64), "M": weight(38, 96, 5)}
    model = build_model(nodes, {"x": [1, 16, 12, 3]}, ["y"], inits)
    check(model, {"x": _x([1, 16, 12, 3])}, ACCUM,
          taken=["to_nchw", "conv", "relu", "pool", "to_nhwc", "reshape", "matmul"],
          partitions=[["to_nchw"], ["conv", "relu", "pool", "to_nhwc", "reshape", "matmul"]])


# -- non-float boundaries --------------------------------------------------------------------

OPENCV_FLOAT_RULE = "OpenCV passes only float32 tensors to Python layers"


def _shape_chain(cut: bool, batch: int | str = 2) -> onnx.ModelProto:
    """conv -> [OpenCV casts] -> Shape -> Gather -> Unsqueeze -> Concat -> Reshape(conv)."""
    src = "cc" if cut else "c"
    nodes = [node("Conv", ["x", "W"], ["c"], "conv", pads=[1, 1, 1, 1])]
    if cut:
        nodes += [node("Cast", ["c"], ["c64"], "to64", to=TensorProto.DOUBLE),
                  node("Cast", ["c64"], ["cc"], "to32", to=TensorProto.FLOAT)]
    nodes += [node("Shape", [src], ["s"], "shape"),
              node("Gather", ["s", "zero"], ["n"], "gather", axis=0),
              node("Unsqueeze", ["n", "ax0"], ["n1"], "unsqueeze"),
              node("Concat", ["n1", "minus1"], ["shp"], "concat", axis=0),
              node("Reshape", ["c", "shp"], ["f"], "reshape"),
              node("Relu", ["f"], ["y"], "relu")]
    inits = {"W": weight(39, 4, 3, 3, 3), "zero": np.array(0, I64),
             "ax0": np.array([0], I64), "minus1": np.array([-1], I64)}
    # ONNX shape inference cannot follow the chain: declare the shapes an exporter writes
    return build_model(nodes, {"x": [batch, 3, 4, 4]}, ["y"], inits,
                       value_info={"f": [batch, 64]}, output_shapes={"y": [batch, 64]})


CHAIN = ("shape", "gather", "unsqueeze", "concat")


@pytest.mark.parametrize("cut", [False, True], ids=["direct", "after_opencv_casts"])
def test_shape_chain_folds_with_static_shapes(cut: bool) -> None:
    """With the model's static input shape the int64 shape chain folds into a constant
    (as ONNX Runtime folds it): the Reshape joins conv and Relu in one partition."""
    model = _shape_chain(cut)
    report = check(model, {"x": _x([2, 3, 4, 4])}, ACCUM, taken=["conv", "reshape", "relu"],
                   partitions=[["conv", "reshape", "relu"]])
    assert sorted(label.split("'")[1] for label in report.folded) == sorted(CHAIN), \
        report.summary()
    assert "folded into constants before partitioning: 4 node(s)" in report.summary()


@pytest.mark.parametrize("cut", [False, True], ids=["direct", "after_opencv_casts"])
def test_shape_chain_with_symbolic_batch_folds_once_sizes_are_set(cut: bool) -> None:
    """A symbolic batch cannot fold before the sizes are known: the report then shows the
    int64 chain staying with OpenCV, its nodes refused by OpenCV's float32 rule (kind
    "opencv"). The net is built for the sizes setInput gives (issue 14): there the chain
    folds and the Reshape joins conv and Relu, as with a static shape."""
    model = _shape_chain(cut, "N")
    # onnx.reference is the oracle: plain OpenCV 4.14 gets this chain wrong with a batch
    # of 2 (its output is [1, 128] where ONNX says [2, 64]); OpenCV 5.1 gets it right
    report = check(model, {"x": _x([2, 3, 4, 4])}, ACCUM, taken=["conv", "reshape", "relu"],
                   partitions=[["conv", "reshape", "relu"]], oracle="onnx")
    assert sorted(label.split("'")[1] for label in report.folded) == sorted(CHAIN), \
        report.summary()
    report = webnn_cv.readNetFromONNX(model.SerializeToString()).partition_report()
    assert sorted(n.name for n in report.nodes if n.supported) == ["conv", "relu"]
    assert not report.folded, report.summary()
    kinds = report_kinds(report)
    for name in CHAIN:
        assert kinds[name] == "opencv", report.summary()
        reason = next(n.reason for n in report.fallback if n.name == name)
        assert "int64" in reason and OPENCV_FLOAT_RULE in reason, report.summary()
    assert kinds["reshape"] != "", report.summary()


def test_int64_argmax_crossing() -> None:
    """ArgMax's int64 output would be read by OpenCV: ArgMax goes back to OpenCV (kind
    "opencv"); the float nodes around it stay on WebNN."""
    nodes = [node("Mul", ["x", "k"], ["m"], "scale"),
             node("ArgMax", ["m"], ["am"], "argmax", axis=1, keepdims=1),
             node("Cast", ["am"], ["am64"], "to64", to=TensorProto.DOUBLE),
             node("Cast", ["am64"], ["amf"], "to32", to=TensorProto.FLOAT),
             node("Add", ["amf", "m"], ["y"], "add")]
    model = build_model(nodes, {"x": [2, 5, 3]}, ["y"], {"k": np.array(2.0, np.float32)})
    report = check(model, {"x": _x([2, 5, 3])}, ELEMENTWISE, taken=["scale", "add"],
                   partitions=[["scale"], ["add"]])
    kinds = report_kinds(report)
    assert kinds["argmax"] == "opencv", report.summary()
    assert kinds["to64"] == kinds["to32"] == "dtype", report.summary()


def test_int32_round_trip_inside_partition() -> None:
    """float -> int32 -> float inside one partition: no int32 value crosses, WebNN takes
    it all. Plain OpenCV 4.14 is no oracle here: its Cast to INT32 keeps the fraction
    (y = 2m instead of m + trunc(m)), so the case compares with onnx.reference."""
    nodes = [node("Mul", ["x", "ten"], ["m"], "scale"),
             node("Cast", ["m"], ["i"], "to_int", to=TensorProto.INT32),
             node("Cast", ["i"], ["f"], "to_float", to=TensorProto.FLOAT),
             node("Add", ["f", "m"], ["y"], "add")]
    model = build_model(nodes, {"x": [2, 3, 4]}, ["y"], {"ten": np.array(10.0, np.float32)})
    x = _x([2, 3, 4])
    m = x * np.float32(10.0)
    (plain,) = run_plain(model.SerializeToString(), {"x": x})
    # OpenCV 5 truncates (the oracle stays onnx.reference)
    assert webnn_cv.OPENCV_MAJOR >= 5 or np.array_equal(plain, m + m), \
        "OpenCV's Cast to INT32 truncates now: use it again"
    check(model, {"x": x}, EXACT, partitions=[[n.name for n in nodes]], oracle="onnx")


def test_int32_read_by_opencv() -> None:
    """An int32 value OpenCV reads (its casts to DOUBLE) sends its producer and the other
    reader of that value back to OpenCV (kind "opencv")."""
    nodes = [node("Mul", ["x", "ten"], ["m"], "scale"),
             node("Cast", ["m"], ["i"], "to_int", to=TensorProto.INT32),
             node("Cast", ["i"], ["f"], "to_float", to=TensorProto.FLOAT),
             node("Cast", ["i"], ["i64"], "int_to64", to=TensorProto.DOUBLE),
             node("Cast", ["i64"], ["g"], "int_to32", to=TensorProto.FLOAT),
             node("Add", ["f", "g"], ["y"], "add")]
    model = build_model(nodes, {"x": [2, 3, 4]}, ["y"], {"ten": np.array(10.0, np.float32)})
    report = check(model, {"x": _x([2, 3, 4])}, EXACT, taken=["scale", "add"],
                   partitions=[["scale"], ["add"]])
    kinds = report_kinds(report)
    assert kinds == {"to_int": "opencv", "to_float": "opencv", "int_to64": "dtype",
                     "int_to32": "dtype"}, report.summary()
    assert all("int32" in n.reason for n in report.fallback if n.kind == "opencv")


# -- dynamic batch ---------------------------------------------------------------------------


def _dynamic_batch_model(sandwiched: bool) -> onnx.ModelProto:
    nodes = [*_conv_block("x")]
    src = "p"
    if sandwiched:
        nodes += [node("Cast", ["p"], ["p64"], "to64", to=TensorProto.DOUBLE),
                  node("Cast", ["p64"], ["pc"], "to32", to=TensorProto.FLOAT)]
        src = "pc"
    nodes += [node("GlobalAveragePool", [src], ["g"], "gap"),
              node("Flatten", ["g"], ["f"], "flatten"),
              node("Gemm", ["f", "Wg", "Bg"], ["y"], "gemm", transB=1)]
    inits = {**CONV_INITS, "Wg": weight(40, 5, 8), "Bg": weight(41, 5)}
    return build_model(nodes, {"x": ["N", 3, 16, 12]}, ["y"], inits)


@pytest.mark.parametrize("sandwiched", [False, True], ids=["one_partition", "two_partitions"])
def test_dynamic_batch(sandwiched: bool) -> None:
    """A symbolic batch: batches 1, 3, 1 and 2 through the same WebNN-backend net, each
    equal to plain OpenCV's for the same batch."""
    model = _dynamic_batch_model(sandwiched)
    data = model.SerializeToString()
    net = webnn_net(data)
    plain = cv2.dnn.readNetFromONNX(np.frombuffer(data, np.uint8))
    for step, batch in enumerate([1, 3, 1, 2]):
        x = _x([batch, 3, 16, 12], seed=50 + step)
        net.setInput(x)
        plain.setInput(x)
        got, want = np.array(net.forward()), np.array(plain.forward())
        assert got.shape == (batch, 5)
        assert_outputs_match([got], [want], ACCUM, model=model, feeds={"x": x},
                             context=f"batch {batch} (step {step})")
    report = net.partition_report()
    assert len(report.partitions) == (2 if sandwiched else 1), report.summary()
    assert not report.fallback or set(report_kinds(report)) == {"to64", "to32"}, \
        report.summary()


# -- real models and the onnx wheel's light models --------------------------------------------

#: nodes WebNN takes or folds into constants (every node of each model)
MIN_TAKEN = {"mnist": 12, "mtcnn_pnet": 13, "ultraface_rfb_320": 242, "yolox_nano": 369,
             "candy": 59, "squeezenet": 66, "resnet50": 122, "googlenet": 142,
             "densenet121": 910, "shufflenet": 203}


def _spread_tol(want: np.ndarray, second: np.ndarray) -> Tol:
    """ACCUM, widened to twice the oracle's own distance from a second independent CPU
    implementation: deep real models accumulate float32 rounding (yolox_nano: plain
    OpenCV and onnxruntime differ by 4e-4 where ACCUM allows 6e-5), and the WebNN backend
    must then be no further from the oracle than the triangle inequality allows when it is
    as close to the truth as that second implementation."""
    scale = max(1.0, float(np.max(np.abs(want))))
    spread = float(np.max(np.abs(want.astype(np.float64) - second), initial=0.0))
    return Tol(ACCUM.rtol, max(ACCUM.atol, 2.0 * spread / scale))


def _run_model(name: str, tmp_path: Path) -> None:
    from webnn_providers.testing import onnx_models as bm

    prepared = bm.prepare(name, tmp_path)
    data = Path(prepared.path).read_bytes()
    feeds = prepared.feeds
    net = webnn_net(data)
    for key, value in feeds.items():
        net.setInput(value, key)
    names = net.getUnconnectedOutLayersNames()
    got = [np.array(a) for a in net.forward(names)]
    report = net.partition_report()
    summary = f"{name}: {report.summary()}"
    print(summary)
    try:
        plain = cv2.dnn.readNetFromONNX(np.frombuffer(data, np.uint8))
        for key, value in feeds.items():
            plain.setInput(value, key)  # OpenCV 5 reports an unsupported op here
        assert plain.getUnconnectedOutLayersNames() == names, summary
        want = [np.array(a) for a in plain.forward(names)]
    except cv2.error:
        plain = None
    ort_out = _ort(data, feeds, names)
    if plain is not None:
        tols = [_spread_tol(w, s) for w, s in zip(want, ort_out, strict=True)]
        oracle = "plain OpenCV"
    else:
        # OpenCV cannot import it (candy: Crop): onnxruntime's CPU EP is the oracle
        want, oracle = ort_out, "onnxruntime CPU"
        tols = [IMPORT_FAILS_TOL[name][0]] * len(want)
        native = _openvino_native(prepared.path, feeds, names)
        for k, (g, n) in enumerate(zip(got, native, strict=True)):
            problem = mismatch(g, n, ACCUM)
            assert problem is None, f"{summary}\noutput {k} vs OpenVINO native: {problem}"
    assert len(got) == len(want), summary
    for k, (g, w, tol) in enumerate(zip(got, want, tols, strict=True)):
        problem = mismatch(g, w, tol)
        assert problem is None, f"{summary}\noutput {k} ({names[k]}) vs {oracle}: {problem}"
    assert report.num_supported + len(report.folded) >= MIN_TAKEN[name], summary
    assert not report.fallback and len(report.partitions) == 1, summary


def _ort(data: bytes, feeds: dict[str, np.ndarray], names: Sequence[str]
         ) -> list[np.ndarray]:
    """onnxruntime CPU outputs in the order of OpenCV's output layer names (the graph's
    output names for these models)."""
    so = ort.SessionOptions()
    so.log_severity_level = 3
    session = ort.InferenceSession(data, so, providers=["CPUExecutionProvider"])
    return [np.asarray(a) for a in session.run(list(names), feeds)]


def _openvino_native(path: str, feeds: dict[str, np.ndarray], names: Sequence[str]
                     ) -> list[np.ndarray]:
    """OpenVINO CPU reading the same ONNX file itself (float32 inference precision)."""
    import openvino as ov

    compiled = ov.Core().compile_model(path, "CPU", {"INFERENCE_PRECISION_HINT": "f32"})
    result = compiled(feeds)
    by_name = {out.get_any_name(): result[out] for out in compiled.outputs}
    return [np.asarray(by_name[n]) for n in names]


#: models plain OpenCV cannot import, compared with onnxruntime's CPU EP: tolerance, why
IMPORT_FAILS_TOL = {
    "candy": (Tol(ACCUM.rtol, 1e-4),
              "OpenCV 4.14 cannot import its Crop (OpenCV 5.1: its Affine). The WebNN "
              "backend equals OpenVINO reading the ONNX file itself (checked with ACCUM); "
              "both are 0.022 (8e-5 of the output's magnitude 270) off onnxruntime where "
              "WebNN's numpy reference backend is 0.004 off: OpenVINO's float32 "
              "InstanceNormalization (MVN), carried by the residual blocks (see "
              "tests/providers/onnxruntime/test_real_models.py)"),
}


REAL_DIR = SHARED_MODELS / "onnx"
REAL_MODELS = ("mnist", "mtcnn_pnet", "ultraface_rfb_320", "yolox_nano", "candy")


@pytest.mark.parametrize("name", REAL_MODELS)
def test_real_model(name: str, tmp_path: Path) -> None:
    """A real model from ../shared/models/onnx on the WebNN backend equals plain OpenCV
    (onnxruntime's CPU EP where OpenCV cannot import the model)."""
    if not (REAL_DIR / f"{name}.onnx").is_file():
        pytest.skip(f"real model {name}.onnx absent: {REAL_DIR} is not there (the real "
                    "models are data next to the repository, see ../shared/models/README.md)")
    _run_model(name, tmp_path)


LIGHT_MODELS = ("squeezenet", "resnet50", "googlenet", "densenet121", "shufflenet")


@pytest.mark.parametrize("name", LIGHT_MODELS)
def test_light_model(name: str, tmp_path: Path) -> None:
    """The onnx wheel's light CNNs with seeded weights
    (webnn_providers.testing.onnx_models.prepare)."""
    from webnn_providers.testing import onnx_models as bm

    if name not in bm.available_models():
        pytest.skip(f"the onnx wheel has no light model {name} in {bm.LIGHT_DIR}")
    _run_model(name, tmp_path)
