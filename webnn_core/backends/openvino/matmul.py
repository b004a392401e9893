"""OpenVINO emitters: matmul and gemm (webnn-spec §api-mlgraphbuilder-matmul, -gemm).

gemm is ``MatMul(transpose_a, transpose_b)``, then ``* alpha`` and ``+ beta * c`` only when
they are not identities: with alpha = beta = 1 it is MatMul + Add, which OpenVINO fuses
into a fully connected layer with bias (as for ONNX's Gemm).
"""

from __future__ import annotations

import numpy as np
import openvino as ov
import openvino.opset16 as ops

from ...graph import Node
from ._registry import registry


def _const(value: float, like: ov.Output) -> ov.Output:
    return ops.constant(np.array(value, like.get_element_type().to_dtype())).output(0)


@registry.register("matmul")
def matmul(node: Node, a: ov.Output, b: ov.Output) -> ov.Output:
    return ops.matmul(a, b, False, False).output(0)


@registry.register("gemm")
def gemm(node: Node, a: ov.Output, b: ov.Output, c: ov.Output | None) -> ov.Output:
    attrs = node.attrs
    out = ops.matmul(a, b, attrs["a_transpose"], attrs["b_transpose"]).output(0)
    if attrs["alpha"] != 1.0:
        out = ops.multiply(out, _const(attrs["alpha"], out)).output(0)
    if c is not None:
        if attrs["beta"] != 1.0:
            c = ops.multiply(c, _const(attrs["beta"], c)).output(0)
        out = ops.add(out, c).output(0)
    return out
