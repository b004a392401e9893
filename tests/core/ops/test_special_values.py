"""Special values (NaN, +-inf, +-0, subnormals, float16 extremes) on both backends.

Every element-wise unary/binary operator, the comparisons, ``where``, the reductions,
softmax, the activations and ``cast`` run on the special inputs ``[NaN, -NaN, inf, -inf,
1, -1, 0, -0]`` plus subnormals, float16 extremes (65504, 2**-14, 2**-24) and ties of
round-to-nearest-even, in float32 and float16. The OpenVINO backend must agree with the
reference where the spec or IEEE 754 fixes the answer:

- NaN against NaN (payload and sign of a NaN are free);
- an infinity against the same infinity, a zero against a zero, with the sign of a zero
  compared where IEEE 754 fixes it (:data:`SIGNED_ZERO_OPS`);
- other finite values within a loose relative bound (accuracy is tested elsewhere);
- integer and boolean results exactly.

Ops where the spec is silent (max, min, relu, clamp, ... on NaN) follow the rule of the
README's "NaN and special values" section, which both backends implement.

``python -m tests.core.ops.test_special_values`` prints the probe table: every op/dtype
combination and whether the backends agree (with the first differing elements).

The WPT vectors of the newer conformance files (cast rounding, comparisons feeding
``where``, exact float16 storage and transport) are ported in ``wpt_2026/`` and run at the
end of this file.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import webnn_core as webnn
from tests.helpers import OP_BACKENDS, context, ulp_distance

D = webnn.MLOperandDescriptor
#: the backends compared here (the NaN rule is the OpenVINO backend's and the reference's)
BACKENDS = ("reference", "openvino", *(b for b in OP_BACKENDS if b == "xla"))
NAN = float("nan")
INF = float("inf")
FLOATS = ("float32", "float16")

#: OpenVINO's Sigmoid and SoftMax give 0 for float32 results below this (about 2**-125.5,
#: sigmoid(x) for x < -87.0: measured on openvino 2026.4, test_sigmoid_softmax_underflow)
FLUSHED_BELOW = 1.7e-38
#: the inputs of issue 15
SPECIALS = [NAN, -NAN, INF, -INF, 1.0, -1.0, 0.0, -0.0]
#: per data type: subnormals, the extremes, ties of round-to-nearest-even
EXTRAS = {
    "float32": [2.0**-149, -(2.0**-149), 2.0**-126 - 2.0**-149, 2.0**-126,
                float(np.finfo(np.float32).max), -float(np.finfo(np.float32).max),
                0.5, -0.5, 1.5, -2.5, 1e-30, 88.8, 88.5, -88.5, -103.0],
    "float16": [2.0**-24, -(2.0**-24), 1023 * 2.0**-24, 2.0**-14, 65504.0, -65504.0,
                0.5, -0.5, 1.5, -2.5, 6.1e-5, 11.1],
}


def values(dtype: str) -> np.ndarray:
    return np.array(SPECIALS + EXTRAS[dtype], dtype=dtype)


#: ops whose zero results carry the sign IEEE 754 gives them (for the others a zero result
#: may be +0 or -0: max/min/relu/clamp, functions computed from formulas, reductions; and
#: linear, whose ``alpha * x + 0`` OpenVINO computes as ``alpha * x``: it removes additions
#: of a constant 0, so -0 stays -0 where IEEE gives +0)
SIGNED_ZERO_OPS = {
    "abs", "neg", "identity", "ceil", "floor", "round_even", "sqrt", "sin", "tan", "tanh",
    "add", "sub", "mul", "div", "reciprocal", "where", "cast", "leaky_relu", "prelu",
    "softsign",
}


@dataclass(frozen=True)
class Probe:
    """One op/dtype combination: ``build(builder, inputs) -> operand`` on named inputs."""

    name: str
    dtype: str
    op: str
    inputs: Mapping[str, np.ndarray]
    build: Callable[[webnn.MLGraphBuilder, Mapping[str, webnn.MLOperand]], webnn.MLOperand]
    #: bound for finite values: within ``rtol`` relative or ``ulps`` units in the last
    #: place (special values are always exact; accuracy is tested elsewhere)
    rtol: float = 1e-3
    ulps: int = 2
    #: float32 results below :data:`FLUSHED_BELOW` may be 0 (a documented deviation of the
    #: native Sigmoid and SoftMax, kept for speed)
    flush: bool = False

    @property
    def id(self) -> str:
        return f"{self.name}/{self.dtype}"


def _run(backend: str, probe: Probe) -> np.ndarray:
    ctx = context(backend)
    builder = webnn.MLGraphBuilder(ctx)
    operands = {name: builder.input(name, D(a.dtype.name, list(a.shape)))
                for name, a in probe.inputs.items()}
    graph = builder.build({"y": probe.build(builder, operands)})
    return ctx.compute(graph, dict(probe.inputs))["y"]


def differences(probe: Probe, got: np.ndarray, want: np.ndarray) -> np.ndarray:
    """Mask of the elements where ``got`` (OpenVINO) disagrees with ``want`` (reference)."""
    assert got.dtype == want.dtype and got.shape == want.shape, (got.dtype, got.shape)
    if want.dtype.kind != "f":
        return got != want
    g, w = got.astype(np.float64), want.astype(np.float64)
    bad = np.isnan(g) != np.isnan(w)
    inf = np.isinf(w)
    bad |= inf & (g != w)
    bad |= np.isinf(g) & ~inf & ~np.isnan(w)
    zero = w == 0
    if probe.op in SIGNED_ZERO_OPS:
        bad |= zero & (g == 0) & (np.signbit(g) != np.signbit(w))
    finite = np.isfinite(w)
    with np.errstate(invalid="ignore"):
        close = np.abs(g - w) <= probe.rtol * np.abs(w)
    close |= np.isfinite(g) & (ulp_distance(got, want) <= probe.ulps)
    if probe.flush:
        close |= (g == 0) & (np.abs(w) < FLUSHED_BELOW)
    bad |= finite & ~close
    return bad


def _fmt(v: Any) -> str:
    if isinstance(v, (float, np.floating)):
        if math.isnan(v):
            return "NaN"
        if v == 0:
            return "-0" if math.copysign(1, v) < 0 else "0"
        return f"{float(v):.6g}"
    return str(v)


def describe(probe: Probe, got: np.ndarray, want: np.ndarray, limit: int = 4) -> str:
    """The first differing elements: ``op(inputs) ov=... ref=...`` (a reduced row or an
    output index in place of the inputs where they are not element-wise)."""
    bad = np.atleast_1d(differences(probe, got, want))
    got, want = np.atleast_1d(got), np.atleast_1d(want)
    parts = []
    for index in list(zip(*np.nonzero(bad), strict=True))[:limit]:
        same = [v for v in probe.inputs.values() if v.shape == got.shape]
        rows = [v for v in probe.inputs.values() if v.ndim == 2 and got.ndim >= 1
                and v.shape[0] == got.shape[0] and v.shape != got.shape]
        if same and len(same) == len(probe.inputs) - (probe.op == "where"):
            where = "(" + ",".join(_fmt(v[index]) for v in same) + ")"
        elif rows:
            where = "[" + ",".join(_fmt(x) for x in rows[0][index[0]]) + "]"
        else:
            where = "[" + ",".join(map(str, index)) + "]"
        parts.append(f"{where} ov={_fmt(got[index])} ref={_fmt(want[index])}")
    more = int(bad.sum()) - len(parts)
    return "; ".join(parts) + (f"; +{more} more" if more > 0 else "")


# -- the probes --------------------------------------------------------------------------
#: ops IEEE 754 rounds once from the exact result: compared to the last bit
EXACT_OPS = {"abs", "neg", "identity", "ceil", "floor", "round_even", "sqrt", "add", "sub",
             "mul", "div", "reciprocal", "where", "cast", "max", "min", "relu", "clamp"}


def _unary(name: str, dtype: str, fn: Callable, **kw: Any) -> Probe:
    op = kw.pop("op", name)
    kw.setdefault("ulps", 0 if op in EXACT_OPS else 2)
    return Probe(name, dtype, op, {"x": values(dtype)}, lambda b, o: fn(b, o["x"]), **kw)


def _pairs(dtype: str) -> dict[str, np.ndarray]:
    v = values(dtype)
    return {"a": np.repeat(v, v.size), "b": np.tile(v, v.size)}


UNARY = ["abs", "ceil", "cos", "erf", "exp", "floor", "identity", "log", "neg", "reciprocal",
         "round_even", "sin", "sign", "sqrt", "tan", "relu", "sigmoid", "tanh", "softsign",
         "gelu", "softplus", "hard_swish", "elu", "hard_sigmoid", "leaky_relu", "linear",
         "is_nan", "is_infinite"]
BINARY = ["add", "sub", "mul", "div", "pow", "max", "min", "equal", "not_equal", "greater",
          "greater_or_equal", "lesser", "lesser_or_equal", "prelu"]
REDUCE = ["reduce_l1", "reduce_l2", "reduce_log_sum", "reduce_log_sum_exp", "reduce_max",
          "reduce_mean", "reduce_min", "reduce_product", "reduce_sum", "reduce_sum_square",
          "arg_min", "arg_max"]
#: rows of 4 holding special values (reduced along the last axis; softmax along it)
ROWS = [
    [NAN, 1, 2, 3], [1, 2, 3, NAN], [1, NAN, -NAN, 2], [NAN, NAN, NAN, NAN],
    [INF, 1, 2, 3], [1, 2, 3, INF], [-INF, 1, 2, 3], [1, 2, -INF, 3], [INF, -INF, 1, 2],
    [INF, INF, 1, 2], [-INF, -INF, -INF, -INF], [INF, INF, INF, INF], [NAN, INF, -INF, 1],
    [0.0, -0.0, 0.0, -0.0], [-0.0, -0.0, -0.0, -0.0], [1, 2, 3, 4],
]
#: float32 -> float16: ties to even, subnormals, signed underflow, overflow, NaN
TO_HALF = [1.0003, -1.0003, 1.0007, 1.00048828125, -1.00048828125, 1.00146484375, 2049,
           2051, 2.0**-24, -(2.0**-24), 2.0**-25, -(2.0**-25), 3 * 2.0**-25, 5 * 2.0**-25,
           2047 * 2.0**-25, 65504, 65519, -65519, 65520, -65520, 65536, 1e38, 2.0**-149,
           -(2.0**-149), NAN, -NAN, INF, -INF, 0.0, -0.0]
#: float -> integer: NaN -> 0, truncation, saturation (the spec's ConvertToInt clamps)
TO_INT = [NAN, -NAN, INF, -INF, 0.0, -0.0, 0.5, -0.5, 0.9, -0.9, 1.5, -1.5, 2.5, -2.5,
          127.5, 128.0, -128.9, -129.0, 255.9, 256.0, 65504.0, -65504.0, 3e9, -3e9,
          2.0**31, -(2.0**31), 1e30, -1e30, 2.0**-149]
INT_TYPES = ["int8", "uint8", "int32", "uint32", "int64", "uint64"]
NARROWED = ("int64", "uint64")


def _option_probes(dtype: str) -> list[Probe]:
    probes = [
        _unary("clamp(0,6)", dtype, lambda b, x: b.clamp(x, min_value=0, max_value=6),
               op="clamp"),
        _unary("clamp(-1,1)", dtype, lambda b, x: b.clamp(x, min_value=-1, max_value=1),
               op="clamp"),
        _unary("clamp(min=0)", dtype, lambda b, x: b.clamp(x, min_value=0), op="clamp"),
        _unary("clamp(max=0)", dtype, lambda b, x: b.clamp(x, max_value=0), op="clamp"),
        _unary("clamp()", dtype, lambda b, x: b.clamp(x), op="clamp"),
        _unary("elu(0.5)", dtype, lambda b, x: b.elu(x, alpha=0.5), op="elu"),
        _unary("hard_sigmoid(0.5,0)", dtype,
               lambda b, x: b.hard_sigmoid(x, alpha=0.5, beta=0.0), op="hard_sigmoid"),
        _unary("leaky_relu(0.1)", dtype, lambda b, x: b.leaky_relu(x, alpha=0.1),
               op="leaky_relu"),
        _unary("linear(2,-1)", dtype, lambda b, x: b.linear(x, alpha=2, beta=-1),
               op="linear"),
    ]
    return probes


def _cast_probes() -> list[Probe]:
    probes = [
        Probe("cast->float16", "float32", "cast", {"x": np.array(TO_HALF, np.float32)},
              lambda b, o: b.cast(o["x"], "float16"), ulps=0),
        Probe("cast->float16->float32", "float32", "cast",
              {"x": np.array(TO_HALF, np.float32)},
              lambda b, o: b.cast(b.cast(o["x"], "float16"), "float32"), ulps=0),
        Probe("cast->float32", "float16", "cast", {"x": values("float16")},
              lambda b, o: b.cast(o["x"], "float32"), ulps=0),
        Probe("cast->float32", "float32", "cast", {"x": values("float32")},
              lambda b, o: b.cast(o["x"], "float32"), ulps=0),
        Probe("cast->float16", "float16", "cast", {"x": values("float16")},
              lambda b, o: b.cast(o["x"], "float16"), ulps=0),
    ]
    for dtype in FLOATS:
        for target in INT_TYPES:
            with np.errstate(over="ignore"):
                x = np.array(TO_INT, np.float32).astype(dtype)
            if target in NARROWED:
                # the OpenVINO backend saturates 64-bit targets at the int32 range (its CPU
                # plugin computes 64-bit integers in 32 bits; see webnn_core.backends.openvino)
                wide = x.astype(np.float64)
                x = x[np.isnan(wide) | ((wide >= -(2.0**31)) & (wide < 2.0**31))]
            probes.append(Probe(f"cast->{target}", dtype, "cast", {"x": x},
                                lambda b, o, t=target: b.cast(o["x"], t)))
        back = np.array([0, 1, -1, 127, -128, 2**24 + 1, 2**31 - 1, -(2**31), 65519, 65520],
                        np.int64)
        for source in ("int32", "int64", "int8"):
            info = np.iinfo(source)
            probes.append(Probe(f"cast {source}->", dtype, "cast",
                                {"x": np.clip(back, max(info.min, -(2**31)),
                                              min(info.max, 2**31 - 1)).astype(source)},
                                lambda b, o, t=dtype: b.cast(o["x"], t), ulps=0))
    return probes


def probes() -> list[Probe]:
    out: list[Probe] = []
    for dtype in FLOATS:
        for op in UNARY:
            # OpenVINO's Sigmoid (fused into convolutions, so kept) gives 0 for results
            # below float32's smallest normal value (x < -87.3): the README says so
            out.append(_unary(op, dtype, lambda b, x, op=op: getattr(b, op)(x),
                              flush=op == "sigmoid"))
        out += _option_probes(dtype)
        for op in BINARY:
            out.append(Probe(op, dtype, op, _pairs(dtype),
                             lambda b, o, op=op: getattr(b, op)(o["a"], o["b"]),
                             ulps=0 if op in EXACT_OPS else 2))
        v = values(dtype)
        cond = (np.arange(v.size) % 2).astype(np.uint8)
        out.append(Probe("where", dtype, "where",
                         {"c": cond, "t": v, "f": v[::-1].copy()},
                         lambda b, o: b.where(o["c"], o["t"], o["f"])))
        pairs = _pairs(dtype)
        out.append(Probe("where(greater)", dtype, "where", pairs,
                         lambda b, o: b.where(b.greater(o["a"], o["b"]), o["a"], o["b"])))
        rows = np.array(ROWS, dtype=dtype)
        for op in REDUCE:
            kw = {"axis": 1} if op.startswith("arg") else {"axes": [1]}
            out.append(Probe(op, dtype, op, {"x": rows},
                             lambda b, o, op=op, kw=kw: getattr(b, op)(o["x"], **kw)))
        out.append(Probe("reduce_max(all)", dtype, "reduce_max", {"x": rows},
                         lambda b, o: b.reduce_max(o["x"])))
        out.append(Probe("cumulative_sum", dtype, "cumulative_sum", {"x": rows},
                         lambda b, o: b.cumulative_sum(o["x"], 1)))
        out.append(Probe("softmax", dtype, "softmax", {"x": rows},
                         lambda b, o: b.softmax(o["x"], 1)))
        out.append(Probe("softmax(axis 0)", dtype, "softmax", {"x": rows.T.copy()},
                         lambda b, o: b.softmax(o["x"], 0)))
        rng = np.random.default_rng(11)
        cube = rng.uniform(-3, 3, (3, 5, 17)).astype(dtype)
        cube.flat[rng.choice(cube.size, 40, replace=False)] = rng.choice(
            [NAN, INF, -INF, -0.0], 40)
        for axis in range(3):
            out.append(Probe(f"softmax(3-D, axis {axis})", dtype, "softmax", {"x": cube},
                             lambda b, o, axis=axis: b.softmax(o["x"], axis)))
        pool = rows.reshape(1, 1, len(ROWS), 4)
        out.append(Probe("max_pool2d", dtype, "max_pool2d", {"x": pool},
                         lambda b, o: b.max_pool2d(o["x"], window_dimensions=[1, 4])))
        out.append(Probe("average_pool2d", dtype, "average_pool2d", {"x": pool},
                         lambda b, o: b.average_pool2d(o["x"], window_dimensions=[1, 4])))
        out.append(Probe("l2_pool2d", dtype, "l2_pool2d", {"x": pool},
                         lambda b, o: b.l2_pool2d(o["x"], window_dimensions=[1, 4])))
        out.append(Probe("max_pool2d(global)", dtype, "max_pool2d", {"x": pool[:, :, :4]},
                         lambda b, o: b.max_pool2d(o["x"])))
        # a channel-blocked layout (16 channels), NaN and infinities scattered
        rng = np.random.default_rng(7)
        big = rng.uniform(-4, 4, (1, 16, 7, 7)).astype(dtype)
        big.flat[rng.choice(big.size, 60, replace=False)] = rng.choice(
            [NAN, INF, -INF, -0.0], 60)
        out.append(Probe("max_pool2d(3x3,16ch)", dtype, "max_pool2d", {"x": big},
                         lambda b, o: b.max_pool2d(o["x"], window_dimensions=[3, 3],
                                                   padding=[1, 1, 1, 1])))
        out.append(Probe("max_pool2d(nhwc)", dtype, "max_pool2d",
                         {"x": big.transpose(0, 2, 3, 1).copy()},
                         lambda b, o: b.max_pool2d(o["x"], window_dimensions=[2, 2],
                                                   strides=[2, 2], layout="nhwc")))
    return out + _cast_probes()


PROBES = probes()


def probe_result(probe: Probe) -> tuple[np.ndarray, np.ndarray]:
    """(OpenVINO, reference) results of a probe."""
    return _run("openvino", probe), _run("reference", probe)


@pytest.mark.parametrize("probe", PROBES, ids=[p.id for p in PROBES])
def test_special_values_agree(probe: Probe) -> None:
    got, want = probe_result(probe)
    bad = differences(probe, got, want)
    assert not bad.any(), describe(probe, got, want)


def table() -> list[tuple[str, str]]:
    """(op/dtype, "ok" or the first differences) for every probe."""
    rows = []
    for probe in PROBES:
        got, want = probe_result(probe)
        bad = differences(probe, got, want)
        rows.append((probe.id, describe(probe, got, want) if bad.any() else "ok"))
    return rows


if __name__ == "__main__":
    rows = table()
    for name, result in rows:
        print(f"{name:32s} {result}")
    print(f"{sum(r != 'ok' for _, r in rows)} of {len(rows)} op/dtype combinations differ")


# -- newer WPT conformance vectors (tests/core/ops/wpt_2026, each file cites its WPT source) ---
WPT_DIR = Path(__file__).with_name("wpt_2026")
_SPECIAL_NUMBERS = {"NaN": NAN, "Infinity": INF, "-Infinity": -INF, "-0": -0.0}


def _wpt(name: str) -> dict[str, Any]:
    with open(WPT_DIR / f"{name}.json") as f:
        return json.load(f)


def _number(value: Any) -> float | int:
    return _SPECIAL_NUMBERS[value] if isinstance(value, str) else value


def _array(data: Any, data_type: str, shape: list[int]) -> np.ndarray:
    """WPT data as an array; float data as ``Math.fround`` / ``toHalf`` see it (every
    value here is exact in its type)."""
    values = [_number(v) for v in (data if isinstance(data, list) else [data])]
    with np.errstate(over="ignore"):
        flat = np.array(values, dtype=np.float64 if data_type.startswith("float")
                        else data_type).astype(data_type)
    count = math.prod(shape)
    return (np.full(count, flat[0]) if flat.size == 1 and count != 1 else flat).reshape(shape)


def _method(op: str) -> str:
    return {"gatherND": "gather_nd", "scatterND": "scatter_nd"}.get(
        op, "".join("_" + c.lower() if c.isupper() else c for c in op))


def _same(actual: np.ndarray, expected: np.ndarray) -> np.ndarray:
    """Elements equal as ``Object.is`` (signed zeros) or both NaN."""
    if expected.dtype.kind != "f":
        return actual == expected
    both_nan = np.isnan(actual) & np.isnan(expected)
    return both_nan | ((actual == expected) & (np.signbit(actual) == np.signbit(expected)))


def run_wpt_graph(backend: str, graph: Mapping[str, Any]) -> dict[str, tuple[np.ndarray,
                                                                             np.ndarray]]:
    """Build a WPT graph (buildAndExecuteGraph: ``constant`` inputs become constants,
    options are keywords) and compute it: output name -> (actual, expected)."""
    ctx = context(backend)
    builder = webnn.MLGraphBuilder(ctx)
    operands: dict[str, Any] = {}
    feeds: dict[str, np.ndarray] = {}

    def resolve(value: Any) -> Any:
        if isinstance(value, list):
            return [resolve(v) for v in value]
        if not isinstance(value, str):
            return value
        if value in operands:
            return operands[value]
        spec = graph["inputs"].get(value)
        if spec is None:
            return value
        desc = spec["descriptor"]
        data = _array(spec["data"], desc["dataType"], desc["shape"])
        if spec.get("constant"):
            operands[value] = builder.constant(D(desc["dataType"], desc["shape"]), data)
        else:
            operands[value] = builder.input(value, D(desc["dataType"], desc["shape"]))
            feeds[value] = data
        return operands[value]

    for op in graph["operators"]:
        args, kwargs = [], {}
        for argument in op["arguments"]:
            ((key, value),) = argument.items()
            if key == "options":
                kwargs = {_method(k): resolve(v) for k, v in value.items()}
            else:
                args.append(resolve(value))
        result = getattr(builder, _method(op["name"]))(*args, **kwargs)
        names = op["outputs"]
        if isinstance(names, str):
            operands[names] = result
        else:
            operands.update(zip(names, result, strict=True))
    expected = graph["expectedOutputs"]
    built = builder.build({name: operands[name] for name in expected})
    results = ctx.compute(built, feeds)
    return {name: (results[name], _array(spec["data"], spec["descriptor"]["dataType"],
                                         spec["descriptor"]["shape"]))
            for name, spec in expected.items()}


def _cast_pair(narrowed: str = "narrowed", widened: str = "widened",
               source: str = "input") -> list[dict[str, Any]]:
    return [{"name": "cast", "arguments": [{"input": source}, {"type": "float16"}],
             "outputs": narrowed},
            {"name": "cast", "arguments": [{"input": narrowed}, {"type": "float32"}],
             "outputs": widened}]


def cast_rounding_cases() -> list[tuple[str, dict[str, Any]]]:
    """The cases of WPT cast_rounding.https.any.js, expanded as its loops do."""
    data = _wpt("cast_rounding")
    cases = []
    for vector in data["vectors"]:
        n = len(vector["input"])
        f32 = {"shape": [n], "dataType": "float32"}
        for constant in (False, True):
            for expose in (False, True):
                expected = {"widened": {"data": vector["expected"], "descriptor": f32}}
                if expose:
                    expected["narrowed"] = {"data": vector["expected"],
                                            "descriptor": {"shape": [n],
                                                           "dataType": "float16"}}
                outputs = "both cast outputs" if expose else "only the widened output"
                name = (f"cast float32 -> float16 -> float32 {vector['name']}"
                        f"{' constant' if constant else ' input'} with {outputs}")
                cases.append((name, {
                    "inputs": {"input": {"data": vector["input"], "descriptor": f32,
                                         "constant": constant}},
                    "operators": _cast_pair(), "expectedOutputs": expected}))
    tie = data["scalar_tie"]
    for constant in (False, True):
        scalar = {"shape": [], "dataType": "float32"}
        cases.append((f"cast float32 -> float16 -> float32 scalar tie to even "
                      f"{'constant' if constant else 'input'}", {
                          "inputs": {"input": {"data": [tie["input"]], "descriptor": scalar,
                                               "constant": constant}},
                          "operators": _cast_pair(),
                          "expectedOutputs": {"widened": {"data": [tie["expected"]],
                                                          "descriptor": scalar}}}))
    inputs = [v for vector in data["vectors"] for v in vector["input"]]
    outputs = [v for vector in data["vectors"] for v in vector["expected"]]
    n = len(inputs)
    cases.append(("successive float16 cast boundaries preserve each logical output", {
        "inputs": {"input": {"data": inputs, "descriptor": {"shape": [n],
                                                            "dataType": "float32"}}},
        "operators": (_cast_pair("firstNarrowed", "firstWidened")
                      + _cast_pair("secondNarrowed", "secondWidened", "firstWidened")),
        "expectedOutputs": {
            name: {"data": outputs, "descriptor": {"shape": [n], "dataType": dtype}}
            for name, dtype in (("firstNarrowed", "float16"), ("firstWidened", "float32"),
                                ("secondNarrowed", "float16"), ("secondWidened", "float32"))}}))
    same = data["same_type_float32"]
    f32 = {"shape": [len(same)], "dataType": "float32"}
    cases.append(("cast float32 -> float32 preserves values without float16 rounding", {
        "inputs": {"input": {"data": same, "descriptor": f32}},
        "operators": [{"name": "cast", "arguments": [{"input": "input"}, {"type": "float32"}],
                       "outputs": "result"}],
        "expectedOutputs": {"result": {"data": same, "descriptor": f32}}}))
    pattern = data["widening_pattern"]
    for shape in data["widening_shapes"]:
        values = [pattern[i % len(pattern)] for i in range(math.prod(shape))]
        for constant in (False, True):
            cases.append((f"cast float16 -> float32 exact widening shape {shape} "
                          f"{'constant' if constant else 'input'}", {
                              "inputs": {"input": {"data": values, "constant": constant,
                                                   "descriptor": {"shape": shape,
                                                                  "dataType": "float16"}}},
                              "operators": [{"name": "cast", "outputs": "result",
                                             "arguments": [{"input": "input"},
                                                           {"type": "float32"}]}],
                              "expectedOutputs": {"result": {
                                  "data": values,
                                  "descriptor": {"shape": shape, "dataType": "float32"}}}}))
    return cases


def _half(bits: list[int]) -> np.ndarray:
    return np.array(bits, np.uint16).view(np.float16)


_JS_COMPARE = {"equal": np.equal, "notEqual": np.not_equal, "greater": np.greater,
               "greaterOrEqual": np.greater_equal, "lesser": np.less,
               "lesserOrEqual": np.less_equal}


def comparison_select_cases() -> list[tuple[str, dict[str, Any]]]:
    """The cases of WPT comparison-select.https.any.js."""
    data = _wpt("comparison_select")
    a = _half(data["comparison_bits"]).astype(np.float64)
    thresholds = data["threshold_bits"]
    b = _half([thresholds[i % len(thresholds)] for i in range(a.size)]).astype(np.float64)
    a_data, b_data = _encode(a), _encode(b)
    cases = []
    for dtype in data["data_types"]:
        for op in data["operations"]:
            expected = _JS_COMPARE[op](a, b).astype(int).tolist()
            shape = [a.size]
            for expose in (False, True):
                outputs = {"selected": {"data": expected,
                                        "descriptor": {"shape": shape, "dataType": "float32"}}}
                if expose:
                    outputs["condition"] = {"data": expected,
                                            "descriptor": {"shape": shape, "dataType": "uint8"}}
                scalar = {"shape": [], "dataType": "float32"}
                cases.append((f"{op} {dtype} constant/input result selects exact zero/one "
                              f"{'with both outputs' if expose else 'with select output'}", {
                                  "inputs": {
                                      "a": {"data": a_data, "constant": True,
                                            "descriptor": {"shape": shape, "dataType": dtype}},
                                      "b": {"data": b_data,
                                            "descriptor": {"shape": shape, "dataType": dtype}},
                                      "one": {"data": [1], "descriptor": scalar,
                                              "constant": True},
                                      "zero": {"data": [0], "descriptor": scalar,
                                               "constant": True}},
                                  "operators": [
                                      {"name": op, "arguments": [{"a": "a"}, {"b": "b"}],
                                       "outputs": "condition"},
                                      {"name": "where", "outputs": "selected",
                                       "arguments": [{"condition": "condition"},
                                                     {"trueValue": "one"},
                                                     {"falseValue": "zero"}]}],
                                  "expectedOutputs": outputs}))
    return cases


def _encode(values: np.ndarray) -> list[Any]:
    out: list[Any] = []
    for v in values.tolist():
        if math.isnan(v):
            out.append("NaN")
        elif math.isinf(v):
            out.append("Infinity" if v > 0 else "-Infinity")
        elif v == 0 and math.copysign(1, v) < 0:
            out.append("-0")
        else:
            out.append(v)
    return out


def transport_cases() -> list[tuple[str, dict[str, Any]]]:
    """The graph cases of WPT float16-transport.https.any.js."""
    return [(case["name"], case["graph"]) for case in _wpt("float16_transport")["tests"]]


WPT_CASES = ([("cast_rounding", *c) for c in cast_rounding_cases()]
             + [("comparison-select", *c) for c in comparison_select_cases()]
             + [("float16-transport", *c) for c in transport_cases()])


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize(("source", "name", "graph"), WPT_CASES,
                         ids=[f"{s}::{n}" for s, n, _ in WPT_CASES])
def test_wpt_2026(backend: str, source: str, name: str, graph: dict[str, Any]) -> None:
    problems = []
    for output, (actual, expected) in run_wpt_graph(backend, graph).items():
        assert actual.dtype == expected.dtype and actual.shape == expected.shape, output
        same = _same(actual, expected)
        if not same.all():
            index = np.flatnonzero(~same)[:4]
            problems.append(f"{output}[{index.tolist()}] = {actual.ravel()[index].tolist()}, "
                            f"expected {expected.ravel()[index].tolist()}")
    assert not problems, "; ".join(problems)


def _storage_cases() -> list[tuple[str, list[int], bool]]:
    data = _wpt("cast_storage")
    out = []
    for case in data["cases"]:
        shapes = [[16], [1, 2, 2, 4]] if len(data[case["expected"]]) == 16 else [[12]]
        out += [(case["name"], shape, constant) for shape in shapes
                for constant in (False, True)]
    return out


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize(("name", "shape", "constant"), _storage_cases(),
                         ids=[f"{n} {'constant' if c else 'runtime'} {s}"
                              for n, s, c in _storage_cases()])
def test_wpt_2026_cast_storage(backend: str, name: str, shape: list[int],
                               constant: bool) -> None:
    """WPT cast-storage.https.any.js: exact bits through identity / cast, dispatched twice
    on MLTensors (a NaN only needs to stay a NaN)."""
    data = _wpt("cast_storage")
    case = next(c for c in data["cases"] if c["name"] == name)
    source = data[case["data"]]
    if case["inputType"] == "float16":
        array = _half(source).reshape(shape)
    else:
        array = np.array([_number(v) for v in source], np.float32).reshape(shape)
    out_bits = np.uint16 if case["outputType"] == "float16" else np.uint32
    if case["expected"].endswith("bits"):
        expected = np.array(data[case["expected"]], np.uint64).astype(out_bits)
    else:
        expected = np.array([_number(v) for v in data[case["expected"]]],
                            np.float32).view(np.uint32)
    ctx = context(backend)
    builder = webnn.MLGraphBuilder(ctx)
    desc = D(case["inputType"], shape)
    x = builder.constant(desc, array) if constant else builder.input("input", desc)
    y = builder.identity(x) if case["op"] == "identity" else builder.cast(x, case["outputType"])
    graph = builder.build({"result": y})
    output = ctx.create_tensor(D(case["outputType"], shape), readable=True)
    inputs = {}
    if not constant:
        inputs["input"] = ctx.create_tensor(desc, writable=True)
        ctx.write_tensor(inputs["input"], array)
    mask, infinity = (0x7FFF, 0x7C00) if out_bits is np.uint16 else (0x7FFFFFFF, 0x7F800000)
    for _ in range(2):
        ctx.dispatch(graph, inputs, {"result": output})
        actual = ctx.read_tensor(output).view(out_bits).ravel()
        nan = (expected & mask) > infinity
        assert ((actual & mask)[nan] > infinity).all(), "NaN expected"
        np.testing.assert_array_equal(actual[~nan], expected[~nan])


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("op", ["identity", "cast"])
@pytest.mark.parametrize("shape", [[10], [1, 2, 1, 5]])
def test_wpt_2026_float16_state_ping_pong(backend: str, op: str, shape: list[int]) -> None:
    """WPT float16-transport.https.any.js: an output MLTensor fed back as the next input
    keeps its exact bits (signed zeros, subnormals) step after step."""
    spec = _wpt("float16_transport")["ping_pong"]
    ctx = context(backend)
    builder = webnn.MLGraphBuilder(ctx)
    desc = D("float16", shape)
    x = builder.input("input", desc)
    graph = builder.build({"result": builder.identity(x) if op == "identity"
                           else builder.cast(x, "float16")})
    first = ctx.create_tensor(desc, readable=True, writable=True)
    second = ctx.create_tensor(desc, readable=True, writable=True)
    for bits in (spec["state_bits"], spec["state_bits"][::-1]):
        expected = np.array(bits, np.uint16)
        ctx.write_tensor(first, expected.view(np.float16).reshape(shape))
        current, following = first, second
        for step in range(spec["steps"]):
            ctx.dispatch(graph, {"input": current}, {"result": following})
            for tensor in (following, current):
                got = ctx.read_tensor(tensor).view(np.uint16).ravel()
                np.testing.assert_array_equal(got, expected, err_msg=f"step {step}")
            current, following = following, current


# -- the NaN rule keeps OpenVINO's convolution + activation fusion ---------------------------
_FUSED_ACTIVATIONS = {
    "relu": lambda b, y: b.relu(y),
    "clamp(0,6)": lambda b, y: b.clamp(y, min_value=0, max_value=6),
    "clamp(max=6)": lambda b, y: b.clamp(y, max_value=6),
    "clamp(min=0)": lambda b, y: b.clamp(y, min_value=0),
    "hard_sigmoid": lambda b, y: b.hard_sigmoid(y),
    "prelu": lambda b, y: b.prelu(y, b.constant(np.full((1, 8, 1, 1), 0.1, np.float32))),
    "leaky_relu": lambda b, y: b.leaky_relu(y),
    "sigmoid": lambda b, y: b.sigmoid(y),
}


#: PRelu after a channels-last convolution is not fused (before this rule too)
_FUSION_CASES = [(a, layout) for a in sorted(_FUSED_ACTIVATIONS) for layout in ("nchw", "nhwc")
                 if layout == "nchw" or a not in ("prelu", "leaky_relu")]


@pytest.mark.parametrize(("activation", "layout"), _FUSION_CASES)
def test_convolution_activation_fusion_survives(activation: str, layout: str) -> None:
    """conv2d (+ bias) followed by relu / clamp / hard_sigmoid / prelu / leaky_relu /
    sigmoid compiles to one Convolution layer with the activation as a post-op (no
    Eltwise, Subgraph or Select after it), and both backends give the same values with
    NaN, infinities and signed zeros in the input (the README's rule for relu/clamp)."""
    from webnn_core.backends.openvino import OpenVINOBackend

    rng = np.random.default_rng(3)
    w = rng.standard_normal((8, 3, 3, 4) if layout == "nhwc" else (8, 4, 3, 3))
    bias = rng.standard_normal(8)
    shape = [1, 10, 10, 4] if layout == "nhwc" else [1, 4, 10, 10]

    def build(b: webnn.MLGraphBuilder) -> dict[str, webnn.MLOperand]:
        x = b.input("x", D("float32", shape))
        y = b.conv2d(x, b.constant(w.astype(np.float32)), bias=b.constant(
            bias.astype(np.float32)), padding=[1, 1, 1, 1], input_layout=layout,
            filter_layout="ohwi" if layout == "nhwc" else "oihw")
        return {"y": _FUSED_ACTIVATIONS[activation](b, y)}

    ctx = context("openvino")
    builder = webnn.MLGraphBuilder(ctx)
    graph = builder.build(build(builder))
    compiled = OpenVINOBackend.compiled_model(graph)
    layers = [op.get_rt_info()["layerType"].value
              for op in compiled.get_runtime_model().get_ordered_ops()]
    assert layers.count("Convolution") == 1, layers
    assert not {"Eltwise", "Subgraph", "Select", "Math"} & set(layers), layers
    x = rng.uniform(-3, 3, shape).astype(np.float32)
    x.flat[rng.choice(x.size, 12, replace=False)] = [NAN, INF, -INF, -0.0] * 3
    results = {backend: _run_graph(backend, build, {"x": x}) for backend in BACKENDS}
    got, want = results["openvino"], results["reference"]
    np.testing.assert_array_equal(np.isnan(got), np.isnan(want))
    np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-5)


