"""ONNX -> WebNN translation shared by the ONNX Runtime EP and the OpenCV backend.

It depends on ``onnx`` only for reading ModelProtos (:func:`from_onnx_model`), never on a
host runtime.
"""

from .model import GraphInfo, NodeInfo, ValueInfo, from_onnx_model, to_onnx_model
from .translator import (
    NodeView,
    TranslatedGraph,
    Unsupported,
    Verdict,
    build_graph,
    check_graph,
    check_node,
    fill_output_info,
    group_io,
    run_graph,
    supported_op_types,
    translator,
)

__all__ = [
    "GraphInfo",
    "NodeInfo",
    "NodeView",
    "TranslatedGraph",
    "Unsupported",
    "ValueInfo",
    "Verdict",
    "build_graph",
    "check_graph",
    "check_node",
    "fill_output_info",
    "from_onnx_model",
    "to_onnx_model",
    "group_io",
    "run_graph",
    "supported_op_types",
    "translator",
]
