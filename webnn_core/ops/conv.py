"""Builder methods: conv2d, conv_transpose2d (webnn-spec §api-mlgraphbuilder-conv2d,
§api-mlgraphbuilder-convtranspose2d).

Node attributes (all resolved, plain Python values):

- ``conv2d``: ``padding`` (beginH, endH, beginW, endW), ``strides`` (h, w), ``dilations``
  (h, w), ``groups``, ``input_layout`` ("nchw"/"nhwc"), ``filter_layout``.
- ``conv_transpose2d``: the same plus ``output_sizes`` (the final output height and
  width) and ``output_padding`` (the final size minus the size computed from the input,
  i.e. the effective output padding, also when ``output_sizes`` was given).

Inputs: ``[input, filter, bias]`` with ``None`` for an absent bias.
"""

from __future__ import annotations

from collections.abc import Sequence

from ..graph import MLOperand
from ..types import MAX_DIMENSION, MLOperandDescriptor, to_enum, to_uint, to_uint_list
from ._checks import check_tensor_limits, fail

INPUT_LAYOUTS = ("nchw", "nhwc")
CONV2D_FILTER_LAYOUTS = ("oihw", "hwio", "ohwi", "ihwo")
CONV_TRANSPOSE2D_FILTER_LAYOUTS = ("iohw", "hwoi", "ohwi")


def option_list(op: str, value: Sequence[int] | None, size: int, name: str,
                default: tuple[int, ...] | None = None, nonzero: bool = False
                ) -> tuple[int, ...] | None:
    """A ``sequence<[EnforceRange] unsigned long>`` option of exactly ``size`` items
    (``default`` when absent); ``nonzero`` rejects items equal to 0."""
    if value is None:
        return default
    items = to_uint_list(value, f"{op}: {name}")
    if len(items) != size:
        raise fail(op, f"{name} must have {size} items, got {len(items)}")
    if nonzero and any(v == 0 for v in items):
        raise fail(op, f"{name} items must be greater than 0, got {list(items)}")
    return items


def option_uint(op: str, value: object, name: str) -> int:
    """An ``[EnforceRange] unsigned long`` option."""
    return to_uint(value, f"{op}: {name}")


def option_enum(op: str, value: object, name: str, allowed: Sequence[str]) -> str:
    return to_enum(value, f"{op}: {name}", allowed)


def spatial_dims(shape: Sequence[int], layout: str) -> tuple[int, int, int, int]:
    """(batches, channels, height, width) of a 4-D shape in ``layout``."""
    if layout == "nchw":
        n, c, h, w = shape
    else:
        n, h, w, c = shape
    return n, c, h, w


def layout_shape(n: int, c: int, h: int, w: int, layout: str) -> tuple[int, int, int, int]:
    return (n, c, h, w) if layout == "nchw" else (n, h, w, c)


def conv_output_size(input_size: int, filter_size: int, begin: int, end: int, stride: int,
                     dilation: int) -> float:
    """Spec "calculate conv output size" (a possibly fractional number)."""
    effective = (filter_size - 1) * dilation + 1
    return (input_size - effective + begin + end) / stride + 1


def valid_dimension(value: float) -> bool:
    return value == int(value) and 0 < value <= MAX_DIMENSION