def _run_graph(backend: str, build: Callable, inputs: Mapping[str, np.ndarray]) -> np.ndarray:
    ctx = context(backend)
    builder = webnn.MLGraphBuilder(ctx)
    return ctx.compute(builder.build(build(builder)), dict(inputs))["y"]


# -- constants: the probes with their operands as graph constants ----------------------------
def _without_flushed(probe: Probe) -> Probe:
    """``probe`` with float32 -0 and subnormal inputs replaced by +0: its constants hold only
    NaN, infinities and normal values (what OpenVINO folds rather than flushes)."""
    inputs = {}
    for name, a in probe.inputs.items():
        a = a.copy()
        if a.dtype == np.float32:
            bits = a.view(np.uint32)
            a[((bits & 0x7F800000) == 0) & (bits != 0)] = 0.0
        inputs[name] = a
    return Probe(probe.name, probe.dtype, probe.op, inputs, probe.build, probe.rtol,
                 probe.ulps, probe.flush)


def _constant_cases() -> list[Any]:
    cases = []
    for probe in PROBES:
        names = list(probe.inputs)
        variants = [("", probe)]
        if probe.dtype == "float32":
            variants.append((" without -0", _without_flushed(probe)))
        for subset in [names] + ([[n] for n in names] if len(names) > 1 else []):
            for suffix, variant in variants:
                cases.append(pytest.param(variant, tuple(subset),
                                          id=f"{probe.id} {','.join(subset)}{suffix}"))
    return cases


