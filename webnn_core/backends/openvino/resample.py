"""OpenVINO emitter: resample2d (webnn-spec §api-mlgraphbuilder-resample2d-method).

``Interpolate`` (v11) with static target sizes on the two axes: "half_pixel" coordinates
(``(out + 0.5) / scale - 0.5`` with ``scale = outputSize / inputSize``, clamped), mode
"nearest" with "round_prefer_floor" (``ceil(c - 0.5)``) or "linear_onnx" (bilinear on the
clamped coordinate, no antialiasing), as the spec's sampling algorithms.
"""

from __future__ import annotations

import numpy as np
import openvino as ov
import openvino.opset16 as ops

from ...graph import Node
from ._registry import registry

_MODES = {"nearest-neighbor": "nearest", "linear": "linear_onnx"}


@registry.register("resample2d")
def resample2d(node: Node, x: ov.Output) -> ov.Output:
    a = node.attrs
    sizes = ops.constant(np.array(a["sizes"], np.int64))
    axes = ops.constant(np.array(a["axes"], np.int64))
    return ops.interpolate(x, sizes, _MODES[a["mode"]], "sizes", axes=axes,
                           coordinate_transformation_mode="half_pixel",
                           nearest_mode="round_prefer_floor").output(0)
