"""``MLContext.op_support_limits()`` tells the truth about each backend
(webnn-spec §api-mlcontext-opsupportlimits).

For every operator of the spec's tensor-limits tables and every data type of its main
operand (``input``, ``a``, ``inputs`` or ``trueValue``):

1. a data type the OpenVINO limits list builds and computes on OpenVINO, and
2. the result equals the reference backend's (tolerances per operator family, below);
3. a spec-allowed data type the OpenVINO limits leave out is rejected by the builder with a
   TypeError saying it is "not supported by the openvino backend";
4. every data type the reference limits list (and OpenVINO does not) computes on the
   reference backend with the declared output data types and shapes.

The same is checked for the secondary operands whose data type is chosen independently of
the main one: gather/scatter ``indices``, argMin/argMax and cast output types,
quantizeLinear ``zeroPoint`` and dequantizeLinear ``scale``.

Each operator has a recipe ``(builder, x, dtype) -> operand(s)``: the operator's plain usage
on a small graph input ``x`` of data type ``dtype``, with secondary operands as constants.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import pytest

import webnn_core as webnn
from tests.helpers import OP_BACKENDS, assert_close, context
from webnn_core.spec_tables import TENSOR_LIMITS

D = webnn.MLOperandDescriptor
B = webnn.MLGraphBuilder
Op = webnn.MLOperand
Result = Op | Sequence[Op]
Recipe = Callable[..., Result]

SIGNED = ("int8", "int32", "int64")
UNSIGNED = ("uint8", "uint32", "uint64")
FLOATS = ("float32", "float16")
SHAPE_2D = (2, 3)
SHAPE_4D = (2, 3, 4, 5)
SHAPE_SEQ = (2, 2, 3)  # [steps, batchSize, inputSize] for gru / lstm
HIDDEN = 4


# -- tolerances ------------------------------------------------------------------------------
@dataclass(frozen=True)
class Tol:
    """How a float result of OpenVINO must match the reference: ``exact``; within ``ulp``
    (float32, float16) units in the last place; or ``|got - ref| <= atol + rtol * |ref|``
    with ``atol`` per (float32, float16). Integer results always compare exactly."""

    ulp: tuple[int, int] | None = None
    rtol: float = 0.0
    atol: tuple[float, float] | None = None


EXACT = Tol()
# Arithmetic on accumulations (conv, matmul, gemm, pooling, reductions, normalizations,
# softmax, recurrent networks, linear resampling, cumulative sums): the backends sum in
# different orders and use different exp/sqrt implementations, so WPT's per-shape ULP
# bounds do not transfer; 1e-3 relative is ~1 float16 ULP and ~8000 float32 ULP, far
# below the size of any indexing/layout/gate bug, with a small absolute floor for sums
# that cancel to near zero.
ACCUMULATING = Tol(rtol=1e-3, atol=(1e-4, 1e-3))
# WPT's absolute tolerance for cos/sin/tan/erf/log (PrecisionMetrics: 1/1024), plus 1e-3
# relative for tan near +-pi/2 where the values are large.
TRANSCENDENTAL = Tol(rtol=1e-3, atol=(1 / 1024, 1 / 1024))


def ulp(float32: int, float16: int | None = None) -> Tol:
    """WPT's ULP tolerance (webnn/resources/utils.js), float32 and float16."""
    return Tol(ulp=(float32, float32 if float16 is None else float16))