def _run_with_constants(backend: str, probe: Probe, constants: tuple[str, ...]) -> np.ndarray:
    ctx = context(backend)
    builder = webnn.MLGraphBuilder(ctx)
    operands, feeds = {}, {}
    for name, a in probe.inputs.items():
        desc = D(a.dtype.name, list(a.shape))
        if name in constants:
            operands[name] = builder.constant(desc, a)
        else:
            operands[name] = builder.input(name, desc)
            feeds[name] = a
    graph = builder.build({"y": probe.build(builder, operands)})
    return ctx.compute(graph, feeds)["y"]


@pytest.mark.parametrize(("probe", "constants"), _constant_cases())
def test_special_constants_agree(probe: Probe, constants: tuple[str, ...]) -> None:
    """Every probe with its operands (all, or one at a time) as constants, also without -0
    and subnormals: OpenVINO's CPU plugin would flush float32 constants' -0 and subnormals
    to +0, fold computations on constants alone with its own evaluators and divide by a
    constant's flushed reciprocal (webnn_core/backends/openvino/_constants.py)."""
    got = _run_with_constants("openvino", probe, constants)
    want = _run_with_constants("reference", probe, constants)
    assert not differences(probe, got, want).any(), describe(probe, got, want)


def _constant_graph(backend: str, build: Callable, c: np.ndarray) -> webnn.MLGraph:
    builder = webnn.MLGraphBuilder(context(backend))
    x = builder.input("x", D("float32", [1, 2, 3, 3]))
    constant = builder.constant(D("float32", list(c.shape)), c)
    return builder.build({"y": build(builder, x, constant)})


