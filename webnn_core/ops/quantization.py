"""Builder methods: quantize_linear, dequantize_linear, cast (webnn-spec
§api-mlgraphbuilder-quantizelinear, §api-mlgraphbuilder-dequantizelinear,
§api-mlgraphbuilder-cast)."""

from __future__ import annotations

from collections.abc import Sequence

from ..graph import MLOperand
from ..types import MLOperandDescriptor, check_data_type
from ._checks import check_tensor_limits, fail


def blockwise_broadcastable(shape_from: Sequence[int], shape_to: Sequence[int]) -> bool:
    """The spec's "blockwise broadcast the shapes" (§algorithms-broadcasting): same rank and
    every dimension of ``shape_from`` exactly divides the matching one of ``shape_to``."""
    if len(shape_from) != len(shape_to):
        return False
    return all(t % f == 0 for f, t in zip(shape_from, shape_to, strict=True))


class QuantizationOps:
    """Mixin of MLGraphBuilder: quantize_linear, dequantize_linear, cast."""

    def _check_scale_zero_point(self, op: str, input: MLOperand, scale: MLOperand,
                                zero_point: MLOperand) -> None:
        """The rank, shape and blockwise broadcasting steps shared by quantizeLinear and
        dequantizeLinear."""
        if scale.rank != input.rank or zero_point.rank != input.rank:
            raise fail(op, f"scale rank {scale.rank} and zeroPoint rank {zero_point.rank} must "
                           f"equal input rank {input.rank}")
        if scale.shape != zero_point.shape:
            raise fail(op, f"scale shape {list(scale.shape)} must equal zeroPoint shape "
                           f"{list(zero_point.shape)}")
        if not blockwise_broadcastable(scale.shape, input.shape):
            raise fail(op, f"scale shape {list(scale.shape)} is not blockwise broadcastable to "
                           f"input shape {list(input.shape)} (each dimension must divide the "
                           "input's)")

    def dequantize_linear(self, input: MLOperand, scale: MLOperand, zero_point: MLOperand, *,
                          label: str = "") -> MLOperand:
        """``output = (input - zeroPoint) * scale`` with blockwise broadcast scale and zero
        point (webnn-spec §api-mlgraphbuilder-dequantizelinear)."""
        op = "dequantize_linear"
        self._operand(op, input, "input")
        self._operand(op, scale, "scale")
        self._operand(op, zero_point, "zeroPoint")
        # data types and ranks first (the table's "same as" rules included): the shape
        # checks below rely on them
        check_tensor_limits(op, {"input": input, "scale": scale, "zero_point": zero_point})
        self._check_scale_zero_point(op, input, scale, zero_point)
        out = MLOperandDescriptor(scale.data_type, input.shape)
        limits = {"input": input, "scale": scale, "zero_point": zero_point, "output": out}
        return self._emit(op, [input, scale, zero_point], {}, [out], label, limits=limits)[0]

    def quantize_linear(self, input: MLOperand, scale: MLOperand, zero_point: MLOperand, *,
                        label: str = "") -> MLOperand:
        """``output = saturate(roundEven(input / scale) + zeroPoint)`` with blockwise
        broadcast scale and zero point (webnn-spec §api-mlgraphbuilder-quantizelinear)."""
        op = "quantize_linear"
        self._operand(op, input, "input")
        self._operand(op, scale, "scale")
        self._operand(op, zero_point, "zeroPoint")
        # data types and ranks first (the table's "same as" rules included): the shape
        # checks below rely on them
        check_tensor_limits(op, {"input": input, "scale": scale, "zero_point": zero_point})
        self._check_scale_zero_point(op, input, scale, zero_point)
        out = MLOperandDescriptor(zero_point.data_type, input.shape)
        limits = {"input": input, "scale": scale, "zero_point": zero_point, "output": out}
        return self._emit(op, [input, scale, zero_point], {}, [out], label, limits=limits)[0]

    def cast(self, input: MLOperand, data_type: str, *, label: str = "") -> MLOperand:
        """Cast every element to ``data_type`` (webnn-spec §api-mlgraphbuilder-cast)."""
        op = "cast"
        self._operand(op, input, "input")
        try:
            data_type = check_data_type(data_type, "dataType")
        except TypeError as exc:
            raise fail(op, str(exc)) from None
        out = MLOperandDescriptor(data_type, input.shape)
        return self._emit(op, [input], {"data_type": data_type}, [out], label,
                          limits={"input": input, "output": out})[0]