class ConvolutionOps:
    """Mixin of MLGraphBuilder: conv2d and conv_transpose2d."""

    def _conv_common(self, op: str, input: MLOperand, filter: MLOperand, bias: object,
                     padding: object, strides: object, dilations: object, groups: object,
                     input_layout: object) -> tuple[MLOperand | None, dict]:
        """Steps shared by conv2d and convTranspose2d: operand validation, the spec's
        allowed data types and ranks, and the padding/strides/dilations/groups options."""
        self._operand(op, input, "input")
        self._operand(op, filter, "filter")
        bias = self._operand(op, bias, "bias", optional=True)
        check_tensor_limits(op, {"input": input, "filter": filter})
        attrs = {
            "padding": option_list(op, padding, 4, "padding", (0, 0, 0, 0)),
            "strides": option_list(op, strides, 2, "strides", (1, 1), nonzero=True),
            "dilations": option_list(op, dilations, 2, "dilations", (1, 1), nonzero=True),
        }
        return bias, attrs | {"groups": option_uint(op, groups, "groups"),
                              "input_layout": option_enum(op, input_layout, "input_layout",
                                                          INPUT_LAYOUTS)}

    @staticmethod
    def _check_bias(op: str, bias: MLOperand | None, channels: int) -> None:
        if bias is not None and tuple(bias.shape) != (channels,):
            raise fail(op, f"bias shape {list(bias.shape)} must be [{channels}] (output "
                           "channels)")

    def conv2d(self, input: MLOperand, filter: MLOperand, *,
               padding: Sequence[int] | None = None, strides: Sequence[int] | None = None,
               dilations: Sequence[int] | None = None, groups: int = 1,
               input_layout: str = "nchw", filter_layout: str = "oihw",
               bias: MLOperand | None = None, label: str = "") -> MLOperand:
        """2-D convolution (webnn-spec §api-mlgraphbuilder-conv2d)."""
        op = "conv2d"
        bias, attrs = self._conv_common(op, input, filter, bias, padding, strides, dilations,
                                        groups, input_layout)
        attrs["filter_layout"] = option_enum(op, filter_layout, "filter_layout",
                                             CONV2D_FILTER_LAYOUTS)
        if attrs["groups"] == 0:
            raise fail(op, "groups must be greater than 0")
        n, in_c, in_h, in_w = spatial_dims(input.shape, attrs["input_layout"])
        fs = filter.shape
        out_c, f_in_c, f_h, f_w = {
            "oihw": (fs[0], fs[1], fs[2], fs[3]),
            "hwio": (fs[3], fs[2], fs[0], fs[1]),
            "ohwi": (fs[0], fs[3], fs[1], fs[2]),
            "ihwo": (fs[3], fs[0], fs[1], fs[2]),
        }[attrs["filter_layout"]]
        g = attrs["groups"]
        if in_c % g != 0:
            raise fail(op, f"input channels {in_c} must be divisible by groups {g}")
        if in_c // g != f_in_c:
            raise fail(op, f"filter input channels {f_in_c} must equal input channels / groups "
                           f"({in_c} / {g} = {in_c // g})")
        if out_c % g != 0:
            raise fail(op, f"output channels {out_c} must be divisible by groups {g}")
        self._check_bias(op, bias, out_c)
        pad, st, dil = attrs["padding"], attrs["strides"], attrs["dilations"]
        out_h = int(conv_output_size(in_h, f_h, pad[0], pad[1], st[0], dil[0]) // 1)
        out_w = int(conv_output_size(in_w, f_w, pad[2], pad[3], st[1], dil[1]) // 1)
        if not (valid_dimension(out_h) and valid_dimension(out_w)):
            raise fail(op, f"output size [{out_h}, {out_w}] is not valid: the (dilated) filter "
                           f"[{f_h}, {f_w}] does not fit the padded input [{in_h}, {in_w}]")
        out = MLOperandDescriptor(input.data_type,
                                  layout_shape(n, out_c, out_h, out_w, attrs["input_layout"]))
        return self._emit(op, [input, filter, bias], attrs, [out], label,
                          limits={"input": input, "filter": filter, "bias": bias,
                                  "output": out})[0]

    def conv_transpose2d(self, input: MLOperand, filter: MLOperand, *,
                         padding: Sequence[int] | None = None,
                         strides: Sequence[int] | None = None,
                         dilations: Sequence[int] | None = None,
                         output_padding: Sequence[int] | None = None,
                         output_sizes: Sequence[int] | None = None, groups: int = 1,
                         input_layout: str = "nchw", filter_layout: str = "iohw",
                         bias: MLOperand | None = None, label: str = "") -> MLOperand:
        """2-D transposed convolution (webnn-spec §api-mlgraphbuilder-convtranspose2d)."""
        op = "conv_transpose2d"
        bias, attrs = self._conv_common(op, input, filter, bias, padding, strides, dilations,
                                        groups, input_layout)
        st = attrs["strides"]
        out_pad = option_list(op, output_padding, 2, "output_padding", (0, 0))
        sizes = option_list(op, output_sizes, 2, "output_sizes")
        if sizes is None and (out_pad[0] >= st[0] or out_pad[1] >= st[1]):
            raise fail(op, f"output_padding {list(out_pad)} must be smaller than strides "
                           f"{list(st)}")
        attrs["filter_layout"] = option_enum(op, filter_layout, "filter_layout",
                                             CONV_TRANSPOSE2D_FILTER_LAYOUTS)
        g = attrs["groups"]
        if g == 0:
            raise fail(op, "groups must be greater than 0")
        n, in_c, in_h, in_w = spatial_dims(input.shape, attrs["input_layout"])
        fs = filter.shape
        f_in_c, f_out_c, f_h, f_w = {
            "iohw": (fs[0], fs[1], fs[2], fs[3]),
            "hwoi": (fs[3], fs[2], fs[0], fs[1]),
            "ohwi": (fs[3], fs[0], fs[1], fs[2]),
        }[attrs["filter_layout"]]
        if in_c != f_in_c:
            raise fail(op, f"filter input channels {f_in_c} must equal input channels {in_c}")
        # Not a spec step, but the operation is undefined otherwise (the spec's grouping
        # splits the input channels into ``groups`` equal parts).
        if in_c % g != 0:
            raise fail(op, f"input channels {in_c} must be divisible by groups {g}")
        out_c = f_out_c * g
        if not valid_dimension(out_c):
            raise fail(op, f"output channels {f_out_c} * groups {g} is not a valid dimension")
        self._check_bias(op, bias, out_c)
        pad, dil = attrs["padding"], attrs["dilations"]
        calc_h = (in_h - 1) * st[0] + (f_h - 1) * dil[0] + 1 - pad[0] - pad[1]
        calc_w = (in_w - 1) * st[1] + (f_w - 1) * dil[1] + 1 - pad[2] - pad[3]
        if sizes is not None:
            out_h, out_w = sizes
            if not calc_h <= out_h < calc_h + st[0]:
                raise fail(op, f"output_sizes[0] {out_h} must be in [{calc_h}, "
                               f"{calc_h + st[0]}) for the given input, filter and options")
            if not calc_w <= out_w < calc_w + st[1]:
                raise fail(op, f"output_sizes[1] {out_w} must be in [{calc_w}, "
                               f"{calc_w + st[1]}) for the given input, filter and options")
        else:
            out_h, out_w = calc_h + out_pad[0], calc_w + out_pad[1]
        if not (valid_dimension(out_h) and valid_dimension(out_w)):
            raise fail(op, f"output size [{out_h}, {out_w}] is not a valid shape (padding too "
                           "large for the input and filter)")
        attrs["output_sizes"] = (out_h, out_w)
        attrs["output_padding"] = (out_h - calc_h, out_w - calc_w)
        out = MLOperandDescriptor(input.data_type,
                                  layout_shape(n, out_c, out_h, out_w, attrs["input_layout"]))
        return self._emit(op, [input, filter, bias], attrs, [out], label,
                          limits={"input": input, "filter": filter, "bias": bias,
                                  "output": out})[0]