# Per operator; absent ops compare exactly. The ULP values are WPT's element-wise bounds
# (against the exact result); both backends compute element-wise ops at float32 and round
# once, so their distance stays within the same bound.
TOLERANCES: dict[str, Tol] = {
    "add": ulp(1), "sub": ulp(1), "mul": ulp(1), "div": ulp(2), "reciprocal": ulp(2),
    "sqrt": ulp(1), "pow": ulp(32, 2), "exp": ulp(32, 1),
    "elu": ulp(18), "gelu": ulp(18), "hard_sigmoid": ulp(2), "hard_swish": ulp(4),
    "leaky_relu": ulp(1, 2), "linear": ulp(2), "prelu": ulp(1), "sigmoid": ulp(34, 10),
    "softplus": ulp(18), "softsign": ulp(3), "tanh": ulp(16),
    # (input - zeroPoint) * scale: one rounding.
    "dequantize_linear": ulp(1),
    "cos": TRANSCENDENTAL, "sin": TRANSCENDENTAL, "tan": TRANSCENDENTAL,
    "erf": TRANSCENDENTAL, "log": TRANSCENDENTAL,
    **{op: ACCUMULATING for op in (
        "conv2d", "conv_transpose2d", "gemm", "matmul", "average_pool2d", "l2_pool2d",
        "batch_normalization", "instance_normalization", "layer_normalization", "softmax",
        "gru", "gru_cell", "lstm", "lstm_cell", "cumulative_sum", "resample2d",
        "reduce_l1", "reduce_l2", "reduce_log_sum", "reduce_log_sum_exp", "reduce_mean",
        "reduce_product", "reduce_sum", "reduce_sum_square")},
}


def check_result(op: str, got: np.ndarray, ref: np.ndarray, what: str) -> None:
    """Compare one OpenVINO output with the reference's under ``op``'s tolerance."""
    tol = TOLERANCES.get(op, EXACT)
    if ref.dtype.kind != "f" or tol == EXACT:
        assert_close(got, ref, what=what)
    elif tol.ulp is not None:
        assert_close(got, ref, ulp=tol.ulp[ref.dtype == np.float16], what=what)
    else:
        assert got.dtype == ref.dtype and got.shape == ref.shape, what
        g, r = got.astype(np.float64), ref.astype(np.float64)
        bound = tol.atol[ref.dtype == np.float16] + tol.rtol * np.abs(r)
        excess = np.abs(g - r) - bound
        worst = int(np.argmax(excess))
        assert excess.flat[worst] <= 0, (
            f"{what}: |{g.flat[worst]} - {r.flat[worst]}| exceeds {tol}")


