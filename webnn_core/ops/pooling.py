"""Builder methods: average_pool2d, l2_pool2d, max_pool2d (webnn-spec §api-mlgraphbuilder-pool2d).

Node attributes (all resolved): ``window_dimensions`` (h, w; the input's spatial size when
absent), ``padding`` (beginH, endH, beginW, endW), ``strides``, ``dilations``, ``layout``
("nchw"/"nhwc"), ``output_shape_rounding`` ("floor"/"ceil": the rounding that yields the
output size, also when ``output_sizes`` was given) and ``output_sizes`` (the final output
height and width). Inputs: ``[input]``.

Two steps of the spec text are not applied literally because they contradict the spec's
own output-size rule and the WPT validation tests (webnn/validation_tests/pooling): padding
is kept (not reset to zeros) when ``outputSizes`` is given, and ``outputSizes`` is not
required to be smaller than ``strides``. ``outputSizes`` must equal the floor or the ceil of
the calculated output size, as the spec's output-shape step says.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from ..graph import MLOperand
from ..types import MLOperandDescriptor
from ._checks import check_tensor_limits, fail
from .conv import (
    INPUT_LAYOUTS,
    conv_output_size,
    layout_shape,
    option_enum,
    option_list,
    spatial_dims,
    valid_dimension,
)

ROUNDING_TYPES = ("floor", "ceil")


class PoolingOps:
    """Mixin of MLGraphBuilder: average_pool2d, l2_pool2d, max_pool2d."""

    def _pool2d(self, op: str, input: MLOperand, window_dimensions: Sequence[int] | None,
                padding: Sequence[int] | None, strides: Sequence[int] | None,
                dilations: Sequence[int] | None, layout: str, output_shape_rounding: str,
                output_sizes: Sequence[int] | None, label: str) -> MLOperand:
        """Spec "create a pooling operation"."""
        self._operand(op, input, "input")
        check_tensor_limits(op, {"input": input})
        layout = option_enum(op, layout, "layout", INPUT_LAYOUTS)
        rounding = option_enum(op, output_shape_rounding, "output_shape_rounding",
                               ROUNDING_TYPES)
        n, c, in_h, in_w = spatial_dims(input.shape, layout)
        window = option_list(op, window_dimensions, 2, "window_dimensions", (in_h, in_w),
                             nonzero=True)
        pad = option_list(op, padding, 4, "padding", (0, 0, 0, 0))
        st = option_list(op, strides, 2, "strides", (1, 1), nonzero=True)
        sizes = option_list(op, output_sizes, 2, "output_sizes")
        dil = option_list(op, dilations, 2, "dilations", (1, 1), nonzero=True)
        calc_h = conv_output_size(in_h, window[0], pad[0], pad[1], st[0], dil[0])
        calc_w = conv_output_size(in_w, window[1], pad[2], pad[3], st[1], dil[1])
        if sizes is not None:
            if sizes == (math.floor(calc_h), math.floor(calc_w)):
                rounding = "floor"
            elif sizes == (math.ceil(calc_h), math.ceil(calc_w)):
                rounding = "ceil"
            else:
                raise fail(op, f"output_sizes {list(sizes)} must be the floor "
                               f"[{math.floor(calc_h)}, {math.floor(calc_w)}] or the ceil "
                               f"[{math.ceil(calc_h)}, {math.ceil(calc_w)}] of the calculated "
                               "output size")
            out_h, out_w = sizes
        else:
            rnd = math.floor if rounding == "floor" else math.ceil
            out_h, out_w = rnd(calc_h), rnd(calc_w)
        if not (valid_dimension(out_h) and valid_dimension(out_w)):
            raise fail(op, f"output size [{out_h}, {out_w}] is not valid: the (dilated) window "
                           f"{list(window)} does not fit the padded input [{in_h}, {in_w}]")
        attrs = {"window_dimensions": window, "padding": pad, "strides": st, "dilations": dil,
                 "layout": layout, "output_shape_rounding": rounding,
                 "output_sizes": (out_h, out_w)}
        out = MLOperandDescriptor(input.data_type, layout_shape(n, c, out_h, out_w, layout))
        return self._emit(op, [input], attrs, [out], label,
                          limits={"input": input, "output": out})[0]

    def average_pool2d(self, input: MLOperand, *, window_dimensions: Sequence[int] | None = None,
                       padding: Sequence[int] | None = None,
                       strides: Sequence[int] | None = None,
                       dilations: Sequence[int] | None = None, layout: str = "nchw",
                       output_shape_rounding: str | None = None,
                       output_sizes: Sequence[int] | None = None,
                       rounding_type: str | None = None, label: str = "") -> MLOperand:
        """Average of each window, padding excluded from the count
        (webnn-spec §api-mlgraphbuilder-pool2d-average). ``rounding_type`` is the earlier
        spec name of ``output_shape_rounding``."""
        return self._pool2d("average_pool2d", input, window_dimensions, padding, strides,
                            dilations, layout,
                            _rounding("average_pool2d", output_shape_rounding, rounding_type),
                            output_sizes, label)

    def l2_pool2d(self, input: MLOperand, *, window_dimensions: Sequence[int] | None = None,
                  padding: Sequence[int] | None = None, strides: Sequence[int] | None = None,
                  dilations: Sequence[int] | None = None, layout: str = "nchw",
                  output_shape_rounding: str | None = None,
                  output_sizes: Sequence[int] | None = None,
                  rounding_type: str | None = None, label: str = "") -> MLOperand:
        """Square root of the sum of squares of each window
        (webnn-spec §api-mlgraphbuilder-pool2d-l2)."""
        return self._pool2d("l2_pool2d", input, window_dimensions, padding, strides,
                            dilations, layout,
                            _rounding("l2_pool2d", output_shape_rounding, rounding_type),
                            output_sizes, label)

    def max_pool2d(self, input: MLOperand, *, window_dimensions: Sequence[int] | None = None,
                   padding: Sequence[int] | None = None, strides: Sequence[int] | None = None,
                   dilations: Sequence[int] | None = None, layout: str = "nchw",
                   output_shape_rounding: str | None = None,
                   output_sizes: Sequence[int] | None = None,
                   rounding_type: str | None = None, label: str = "") -> MLOperand:
        """Maximum of each window (webnn-spec §api-mlgraphbuilder-pool2d-max)."""
        return self._pool2d("max_pool2d", input, window_dimensions, padding, strides,
                            dilations, layout,
                            _rounding("max_pool2d", output_shape_rounding, rounding_type),
                            output_sizes, label)


def _rounding(op: str, output_shape_rounding: str | None, rounding_type: str | None) -> str:
    if output_shape_rounding is not None and rounding_type is not None:
        raise fail(op, "give output_shape_rounding or its old name rounding_type, not both")
    value = output_shape_rounding if output_shape_rounding is not None else rounding_type
    return "floor" if value is None else value