_SIGNED = np.array([-0.0, 2.0**-149, 1.0], np.float32)
_WEIGHTS = np.tile(np.array([-0.0, 1.0, 2.0**-140], np.float32), (2, 2, 3, 1))


def _bias(b: webnn.MLGraphBuilder, c: webnn.MLOperand) -> webnn.MLOperand:
    return b.slice(c, [0], [2])


#: (graph builder, its constant, whether the constant is fed as a bound Parameter)
_FEED_CASES: dict[str, tuple[Callable, np.ndarray, bool]] = {
    "add": (lambda b, x, c: b.add(x, c), _SIGNED.reshape(1, 1, 1, 3), True),
    "reshape+mul": (lambda b, x, c: b.mul(x, b.reshape(c, [1, 1, 1, 3])), _SIGNED, True),
    "exp(constant)+x": (lambda b, x, c: b.add(x, b.exp(b.reshape(c, [1, 1, 1, 3]))),
                        _SIGNED, True),
    "concat": (lambda b, x, c: b.concat([b.reshape(x, [18]), c], 0), _SIGNED, True),
    "normal values": (lambda b, x, c: b.add(x, c), np.array([1, -1, 0], np.float32), False),
    "huge divisor": (lambda b, x, c: b.div(x, c), np.array([2.0**127, -1, 2], np.float32),
                     True),
    "divisor": (lambda b, x, c: b.div(x, c), np.array([3e3, -1, 2], np.float32), False),
    "relu(constant)+x": (lambda b, x, c: b.add(x, b.relu(c)),
                         np.array([NAN, -1, 2], np.float32), True),
    "conv filter": (lambda b, x, c: b.conv2d(x, c), _WEIGHTS, False),
    "scaled conv filter": (lambda b, x, c: b.conv2d(x, b.mul(c, c)), _WEIGHTS, False),
    "conv bias": (lambda b, x, c: b.conv2d(x, b.constant(D("float32", [2, 2, 3, 3]),
                                                         _WEIGHTS), bias=_bias(b, c)),
                  _SIGNED, False),
    "add after conv": (lambda b, x, c: b.add(b.conv2d(x, b.constant(
        D("float32", [2, 2, 3, 3]), _WEIGHTS)), b.reshape(_bias(b, c), [1, 2, 1, 1])),
        _SIGNED, False),
}


