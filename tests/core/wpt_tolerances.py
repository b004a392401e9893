"""WPT's per-operator precision tolerances for the WebNN conformance tests, and the WPT
comparison (ULP distance on float bit patterns, absolute tolerance, exact integers).

Sources (web-platform-tests, ``webnn/``):

* ``resources/utils.js`` (2025 version): ``operatorToleranceDict``,
  ``zeroULPToleranceOperatorList`` and ``getPrecisionTolerance`` (sums the tolerance of
  every operator of the graph); the dynamic rules ``getConv2dPrecisionTolerance``,
  ``getMatmulPrecisionTolerance``, ``getGemmPrecisionTolerance``,
  ``getSoftmaxPrecisionTolerance`` (uses the softmax axis),
  ``getPoolingOperatorsPrecisionTolerance``, ``getReductionOperatorsPrecisionTolerance``,
  ``getResample2dPrecisionTolerance`` and ``getInstanceNormPrecisionTolerance``.
* ``conformance_tests/<op>.https.any.js``: per-file ``get<Op>PrecisionTolerance``
  (abs: 0 ULP; cast: 1 ULP to float, 0 to integers; gather: 0 ULP).
* ``resources/utils.js`` ``PrecisionMetrics`` (2024 version, mirrored by the per-file
  functions) for operators the 2025 table does not list: div 2, pow 32/2, exp 32/1,
  sqrt 1, ceil/floor/neg/abs 0, log ATOL 1/1024, layerNormalization ATOL 1/1024 (float32)
  and 1/512 (float16).

The tolerance is chosen by the data type of the graph's first expected output
(``getExpectedDataTypeOfSingleOutput``). Integer outputs compare exactly: every WPT
table gives 0 for integer types, and a missing entry makes ``assert_less_than_equal(d,
NaN)`` fail unless the values are identical.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from tests.core.wpt_loader import Expected, to_half_bits
from tests.helpers import ulp_distance

FLOAT_TYPES = ("float32", "float16")


@dataclass(frozen=True)
class Tolerance:
    """``metric`` is "ULP" or "ATOL"; ``value`` the allowed distance."""

    metric: str
    value: float


# utils.js (2025) operatorToleranceDict: ULP per expected data type.
_ULP_TABLE: dict[str, dict[str, int]] = {
    "argMax": {"float32": 0, "float16": 0},
    "argMin": {"float32": 0, "float16": 0},
    "batchNormalization": {"float32": 6, "float16": 6},
    "clamp": {"float32": 0, "float16": 0},
    "dequantizeLinear": {"float32": 1, "float16": 1},
    "add": {"float32": 1, "float16": 1},
    "sub": {"float32": 1, "float16": 1},
    "mul": {"float32": 1, "float16": 1},
    "max": {"float32": 0, "float16": 0},
    "min": {"float32": 0, "float16": 0},
    "elu": {"float32": 18, "float16": 18},
    "gelu": {"float32": 18, "float16": 18},
    "hardSigmoid": {"float32": 2, "float16": 2},
    "hardSwish": {"float32": 4, "float16": 4},
    "leakyRelu": {"float32": 1, "float16": 2},
    "linear": {"float32": 2, "float16": 2},
    "prelu": {"float32": 1, "float16": 1},
    "relu": {"float32": 0, "float16": 0},
    "sigmoid": {"float32": 34, "float16": 10},
    "softplus": {"float32": 18, "float16": 18},
    "softsign": {"float32": 3, "float16": 3},
    "tanh": {"float32": 16, "float16": 16},
    # utils.js getInstanceNormPrecisionTolerance
    "instanceNormalization": {"float32": 840, "float16": 8400},
    # per-file cast.https.any.js getCastPrecisionTolerance (integers: 0)
    "cast": {"float32": 1, "float16": 1},
    # PrecisionMetrics (2024 utils.js) for the element-wise operators
    "div": {"float32": 2, "float16": 2},
    "pow": {"float32": 32, "float16": 2},
    "exp": {"float32": 32, "float16": 1},
    "sqrt": {"float32": 1, "float16": 1},
    "reciprocal": {"float32": 2, "float16": 2},
    "abs": {"float32": 0, "float16": 0},
    "ceil": {"float32": 0, "float16": 0},
    "floor": {"float32": 0, "float16": 0},
    "neg": {"float32": 0, "float16": 0},
    "identity": {"float32": 0, "float16": 0},
    "roundEven": {"float32": 0, "float16": 0},
    "where": {"float32": 0, "float16": 0},
    "triangular": {"float32": 0, "float16": 0},
}

# PrecisionMetrics (2024 utils.js): absolute tolerances.
_ATOL_TABLE: dict[str, dict[str, float]] = {
    "log": {"float32": 1 / 1024, "float16": 1 / 1024},
    "layerNormalization": {"float32": 1 / 1024, "float16": 1 / 512},
    "cos": {"float32": 1 / 1024, "float16": 1 / 512},
    "sin": {"float32": 1 / 1024, "float16": 1 / 512},
    "tan": {"float32": 1 / 1024, "float16": 1 / 512},
    "erf": {"float32": 1 / 1024, "float16": 1 / 512},
}

# utils.js (2025) zeroULPToleranceOperatorList: data movement and logical operators.
ZERO_ULP_OPS = frozenset({
    "concat", "expand", "gather", "gatherElements", "gatherND", "identity", "pad",
    "reshape", "reverse", "scatterElements", "scatterND", "slice", "split", "tile",
    "transpose", "equal", "notEqual", "greater", "greaterOrEqual", "lesser",
    "lesserOrEqual", "logicalNot", "logicalAnd", "logicalOr", "logicalXor",
})

REDUCTIONS = frozenset({
    "reduceL1", "reduceL2", "reduceLogSum", "reduceLogSumExp", "reduceMax", "reduceMean",
    "reduceMin", "reduceProduct", "reduceSum", "reduceSumSquare",
})


# -- dynamic rules (utils.js 2025) ----------------------------------------------------------
def _options(op: Mapping[str, Any]) -> dict[str, Any]:
    for argument in op.get("arguments", []):
        if "options" in argument:
            return dict(argument["options"])
    return {}


def _argument(op: Mapping[str, Any], index: int) -> Any:
    """The value of the ``index``-th argument (WPT reads ``args[i][Object.keys(args[i])[0]]``)."""
    args = op.get("arguments", [])
    if index >= len(args):
        return None
    return next(iter(args[index].values()))


def conv2d_ulp(op_name: str, input_shape: Sequence[int], filter_shape: Sequence[int],
               options: Mapping[str, Any]) -> float:
    """getConv2dPrecisionTolerance: filterWidth * filterHeight * (inputChannels / groups) * 2
    with the spatial sizes read per filter layout and the channels per input layout."""
    input_channels = input_shape[1]
    filter_width, filter_height = filter_shape[3], filter_shape[2]
    groups = options.get("groups") or 1
    if options.get("inputLayout") == "nhwc":
        input_channels = input_shape[3]
    layout = options.get("filterLayout")
    if layout in ("hwio", "hwoi"):
        filter_width, filter_height = filter_shape[1], filter_shape[0]
    elif layout in ("ohwi", "ihwo"):
        filter_width, filter_height = filter_shape[2], filter_shape[1]
    return filter_width * filter_height * (input_channels / groups) * 2


def matmul_ulp(a_shape: Sequence[int]) -> int:
    """getMatmulPrecisionTolerance: the last dimension of ``a`` (K) times 2."""
    return a_shape[-1] * 2


def gemm_ulp(a_shape: Sequence[int], options: Mapping[str, Any]) -> int:
    """getGemmPrecisionTolerance: width * 2, +1 for alpha != 1, +1 (+1 for beta != 1)
    when C is given and beta != 0."""
    width = a_shape[0] if options.get("aTranspose") else a_shape[1]
    tolerance = width * 2
    if "alpha" in options and options["alpha"] != 1.0:
        tolerance += 1
    if options.get("c") and options.get("beta") != 0.0:
        if "beta" in options and options["beta"] != 1.0:
            tolerance += 1
        tolerance += 1
    return tolerance


def softmax_ulp(input_shape: Sequence[int], axis: int | None) -> int:
    """getSoftmaxPrecisionTolerance: inputShape[axis] * 3 + 3 (axis 1 when absent)."""
    return input_shape[1 if axis is None else axis] * 3 + 3


def pooling_ulp(op_name: str, input_shape: Sequence[int], options: Mapping[str, Any]) -> int:
    """getPoolingOperatorsPrecisionTolerance: window height * width + 2 for average and L2
    pooling (the whole spatial size when windowDimensions is absent), 0 for max pooling."""
    if op_name == "maxPool2d":
        return 0
    if options.get("windowDimensions"):
        height, width = options["windowDimensions"][:2]
    elif options.get("layout") == "nhwc":
        height, width = input_shape[1], input_shape[2]
    else:
        height, width = input_shape[2], input_shape[3]
    return height * width + 2


def reduction_ulp(op_name: str, input_shape: Sequence[int], axes: Sequence[int] | None) -> int:
    """getReductionOperatorsPrecisionTolerance with n = number of reduced elements
    (product of the sizes of ``axes``, all axes when absent, 1 for no axes):
    L1/Sum/Product n, L2 2n+2, LogSum n+18, LogSumExp 2n+18, Mean n+2, SumSquare 2n,
    Max/Min 0."""
    if op_name in ("reduceMax", "reduceMin"):
        return 0
    rank = len(input_shape)
    sizes = input_shape if axes is None else [input_shape[a + rank if a < 0 else a]
                                              for a in axes]
    n = math.prod(sizes)
    return {
        "reduceL1": n, "reduceL2": n * 2 + 2, "reduceLogSum": n + 18,
        "reduceLogSumExp": n * 2 + 18, "reduceMean": n + 2, "reduceProduct": n,
        "reduceSum": n, "reduceSumSquare": n * 2,
    }[op_name]


def resample2d_ulp(data_type: str, options: Mapping[str, Any]) -> int:
    """getResample2dPrecisionTolerance: linear 84 (float32) / 10 (float16), nearest 0."""
    if options.get("mode") == "linear":
        return {"float32": 84, "float16": 10}.get(data_type, 1)
    return 0


# -- per graph -------------------------------------------------------------------------------
def expected_data_type(graph: Mapping[str, Any]) -> str:
    """getExpectedDataTypeOfSingleOutput: the data type of the first expected output."""
    first = next(iter(graph["expectedOutputs"].values()))
    return first["descriptor"]["dataType"]


def operator_tolerance(op: Mapping[str, Any], data_type: str,
                       shapes: Mapping[str, Sequence[int]]) -> Tolerance:
    """The tolerance of one operator of a graph; ``shapes`` maps operand names (graph
    inputs and intermediate results) to shapes."""
    name = op["name"]
    options = _options(op)

    def shape_of(index: int) -> Sequence[int]:
        return shapes[_argument(op, index)]

    if data_type not in FLOAT_TYPES:
        return Tolerance("ULP", 0)
    if name in ("conv2d", "convTranspose2d"):
        return Tolerance("ULP", conv2d_ulp(name, shape_of(0), shape_of(1), options))
    if name == "matmul":
        return Tolerance("ULP", matmul_ulp(shape_of(0)))
    if name == "gemm":
        return Tolerance("ULP", gemm_ulp(shape_of(0), options))
    if name == "softmax":
        axis = _argument(op, 1)
        return Tolerance("ULP", softmax_ulp(shape_of(0), axis if isinstance(axis, int)
                                            else None))
    if name in ("averagePool2d", "l2Pool2d", "maxPool2d"):
        return Tolerance("ULP", pooling_ulp(name, shape_of(0), options))
    if name in REDUCTIONS:
        return Tolerance("ULP", reduction_ulp(name, shape_of(0), options.get("axes")))
    if name == "resample2d":
        return Tolerance("ULP", resample2d_ulp(data_type, options))
    if name in ZERO_ULP_OPS:
        return Tolerance("ULP", 0)
    if name in _ATOL_TABLE:
        return Tolerance("ATOL", _ATOL_TABLE[name][data_type])
    if name in _ULP_TABLE:
        return Tolerance("ULP", _ULP_TABLE[name][data_type])
    raise KeyError(f"no WPT tolerance rule for operator {name!r}")


def graph_tolerance(graph: Mapping[str, Any], shapes: Mapping[str, Sequence[int]]) -> Tolerance:
    """getPrecisionTolerance: the sum of the operators' tolerances (all of one metric)."""
    data_type = expected_data_type(graph)
    parts = [operator_tolerance(op, data_type, shapes) for op in graph["operators"]]
    metrics = {p.metric for p in parts}
    if len(metrics) != 1:
        raise ValueError(f"operators mix tolerance metrics {sorted(metrics)}")
    return Tolerance(metrics.pop(), sum(p.value for p in parts))