# -- data ------------------------------------------------------------------------------------
def values(dtype: str, shape: Sequence[int], kind: str = "any", seed: int = 0) -> np.ndarray:
    """Deterministic test values of ``dtype`` that every backend holds exactly.

    ``any``: floats uniform(-2, 2), signed -3..3, unsigned 0..5; ``grid``: floats in steps
    of 0.5 over -2..2; ``quarters``: floats in steps of 0.25 over
    -3..3 (round-half-even ties); ``positive``: floats uniform(0.5, 2), integers 1..5;
    ``nonzero``: floats +-uniform(0.5, 2), integers +-1..3 (1..5 unsigned); ``special``:
    ``any`` with NaN, +inf and -inf in the first floats; ``coarse``: -1..1 (0..2
    unsigned), so comparisons meet equal values; ``distinct``: distinct values along the
    last axis, row i rotated by i (no argMin/argMax ties, every index wins once)."""
    rng = np.random.default_rng(seed)
    shape = tuple(shape)
    np_type = np.dtype(dtype)
    is_float = np_type.kind == "f"
    signed = np_type.kind != "u"
    if kind == "distinct":
        n = shape[-1]
        rows = [np.roll(rng.permutation(n), i)
                for i in range(int(np.prod(shape[:-1], dtype=int)))]
        base = np.array(rows).reshape(shape) - (n // 2 if signed else 0)
        jitter = rng.uniform(-0.2, 0.2, shape) if is_float else 0
        return (base + jitter).astype(dtype)
    if kind == "coarse":
        return rng.integers(-1 if signed else 0, 2 if signed else 3, shape).astype(dtype)
    if is_float:
        if kind == "grid":
            data = rng.integers(-4, 5, shape) / 2
        elif kind == "quarters":
            data = rng.integers(-12, 13, shape) / 4
        elif kind == "positive":
            data = rng.uniform(0.5, 2, shape)
        elif kind == "nonzero":
            data = rng.uniform(0.5, 2, shape) * rng.choice([-1, 1], shape)
        else:
            data = rng.uniform(-2, 2, shape)
        data = data.astype(dtype)
        if kind == "special":
            data.reshape(-1)[:3] = [np.nan, np.inf, -np.inf]
        return data
    if kind == "positive":
        return rng.integers(1, 6, shape).astype(dtype)
    if kind == "nonzero":
        if not signed:
            return rng.integers(1, 6, shape).astype(dtype)
        return (rng.integers(1, 4, shape) * rng.choice([-1, 1], shape)).astype(dtype)
    return rng.integers(-3 if signed else 0, 4 if signed else 6, shape).astype(dtype)


def const(b: B, dtype: str, shape: Sequence[int], kind: str = "any", seed: int = 1) -> Op:
    """A constant operand of :func:`values` (deterministic, so both backends see the same)."""
    return b.constant(D(dtype, list(shape)), values(dtype, shape, kind, seed))


def array_const(b: B, dtype: str, data: object) -> Op:
    """A constant operand holding ``data`` exactly."""
    arr = np.asarray(data, dtype=dtype)
    return b.constant(D(dtype, list(arr.shape)), arr)


# -- recipes ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class Case:
    """``build(b, x, dtype, aux)`` on a graph input ``x`` of ``shape`` filled with
    :func:`values` of ``kind``; ``aux`` is a secondary operand's data type or None."""

    build: Recipe
    shape: tuple[int, ...] = SHAPE_2D
    kind: str = "any"


RECIPES: dict[str, Case] = {}


def recipe(*ops: str, shape: tuple[int, ...] = SHAPE_2D, kind: str = "any"):
    """Register the decorated ``(b, x, dtype, aux=None)`` function for ``ops``; it receives
    the operator name as keyword ``op`` when registered for several."""

    def register(fn: Recipe) -> Recipe:
        for op in ops:
            build = fn if len(ops) == 1 else _bind(fn, op)
            RECIPES[op] = Case(build, shape, kind)
        return fn

    return register


def _bind(fn: Recipe, op: str) -> Recipe:
    def build(b: B, x: Op, dtype: str, aux: str | None = None) -> Result:
        return fn(b, x, dtype, aux, op=op)

    return build


BINARY = ("add", "mul", "max", "min")
COMPARE = ("equal", "not_equal", "greater", "greater_or_equal", "lesser", "lesser_or_equal")
LOGICAL = ("logical_and", "logical_or", "logical_xor")
UNARY_ANY = ("abs", "neg", "sign", "identity", "relu", "ceil", "floor", "cos", "sin", "erf",
             "exp", "gelu", "hard_swish", "sigmoid", "softplus", "softsign", "tanh", "elu",
             "hard_sigmoid", "leaky_relu", "linear", "reverse", "transpose", "triangular",
             "logical_not")
REDUCE = ("reduce_l1", "reduce_l2", "reduce_mean", "reduce_max", "reduce_min",
          "reduce_product", "reduce_sum", "reduce_sum_square", "reduce_log_sum_exp")


@recipe(*BINARY)
def _binary(b: B, x: Op, dtype: str, aux: str | None, *, op: str) -> Op:
    return getattr(b, op)(x, const(b, dtype, [3], "grid"))


@recipe(*COMPARE, kind="coarse")
def _compare(b: B, x: Op, dtype: str, aux: str | None, *, op: str) -> Op:
    return getattr(b, op)(x, const(b, dtype, [3], "coarse"))


@recipe(*LOGICAL)
def _logical(b: B, x: Op, dtype: str, aux: str | None, *, op: str) -> Op:
    # Any non-zero value is true (spec §api-mlgraphbuilder-logical): inputs 0..5.
    return getattr(b, op)(x, const(b, dtype, [2, 3]))


@recipe("sub")
def _sub(b: B, x: Op, dtype: str, aux: str | None = None) -> Op:
    # Unsigned: subtract 0 or 1 from x + 1 >= 1, so nothing wraps around.
    if dtype in UNSIGNED:
        one = array_const(b, dtype, [1, 1, 1])
        return b.sub(b.add(x, one), array_const(b, dtype, [0, 1, 1]))
    return b.sub(x, const(b, dtype, [3], "grid"))


@recipe("div")
def _div(b: B, x: Op, dtype: str, aux: str | None = None) -> Op:
    return b.div(x, const(b, dtype, [2, 3], "nonzero"))


@recipe("pow", kind="positive")
def _pow(b: B, x: Op, dtype: str, aux: str | None = None) -> Op:
    # Integers: exponents 0..3 (a negative integer exponent is not an integer result).
    if dtype in FLOATS:
        return b.pow(x, const(b, dtype, [2, 3]))
    return b.pow(x, array_const(b, dtype, [0, 1, 3]))


@recipe(*UNARY_ANY)
def _unary(b: B, x: Op, dtype: str, aux: str | None, *, op: str) -> Op:
    return getattr(b, op)(x)


@recipe("is_nan", "is_infinite", kind="special")
def _is_special(b: B, x: Op, dtype: str, aux: str | None, *, op: str) -> Op:
    return getattr(b, op)(x)


@recipe("round_even", kind="quarters")
def _round_even(b: B, x: Op, dtype: str, aux: str | None = None) -> Op:
    return b.round_even(x)


@recipe("log", "sqrt", kind="positive")
def _positive_unary(b: B, x: Op, dtype: str, aux: str | None, *, op: str) -> Op:
    return getattr(b, op)(x)


@recipe("reciprocal", "tan", kind="nonzero")
def _nonzero_unary(b: B, x: Op, dtype: str, aux: str | None, *, op: str) -> Op:
    return getattr(b, op)(x)


@recipe("cast")
def _cast(b: B, x: Op, dtype: str, aux: str | None = None) -> Op:
    # Main: to float32 (to float16 from float32); the exact float results of integers and
    # float16, and one round-to-nearest-even. Secondary: every output type, from integers.
    if aux is not None:
        return b.cast(x, aux)
    return b.cast(x, "float16" if dtype == "float32" else "float32")


@recipe("clamp")
def _clamp(b: B, x: Op, dtype: str, aux: str | None = None) -> Op:
    low, high = (1, 4) if dtype in UNSIGNED else (-1, 2)
    return b.clamp(x, min_value=low, max_value=high)


@recipe("concat")
def _concat(b: B, x: Op, dtype: str, aux: str | None = None) -> Op:
    return b.concat([x, const(b, dtype, [2, 2])], 1)


@recipe("conv2d", shape=SHAPE_4D)
def _conv2d(b: B, x: Op, dtype: str, aux: str | None = None) -> Op:
    return b.conv2d(x, const(b, dtype, [4, 3, 3, 3]), padding=[1, 1, 1, 1],
                    bias=const(b, dtype, [4], seed=2))


@recipe("conv_transpose2d", shape=SHAPE_4D)
def _conv_transpose2d(b: B, x: Op, dtype: str, aux: str | None = None) -> Op:
    return b.conv_transpose2d(x, const(b, dtype, [3, 2, 3, 3]), strides=[2, 2])


@recipe("cumulative_sum")
def _cumulative_sum(b: B, x: Op, dtype: str, aux: str | None = None) -> Op:
    return b.cumulative_sum(x, 1)


@recipe("dequantize_linear")
def _dequantize_linear(b: B, x: Op, dtype: str, aux: str | None = None) -> Op:
    # Power-of-two scales: (x - zeroPoint) * scale is exact.
    scale = array_const(b, aux or "float32", [[0.5, 0.25, 2.0]])
    return b.dequantize_linear(x, scale, array_const(b, dtype, [[0, 1, 2]]))


@recipe("quantize_linear")
def _quantize_linear(b: B, x: Op, dtype: str, aux: str | None = None) -> Op:
    # Power-of-two scales: x / scale is exact, so roundEven and saturation decide alone.
    zero_type = aux or "uint8"
    zero = [0, 1, 2] if zero_type in UNSIGNED else [0, -1, 2]
    scale = array_const(b, dtype, [[0.25, 0.125, 0.5]])
    return b.quantize_linear(x, scale, array_const(b, zero_type, [zero]))


@recipe("expand")
def _expand(b: B, x: Op, dtype: str, aux: str | None = None) -> Op:
    return b.expand(x, [2, 2, 3])


@recipe("gather")
def _gather(b: B, x: Op, dtype: str, aux: str | None = None) -> Op:
    return b.gather(x, array_const(b, aux or "int32", [[0, 2], [1, 1]]), axis=1)


@recipe("gather_elements")
def _gather_elements(b: B, x: Op, dtype: str, aux: str | None = None) -> Op:
    return b.gather_elements(x, array_const(b, aux or "int32", [[1, 0, 1], [0, 0, 1]]))


@recipe("gather_nd")
def _gather_nd(b: B, x: Op, dtype: str, aux: str | None = None) -> Op:
    return b.gather_nd(x, array_const(b, aux or "int32", [[0, 1], [1, 2], [0, 0]]))


@recipe("scatter_elements")
def _scatter_elements(b: B, x: Op, dtype: str, aux: str | None = None) -> Op:
    indices = array_const(b, aux or "int32", [[1, 0, 1]])
    return b.scatter_elements(x, indices, const(b, dtype, [1, 3], seed=3))


@recipe("scatter_nd")
def _scatter_nd(b: B, x: Op, dtype: str, aux: str | None = None) -> Op:
    indices = array_const(b, aux or "int32", [[1, 2], [0, 0]])
    return b.scatter_nd(x, indices, const(b, dtype, [2], seed=3))


@recipe("gemm")
def _gemm(b: B, x: Op, dtype: str, aux: str | None = None) -> Op:
    return b.gemm(x, const(b, dtype, [3, 4]), c=const(b, dtype, [4], seed=2))


@recipe("matmul")
def _matmul(b: B, x: Op, dtype: str, aux: str | None = None) -> Op:
    return b.matmul(x, const(b, dtype, [3, 4]))


@recipe("gru", shape=SHAPE_SEQ)
def _gru(b: B, x: Op, dtype: str, aux: str | None = None) -> Result:
    return b.gru(x, const(b, dtype, [1, 3 * HIDDEN, 3]),
                 const(b, dtype, [1, 3 * HIDDEN, HIDDEN], seed=2), 2, HIDDEN,
                 bias=const(b, dtype, [1, 3 * HIDDEN], seed=3), return_sequence=True)


@recipe("gru_cell")
def _gru_cell(b: B, x: Op, dtype: str, aux: str | None = None) -> Op:
    return b.gru_cell(x, const(b, dtype, [3 * HIDDEN, 3]),
                      const(b, dtype, [3 * HIDDEN, HIDDEN], seed=2),
                      const(b, dtype, [2, HIDDEN], seed=3), HIDDEN)


@recipe("lstm", shape=SHAPE_SEQ)
def _lstm(b: B, x: Op, dtype: str, aux: str | None = None) -> Result:
    return b.lstm(x, const(b, dtype, [1, 4 * HIDDEN, 3]),
                  const(b, dtype, [1, 4 * HIDDEN, HIDDEN], seed=2), 2, HIDDEN,
                  bias=const(b, dtype, [1, 4 * HIDDEN], seed=3), return_sequence=True)


@recipe("lstm_cell")
def _lstm_cell(b: B, x: Op, dtype: str, aux: str | None = None) -> Result:
    return b.lstm_cell(x, const(b, dtype, [4 * HIDDEN, 3]),
                       const(b, dtype, [4 * HIDDEN, HIDDEN], seed=2),
                       const(b, dtype, [2, HIDDEN], seed=3),
                       const(b, dtype, [2, HIDDEN], seed=4), HIDDEN)


@recipe("batch_normalization", shape=SHAPE_4D)
def _batch_normalization(b: B, x: Op, dtype: str, aux: str | None = None) -> Op:
    return b.batch_normalization(x, const(b, dtype, [3]), const(b, dtype, [3], "positive"),
                                 scale=const(b, dtype, [3], seed=2),
                                 bias=const(b, dtype, [3], seed=3))


@recipe("instance_normalization", shape=SHAPE_4D)
def _instance_normalization(b: B, x: Op, dtype: str, aux: str | None = None) -> Op:
    return b.instance_normalization(x, scale=const(b, dtype, [3]),
                                    bias=const(b, dtype, [3], seed=2))


@recipe("layer_normalization", shape=SHAPE_4D)
def _layer_normalization(b: B, x: Op, dtype: str, aux: str | None = None) -> Op:
    return b.layer_normalization(x, scale=const(b, dtype, [3, 4, 5]),
                                 bias=const(b, dtype, [3, 4, 5], seed=2))


@recipe("average_pool2d", "l2_pool2d", "max_pool2d", shape=SHAPE_4D)
def _pool(b: B, x: Op, dtype: str, aux: str | None, *, op: str) -> Op:
    return getattr(b, op)(x, window_dimensions=[2, 2])


@recipe("pad")
def _pad(b: B, x: Op, dtype: str, aux: str | None = None) -> Op:
    return b.pad(x, [1, 0], [0, 2], value=1)


@recipe("prelu")
def _prelu(b: B, x: Op, dtype: str, aux: str | None = None) -> Op:
    return b.prelu(x, const(b, dtype, [3]))


@recipe(*REDUCE)
def _reduce(b: B, x: Op, dtype: str, aux: str | None, *, op: str) -> Op:
    return getattr(b, op)(x, axes=[1])


@recipe("reduce_log_sum", kind="positive")
def _reduce_log_sum(b: B, x: Op, dtype: str, aux: str | None = None) -> Op:
    return b.reduce_log_sum(x, axes=[1])


@recipe("arg_min", "arg_max", shape=(3, 3), kind="distinct")
def _arg(b: B, x: Op, dtype: str, aux: str | None, *, op: str) -> Op:
    # Distinct values per row: the index of ties is implementation dependent (spec).
    return getattr(b, op)(x, 1, output_data_type=aux or "int32")


@recipe("resample2d", shape=SHAPE_4D)
def _resample2d(b: B, x: Op, dtype: str, aux: str | None = None) -> Op:
    mode = "linear" if dtype in FLOATS else "nearest-neighbor"
    return b.resample2d(x, mode=mode, sizes=[8, 10])


@recipe("reshape")
def _reshape(b: B, x: Op, dtype: str, aux: str | None = None) -> Op:
    return b.reshape(x, [3, 2])


@recipe("slice")
def _slice(b: B, x: Op, dtype: str, aux: str | None = None) -> Op:
    return b.slice(x, [0, 1], [2, 2])


@recipe("softmax")
def _softmax(b: B, x: Op, dtype: str, aux: str | None = None) -> Op:
    return b.softmax(x, 1)


@recipe("split")
def _split(b: B, x: Op, dtype: str, aux: str | None = None) -> Result:
    return b.split(x, [1, 2], axis=1)


@recipe("tile")
def _tile(b: B, x: Op, dtype: str, aux: str | None = None) -> Op:
    return b.tile(x, [2, 1])


@recipe("where")
def _where(b: B, x: Op, dtype: str, aux: str | None = None) -> Op:
    # Any non-zero condition value is true (spec §api-mlgraphbuilder-where).
    condition = array_const(b, "uint8", [[0, 1, 2], [3, 0, 0]])
    return b.where(condition, x, const(b, dtype, [3]))


# -- parametrization -------------------------------------------------------------------------
def main_operand(op: str) -> str:
    """The operand whose data type the spec's table lists explicitly (not "same as")."""
    for key in ("input", "a", "inputs", "true_value"):
        if key in TENSOR_LIMITS[op]:
            return key
    raise KeyError(op)


def spec_types(op: str, key: str) -> tuple[str, ...]:
    return TENSOR_LIMITS[op][key][0]


def listed(backend: str, op: str, key: str) -> list[str]:
    return context(backend).op_support_limits()[op][key]["data_types"]


# Secondary operands whose data type the caller picks independently of the main operand,
# each with the main operand's data type used for it.
SECONDARY: dict[tuple[str, str], str] = {
    **{(op, "indices"): "float32" for op in (
        "gather", "gather_elements", "gather_nd", "scatter_elements", "scatter_nd")},
    ("arg_min", "output"): "float32",
    ("arg_max", "output"): "float32",
    ("cast", "output"): "int32",
    ("quantize_linear", "zero_point"): "float32",
    ("dequantize_linear", "scale"): "uint8",
}

# Known lies: (op, main data type or (operand, data type)) -> reason; see the report.
XFAIL: dict[tuple[str, object], str] = {}


def _param(op: str, dtype: str, aux: tuple[str, str] | None = None):
    name = f"{op}-{dtype}" if aux is None else f"{op}-{dtype}-{aux[0]}-{aux[1]}"
    reason = XFAIL.get((op, dtype if aux is None else aux))
    marks = [pytest.mark.xfail(strict=True, reason=reason)] if reason else []
    return pytest.param(op, dtype, aux, id=name, marks=marks)


OPS = sorted(TENSOR_LIMITS)
OV_CASES = [_param(op, t, None) for op in OPS for t in spec_types(op, main_operand(op))
            if t in listed("openvino", op, main_operand(op))]
OV_REJECTED = [_param(op, t, None) for op in OPS for t in spec_types(op, main_operand(op))
               if t not in listed("openvino", op, main_operand(op))]
REF_ONLY = [_param(op, t, None) for op in OPS for t in listed("reference", op, main_operand(op))
            if t not in listed("openvino", op, main_operand(op))]
OV_AUX = [_param(op, main, (key, t)) for (op, key), main in SECONDARY.items()
          for t in spec_types(op, key) if t in listed("openvino", op, key)]
OV_AUX_REJECTED = [_param(op, main, (key, t)) for (op, key), main in SECONDARY.items()
                   for t in spec_types(op, key) if t not in listed("openvino", op, key)]
#: the limits-checked backends: OpenVINO, the reference and, when jax is importable, XLA
LIMITS_BACKENDS = ("openvino", "reference", *(b for b in OP_BACKENDS if b == "xla"))
XLA_CASES = [_param(op, t, None) for op in OPS for t in listed("xla", op, main_operand(op))
             ] + [_param(op, main, (key, t)) for (op, key), main in SECONDARY.items()
                  for t in listed("xla", op, key)] if "xla" in LIMITS_BACKENDS else []


def _outputs(result: Result) -> dict[str, Op]:
    items = list(result) if isinstance(result, (list, tuple)) else [result]
    return {f"y{i}": out for i, out in enumerate(items)}


def _build(backend: str, op: str, dtype: str, aux: tuple[str, str] | None):
    """Build ``op``'s recipe on ``backend``: (graph, output operands, input feeds)."""
    case = RECIPES[op]
    b = webnn.MLGraphBuilder(context(backend))
    x = b.input("x", D(dtype, list(case.shape)))
    outputs = _outputs(case.build(b, x, dtype, None if aux is None else aux[1]))
    graph = b.build(outputs)
    return graph, outputs, {"x": values(dtype, case.shape, case.kind)}


def _compute(backend: str, op: str, dtype: str,
             aux: tuple[str, str] | None) -> dict[str, np.ndarray]:
    """Build and compute on ``backend``; check results against the declared descriptors."""
    graph, outputs, feeds = _build(backend, op, dtype, aux)
    result = context(backend).compute(graph, feeds)
    assert set(result) == set(outputs)
    for name, operand in outputs.items():
        assert result[name].dtype == np.dtype(operand.data_type), f"{backend} {name}"
        assert result[name].shape == tuple(operand.shape), f"{backend} {name}"
    return result


def _agree(op: str, dtype: str, aux: tuple[str, str] | None, backend: str = "openvino"
           ) -> None:
    """(1) ``backend`` builds and computes; (2) it equals the reference."""
    got = _compute(backend, op, dtype, aux)
    ref = _compute("reference", op, dtype, aux)
    for name in ref:
        check_result(op, got[name], ref[name], f"{op} {dtype} {aux or ''} {name}")


def _rejected(op: str, dtype: str, aux: tuple[str, str] | None) -> None:
    """(3) The OpenVINO builder raises the backend-support TypeError for the operand."""
    key, bad = aux if aux is not None else (main_operand(op), dtype)
    message = f"^{op}: {key} data type {bad} is not supported by the openvino backend"
    with pytest.raises(TypeError, match=message):
        _build("openvino", op, dtype, aux)


# -- tests -----------------------------------------------------------------------------------
def test_recipes_cover_every_operator() -> None:
    """Every operator of the spec's tensor-limits tables has a recipe, and both backends
    list every operator."""
    assert sorted(RECIPES) == OPS
    for backend in LIMITS_BACKENDS:
        assert set(OPS) <= set(context(backend).op_support_limits()), backend


def test_listed_types_are_spec_types() -> None:
    """No backend lists a data type the spec does not allow for the operand."""
    for backend in LIMITS_BACKENDS:
        for op in OPS:
            for key in (main_operand(op), *(k for o, k in SECONDARY if o == op)):
                extra = set(listed(backend, op, key)) - set(spec_types(op, key))
                assert not extra, f"{backend} {op} {key}: {sorted(extra)}"


@pytest.mark.parametrize(("op", "dtype", "aux"), OV_CASES)
def test_openvino_listed_type_matches_reference(op: str, dtype: str, aux: None) -> None:
    assert dtype in listed("reference", op, main_operand(op))
    _agree(op, dtype, aux)


@pytest.mark.parametrize(("op", "dtype", "aux"), OV_REJECTED + OV_AUX_REJECTED)
def test_openvino_unlisted_type_is_rejected(op: str, dtype: str,
                                            aux: tuple[str, str] | None) -> None:
    _rejected(op, dtype, aux)


@pytest.mark.parametrize(("op", "dtype", "aux"), REF_ONLY)
def test_reference_listed_type_computes(op: str, dtype: str, aux: None) -> None:
    """(4) for the data types only the reference lists (the others run in the OpenVINO
    comparison above, which computes on the reference too)."""
    _compute("reference", op, dtype, aux)


@pytest.mark.parametrize(("op", "dtype", "aux"), OV_AUX)
def test_openvino_listed_secondary_type_matches_reference(op: str, dtype: str,
                                                         aux: tuple[str, str]) -> None:
    assert aux[1] in listed("reference", op, aux[0])
    _agree(op, dtype, aux)


@pytest.mark.parametrize(("op", "dtype", "aux"), XLA_CASES)
def test_xla_listed_type_matches_reference(op: str, dtype: str,
                                           aux: tuple[str, str] | None) -> None:
    """(1) and (2) for the XLA backend: every data type it lists (those of the reference)
    computes on XLA:CPU and equals the reference."""
    _agree(op, dtype, aux, backend="xla")