@pytest.mark.parametrize("case", sorted(_FEED_CASES))
def test_constant_feeds(case: str) -> None:
    """Which float constants become bound Parameters on OpenVINO: float32 ones holding -0 or
    subnormals, ones a computation on constants alone reads and divisors with a flushed
    reciprocal, when read element-wise (also through movement and constant-only operators)
    or output; never a convolution's weights or bias nor a bias added to its result (the
    plugin fuses those as Constants). A fed one gives the exact bits, dispatched twice."""
    from webnn_core.backends.openvino import OpenVINOBackend
    from webnn_core.backends.openvino._constants import fed_constants

    build, c, fed = _FEED_CASES[case]
    graph = _constant_graph("openvino", build, c)
    assert len(fed_constants(graph)) == int(fed)
    inputs = OpenVINOBackend.compiled_model(graph).inputs
    assert len(inputs) == len(graph.inputs) + int(fed)
    # fed constants carry names fixed by the structure (CACHE_DIR keys cover tensor names)
    assert [i.get_any_name() for i in inputs[len(graph.inputs):]] == (
        ["webnn:constant:0"] if fed else [])
    x = np.random.default_rng(5).uniform(-1, 1, (1, 2, 3, 3)).astype(np.float32)
    x.flat[:3] = -0.0
    want = context("reference").compute(_constant_graph("reference", build, c), {"x": x})["y"]
    for _ in range(2):
        got = context("openvino").compute(graph, {"x": x})["y"]
        if fed:
            np.testing.assert_array_equal(got.view(np.uint32), want.view(np.uint32))
        else:
            np.testing.assert_allclose(got, want, rtol=1e-6, atol=1e-6)


