"""Builder methods: batch_normalization, instance_normalization, layer_normalization
(webnn-spec §api-mlgraphbuilder-batchnorm, §api-mlgraphbuilder-instancenorm,
§api-mlgraphbuilder-layernorm)."""

from __future__ import annotations

from collections.abc import Sequence

from ..graph import MLOperand
from ..types import (
    MLOperandDescriptor,
    cast_number,
    to_enum,
    to_float,
    to_uint,
    to_uint_list,
)
from ._checks import fail

LAYOUTS = ("nchw", "nhwc")


class NormalizationOps:
    """Mixin of MLGraphBuilder: the normalization operators."""

    def _check_per_channel(self, op: str, name: str, operand: MLOperand | None,
                           input: MLOperand, size: int) -> None:
        """A per-feature 1-D operand (mean, variance, scale, bias) must be « size »."""
        if operand is None:
            return
        if operand.data_type != input.data_type:
            raise fail(op, f"{name} data type {operand.data_type} must match input data type "
                           f"{input.data_type}")
        if operand.shape != (size,):
            raise fail(op, f"{name} shape {list(operand.shape)} must be [{size}] (the size of "
                           "the input's feature dimension)")

    def batch_normalization(self, input: MLOperand, mean: MLOperand, variance: MLOperand, *,
                            scale: MLOperand | None = None, bias: MLOperand | None = None,
                            axis: int = 1, epsilon: float = 1e-5,
                            label: str = "") -> MLOperand:
        """webnn-spec §api-mlgraphbuilder-batchnorm.

        Inputs: ``[input, mean, variance, scale|None, bias|None]``;
        attrs: ``axis`` (int), ``epsilon`` (float, cast to the input's data type).
        """
        op = "batch_normalization"
        self._check_can_build(op)
        self._operand(op, input, "input")
        self._operand(op, mean, "mean")
        self._operand(op, variance, "variance")
        self._operand(op, scale, "scale", optional=True)
        self._operand(op, bias, "bias", optional=True)
        axis = to_uint(axis, f"{op}: axis")
        if input.data_type not in ("float32", "float16"):
            raise fail(op, f"input data type {input.data_type} is not allowed "
                           "(allowed: float32, float16)")
        if axis >= input.rank:
            raise fail(op, f"axis {axis} must be less than the input rank {input.rank}")
        size = input.shape[axis]
        self._check_per_channel(op, "mean", mean, input, size)
        self._check_per_channel(op, "variance", variance, input, size)
        eps = float(cast_number(to_float(epsilon, f"{op}: epsilon"), input.data_type))
        self._check_per_channel(op, "scale", scale, input, size)
        self._check_per_channel(op, "bias", bias, input, size)
        out = MLOperandDescriptor(input.data_type, input.shape)
        return self._emit(op, [input, mean, variance, scale, bias],
                          {"axis": axis, "epsilon": eps}, [out], label,
                          limits={"input": input, "mean": mean, "variance": variance,
                                  "scale": scale, "bias": bias, "output": out})[0]

    def instance_normalization(self, input: MLOperand, *, scale: MLOperand | None = None,
                               bias: MLOperand | None = None, epsilon: float = 1e-5,
                               layout: str = "nchw", label: str = "") -> MLOperand:
        """webnn-spec §api-mlgraphbuilder-instancenorm.

        Inputs: ``[input, scale|None, bias|None]``; attrs: ``epsilon`` (float, cast to the
        input's data type), ``layout`` ("nchw" | "nhwc").
        """
        op = "instance_normalization"
        self._check_can_build(op)
        self._operand(op, input, "input")
        self._operand(op, scale, "scale", optional=True)
        self._operand(op, bias, "bias", optional=True)
        layout = to_enum(layout, f"{op}: layout", LAYOUTS)
        if input.data_type not in ("float32", "float16"):
            raise fail(op, f"input data type {input.data_type} is not allowed "
                           "(allowed: float32, float16)")
        if input.rank != 4:
            raise fail(op, f"input must be of rank 4, got rank {input.rank}")
        eps = float(cast_number(to_float(epsilon, f"{op}: epsilon"), input.data_type))
        size = input.shape[1 if layout == "nchw" else 3]
        self._check_per_channel(op, "scale", scale, input, size)
        self._check_per_channel(op, "bias", bias, input, size)
        out = MLOperandDescriptor(input.data_type, input.shape)
        return self._emit(op, [input, scale, bias], {"epsilon": eps, "layout": layout},
                          [out], label, limits={"input": input, "scale": scale, "bias": bias,
                                                "output": out})[0]

    def layer_normalization(self, input: MLOperand, *, scale: MLOperand | None = None,
                            bias: MLOperand | None = None, axes: Sequence[int] | None = None,
                            epsilon: float = 1e-5, label: str = "") -> MLOperand:
        """webnn-spec §api-mlgraphbuilder-layernorm.

        Inputs: ``[input, scale|None, bias|None]``; attrs: ``axes`` (tuple in the caller's
        order: scale/bias dimension i is the input's dimension ``axes[i]``), ``epsilon``.
        """
        op = "layer_normalization"
        self._check_can_build(op)
        self._operand(op, input, "input")
        self._operand(op, scale, "scale", optional=True)
        self._operand(op, bias, "bias", optional=True)
        if input.data_type not in ("float32", "float16"):
            raise fail(op, f"input data type {input.data_type} is not allowed "
                           "(allowed: float32, float16)")
        if axes is None:
            axes = tuple(range(1, input.rank))
        else:
            axes = to_uint_list(axes, f"{op}: axes")
            if len(set(axes)) != len(axes):
                raise fail(op, f"axes {list(axes)} must not contain duplicates")
            for axis in axes:
                if axis >= input.rank:
                    raise fail(op, f"axis {axis} in axes must be in [0, {input.rank - 1}] "
                                   f"for input rank {input.rank}")
        eps = float(cast_number(to_float(epsilon, f"{op}: epsilon"), input.data_type))
        expected = [input.shape[a] for a in axes]
        for name, operand in (("scale", scale), ("bias", bias)):
            if operand is None:
                continue
            if operand.data_type != input.data_type:
                raise fail(op, f"{name} data type {operand.data_type} must match input data "
                               f"type {input.data_type}")
            if operand.rank != len(axes):
                raise fail(op, f"{name} rank {operand.rank} must equal the number of axes "
                               f"({len(axes)})")
            if list(operand.shape) != expected:
                raise fail(op, f"{name} shape {list(operand.shape)} must be {expected} (the "
                               "input's sizes along axes)")
        out = MLOperandDescriptor(input.data_type, input.shape)
        return self._emit(op, [input, scale, bias], {"axes": tuple(axes), "epsilon": eps},
                          [out], label, limits={"input": input, "scale": scale, "bias": bias,
                                                "output": out})[0]
