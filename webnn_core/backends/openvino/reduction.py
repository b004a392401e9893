"""OpenVINO emitters: reductions, arg_min/arg_max and cumulative_sum
(webnn-spec §api-mlgraphbuilder-reduce, -argminmax, -cumulativesum).

Integer data types on the OpenVINO CPU plugin (measured on openvino 2026.4):

- int64, uint64 and uint32 are computed as int32; the driver rejects graph inputs and
  constants outside the int32 range (``NARROWED_RANGE``). Order-based results (max, min,
  arg_min, arg_max) are then exact for every integer type. Sums and products of uint32 wrap
  modulo 2^32 like the reference; those of int64/uint64 would wrap at 32 bits instead of
  64, so int64/uint64 are not registered for the summing reductions and cumulative_sum.
- The Reduce* nodes accumulate int32 in float32 (wrong beyond 2^24, saturating instead of
  wrapping), while CumSum, TopK, Multiply and ReduceProd are exact. So 32/64-bit integer
  sum/l1/sum_square reduce through CumSum (the last running sum, wrapping like the
  reference) and max/min through TopK, over the reduced axes moved last and flattened.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import openvino as ov
import openvino.opset16 as ops

from ...graph import Node
from ._registry import registry
from .elementwise import exp

Axes = tuple[int, ...]
#: data types computed exactly (see the module docstring)
SUMMABLE = ("float32", "float16", "int32", "uint32")
ORDERED = ("float32", "float16", "int32", "uint32", "int64", "uint64", "int8", "uint8")
WIDE_INTEGERS = ("int32", "uint32", "int64", "uint64")


def _axes(axes: Axes) -> ov.Output:
    return ops.constant(np.array(axes, np.int64)).output(0)


def _square(x: ov.Output) -> ov.Output:
    return ops.multiply(x, x).output(0)


def _log_sum_exp(x: ov.Output, axes: Axes, keep: bool) -> ov.Output:
    """m + log(sum(exp(x - m))) with m the reduced maximum where finite (else 0), so that
    exp does not overflow where the true result is representable. A NaN gives NaN (the
    CPU plugin's Exp makes NaN +inf)."""
    peak = ops.reduce_max(x, _axes(axes), True)
    zero = ops.constant(np.array(0, x.get_element_type().to_dtype()))
    peak = ops.select(ops.is_finite(peak), peak, zero)
    total = ops.reduce_sum(exp(ops.subtract(x, peak).output(0)), _axes(axes), True)
    out = ops.add(ops.log(total), peak).output(0)
    return out if keep else ops.squeeze(out, _axes(axes)).output(0)


def _extreme(reduce: Callable[..., ov.Node], infinity: float, x: ov.Output, axes: Axes,
             keep: bool) -> ov.Output:
    """ReduceMax/ReduceMin. The CPU plugin starts them at the lowest/highest *finite* value,
    so a window holding only -inf (max) or +inf (min) came out as -FLT_MAX/+FLT_MAX; and
    whether a NaN comes out depends on where it is (``[NaN, 1]`` -> 1, ``[1, NaN]`` ->
    NaN). A NaN anywhere gives NaN (the README's NaN rule, as the reference)."""
    y = reduce(x, _axes(axes), keep).output(0)
    if not x.get_element_type().is_real():
        return y
    dtype = x.get_element_type().to_dtype()
    inf = ops.constant(np.array(infinity, dtype)).output(0)
    only_inf = ops.reduce_logical_and(ops.equal(x, inf), _axes(axes), keep)
    has_nan = ops.reduce_logical_or(ops.is_nan(x), _axes(axes), keep)
    y = ops.select(only_inf, inf, y)
    return ops.select(has_nan, ops.constant(np.array(np.nan, dtype)), y).output(0)


#: op -> (reduction over non-empty axes, the same function applied to one value)
_REDUCERS: dict[str, tuple[Callable[[ov.Output, Axes, bool], ov.Output],
                           Callable[[ov.Output], ov.Output]]] = {
    "reduce_l1": (lambda x, a, k: ops.reduce_l1(x, _axes(a), k).output(0),
                  lambda x: ops.abs(x).output(0)),
    "reduce_l2": (lambda x, a, k: ops.reduce_l2(x, _axes(a), k).output(0),
                  lambda x: ops.abs(x).output(0)),
    "reduce_log_sum": (lambda x, a, k: ops.log(ops.reduce_sum(x, _axes(a), k)).output(0),
                       lambda x: ops.log(x).output(0)),
    "reduce_log_sum_exp": (_log_sum_exp, lambda x: ops.identity(x).output(0)),
    "reduce_max": (lambda x, a, k: _extreme(ops.reduce_max, -np.inf, x, a, k),
                   lambda x: ops.identity(x).output(0)),
    "reduce_mean": (lambda x, a, k: ops.reduce_mean(x, _axes(a), k).output(0),
                    lambda x: ops.identity(x).output(0)),
    "reduce_min": (lambda x, a, k: _extreme(ops.reduce_min, np.inf, x, a, k),
                   lambda x: ops.identity(x).output(0)),
    "reduce_product": (lambda x, a, k: ops.reduce_prod(x, _axes(a), k).output(0),
                       lambda x: ops.identity(x).output(0)),
    "reduce_sum": (lambda x, a, k: ops.reduce_sum(x, _axes(a), k).output(0),
                   lambda x: ops.identity(x).output(0)),
    "reduce_sum_square": (lambda x, a, k: ops.reduce_sum(_square(x), _axes(a), k).output(0),
                          _square),
}


def _reshape(x: ov.Output, shape: list[int] | tuple[int, ...]) -> ov.Output:
    return ops.reshape(x, ops.constant(np.array(shape, np.int64)), False).output(0)


def _flatten_reduced(x: ov.Output, shape: tuple[int, ...], axes: Axes) -> ov.Output:
    """``x`` with the reduced axes moved last and flattened into one: [*kept, count]."""
    kept = [i for i in range(len(shape)) if i not in axes]
    order = kept + sorted(axes)
    if order != list(range(len(shape))):
        x = ops.transpose(x, ops.constant(np.array(order, np.int64))).output(0)
    count = int(np.prod([shape[i] for i in axes], dtype=np.int64))
    return _reshape(x, [shape[i] for i in kept] + [count])


def _exact_integer(node: Node, x: ov.Output) -> ov.Output:
    """Integer sum/l1/sum_square (via CumSum) and max/min (via TopK), exact."""
    shape = node.inputs[0].shape
    axes = node.attrs["axes"]
    if node.op == "reduce_l1" and x.get_element_type().is_signed():
        x = ops.abs(x).output(0)
    elif node.op == "reduce_sum_square":
        x = _square(x)
    flat = _flatten_reduced(x, shape, axes)
    last = ops.constant(np.int64(-1))
    if node.op in ("reduce_max", "reduce_min"):
        mode = "max" if node.op == "reduce_max" else "min"
        out = ops.topk(flat, ops.constant(np.int64(1)), -1, mode, "value", "i32", True)
        out = out.output(0)
    else:
        running = ops.cum_sum(flat, last)
        count = flat.get_partial_shape().to_shape()[-1]
        out = ops.gather(running, ops.constant(np.int64(count - 1)), last).output(0)
    return _reshape(out, node.output.shape)


_INTEGER_EXACT = ("reduce_l1", "reduce_sum", "reduce_sum_square", "reduce_max", "reduce_min")


def _reduce(node: Node, x: ov.Output) -> ov.Output:
    axes, keep = node.attrs["axes"], node.attrs["keep_dimensions"]
    reducer, single = _REDUCERS[node.op]
    if not axes:
        # OpenVINO rejects an empty axes list on a non-scalar: nothing is reduced then
        if node.op == "reduce_l1" and not x.get_element_type().is_signed():
            return ops.identity(x).output(0)
        return single(x)
    if node.op in _INTEGER_EXACT and node.inputs[0].data_type in WIDE_INTEGERS:
        return _exact_integer(node, x)
    return reducer(x, axes, keep)


for _op in ("reduce_l2", "reduce_log_sum", "reduce_log_sum_exp", "reduce_mean"):
    registry.register(_op)(_reduce)
for _op in ("reduce_l1", "reduce_sum", "reduce_sum_square"):
    registry.register(_op, data_types={"input": SUMMABLE})(_reduce)
registry.register("reduce_product", data_types={"input": ("float32", "float16", "int32",
                                                          "uint32")})(_reduce)
for _op in ("reduce_max", "reduce_min"):
    registry.register(_op, data_types={"input": ORDERED})(_reduce)


def _first_index(x: ov.Output, axis: int, mode: str, index_type: str) -> ov.Output:
    """TopK(k=1) with a stable sort: the first index of the extreme value (keeps the axis)."""
    k = ops.constant(np.int64(1))
    return ops.topk(x, k, axis, mode, "value", index_type, True).output(1)


@registry.register("arg_min", "arg_max", data_types={"input": ORDERED})
def arg_min_max(node: Node, x: ov.Output) -> ov.Output:
    """First index of the extreme value; as in the reference a NaN counts as the extreme
    (the first NaN wins), which TopK alone does not do."""
    axis = node.attrs["axis"]
    index_type = "i32" if node.attrs["output_data_type"] == "int32" else "i64"
    mode = "max" if node.op == "arg_max" else "min"
    out = _first_index(x, axis, mode, index_type)
    if x.get_element_type().is_real():
        nan = ops.convert(ops.is_nan(x), ov.Type.u8)
        first_nan = _first_index(nan, axis, "max", index_type)
        has_nan = ops.reduce_max(nan, _axes((axis,)), True)
        out = ops.select(ops.convert(has_nan, ov.Type.boolean), first_nan, out).output(0)
    if not node.attrs["keep_dimensions"]:
        out = ops.squeeze(out, _axes((axis,))).output(0)
    return out


@registry.register("cumulative_sum", data_types={"input": ("float32", "float16", "int32",
                                                           "uint32")})
def cumulative_sum(node: Node, x: ov.Output) -> ov.Output:
    axis = ops.constant(np.int64(node.attrs["axis"]))
    return ops.cum_sum(x, axis, node.attrs["exclusive"], node.attrs["reversed"]).output(0)