# -- documented differences: sigmoid / softmax underflow, float -> int64 casts ---------------
def _sigmoid_softmax(backend: str, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    ctx = context(backend)
    builder = webnn.MLGraphBuilder(ctx)
    a = builder.input("a", D(x.dtype.name, [x.size]))
    rows = builder.input("rows", D(x.dtype.name, [x.size, 2]))
    graph = builder.build({"sigmoid": builder.sigmoid(a), "softmax": builder.softmax(rows, 1)})
    result = ctx.compute(graph, {"a": x, "rows": np.stack([np.zeros_like(x), x], 1)})
    return result["sigmoid"], result["softmax"][:, 1].copy()


@pytest.mark.parametrize("dtype", FLOATS)
def test_sigmoid_softmax_underflow(dtype: str) -> None:
    """sigmoid(x) and softmax([0, x]) for x from -110 to -60: OpenVINO's results are within
    WPT's ULP tolerances of the reference (34 ULP for sigmoid, 3 * 2 + 3 for this softmax),
    except that float32 results below :data:`FLUSHED_BELOW` come out 0 (the README's known
    difference; no WPT vector comes near: their inputs lie within [-10, 10]). float16 results
    that small underflow in float16 anyway."""
    x = np.linspace(-110, -60, 5001).astype(dtype)
    for got, want, ulps in zip(_sigmoid_softmax("openvino", x), _sigmoid_softmax("reference", x),
                               (34, 9), strict=True):
        flushed = got == 0
        close = ulp_distance(got, want) <= ulps
        assert (close | (flushed & (want < FLUSHED_BELOW))).all()
        if dtype == "float32":
            assert flushed[x < -88].all() and close[x > -86.9].all()
        else:
            assert close.all()


def test_cast_to_int64_saturates_at_int32_on_openvino() -> None:
    """float -> int64 / uint64 casts of values beyond the int32 range saturate at it on
    OpenVINO (its CPU plugin computes 64-bit integers in 32 bits), where the spec truncates
    values within the target's range (webnn-spec: the cast table) and the reference does: the
    README's known difference. Within the int32 range both truncate, NaN gives 0."""
    x = np.array([3e9, -3e9, 2.0**31, 1e30, -1e30, NAN, 2.0**31 - 128, -0.5, 7.9], np.float32)
    for target in ("int64", "uint64"):
        ctx = context("openvino")
        builder = webnn.MLGraphBuilder(ctx)
        graph = builder.build({"y": builder.cast(builder.input("x", D("float32", [x.size])),
                                                 target)})
        got = ctx.compute(graph, {"x": x})["y"]
        lowest = -(2**31) if target == "int64" else 0
        with np.errstate(invalid="ignore"):
            expected = np.clip(np.nan_to_num(np.trunc(x.astype(np.float64)), nan=0.0),
                               lowest, 2**31 - 1).astype(target)
        np.testing.assert_array_equal(got, expected)