# -- comparison ------------------------------------------------------------------------------
def _as_wpt_float(values: np.ndarray, data_type: str) -> np.ndarray:
    """Expected float64 values as WPT's ULP comparison sees them: stored in a
    Float32Array (getBitwise) or converted with toHalf for float16."""
    if data_type == "float16":
        return to_half_bits(values).view(np.float16)
    return values.astype(np.float32)


def compare(actual: np.ndarray, expected: Expected, tolerance: Tolerance) -> str | None:
    """WPT doAssert on the first ``expected.count`` elements: None when within tolerance,
    else a message naming the worst element."""
    flat = np.asarray(actual).reshape(-1)[: expected.count]
    if expected.data_type not in FLOAT_TYPES:
        got = [int(v) for v in flat]
        bad = [i for i, (g, e) in enumerate(zip(got, expected.values, strict=True)) if g != e]
        if bad:
            i = bad[0]
            return (f"{len(bad)} of {len(got)} integer values differ; first at [{i}]: "
                    f"actual {got[i]} expected {expected.values[i]}")
        return None
    if tolerance.metric == "ULP":
        want = _as_wpt_float(expected.values, expected.data_type)
        dist = ulp_distance(flat, want)
        if dist.size and int(dist.max()) > tolerance.value:
            i = int(np.argmax(dist))
            return (f"{int((dist > tolerance.value).sum())} of {dist.size} values beyond "
                    f"{tolerance.value:g} ULP; worst [{i}]: actual {flat[i]!r} expected "
                    f"{want[i]!r} ({int(dist[i])} ULP)")
        return None
    got = flat.astype(np.float64)
    want = expected.values
    same = (got == want) | (np.isnan(got) & np.isnan(want))
    diff = np.where(same, 0.0, np.abs(got - want))
    diff = np.where(np.isnan(diff), np.inf, diff)
    if diff.size and float(diff.max()) > tolerance.value:
        i = int(np.argmax(diff))
        return (f"{int((diff > tolerance.value).sum())} of {diff.size} values beyond ATOL "
                f"{tolerance.value:g}; worst [{i}]: actual {got[i]!r} expected {want[i]!r}")
    return None
