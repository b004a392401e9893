"""Moving layout transposes through element-wise ops so that they cancel.

WebNN's channels-last operators (``input_layout="nhwc"``, ``layout="nhwc"``) become
OpenVINO's channels-first operators between two Transposes. Between two such operators
there are usually only element-wise ops (a fused activation clamp, a residual add, the
quantize/dequantize arithmetic), which keep the pair of Transposes apart: OpenVINO's CPU
plugin only removes Transposes that meet. This pass moves each Transpose below the
element-wise ops that consume it (an element-wise op commutes with a transpose of all its
inputs: constants are transposed once, other inputs must come through the same
transpose) and through Pads with constant pads (which pad the same axes, renumbered), and
then fuses consecutive Transposes, dropping those that compose to the identity. It
changes no value: every op computes exactly what it computed before, on permuted
coordinates.

OpenVINO's frontends do the same (their TransposeSinking passes) on models they read, which
is why a channels-last TFLite file read by OpenVINO directly has no Transposes left.
"""

from __future__ import annotations

import numpy as np
import openvino as ov
import openvino.opset16 as ops

#: element-wise op types (numpy broadcasting over all inputs; one output)
ELEMENTWISE = frozenset({
    "Abs", "Acos", "Acosh", "Asin", "Asinh", "Atan", "Atanh", "Ceiling", "Clamp", "Convert",
    "Cos", "Cosh", "Elu", "Erf", "Exp", "Floor", "Gelu", "HSigmoid", "HSwish", "IsFinite",
    "IsInf", "IsNaN", "Log", "LogicalNot", "Mish", "Negative", "Relu", "Round", "Sigmoid",
    "Sign", "Sin", "Sinh", "SoftPlus", "SoftSign", "Sqrt", "Tan", "Tanh",
    "Add", "Subtract", "Multiply", "Divide", "Maximum", "Minimum", "Power",
    "SquaredDifference", "Equal", "NotEqual", "Less", "LessEqual", "Greater", "GreaterEqual",
    "LogicalAnd", "LogicalOr", "LogicalXor", "FloorMod", "Mod", "Select", "FakeQuantize",
})
_MAX_ROUNDS = 64


def _perm(transpose: ov.Node) -> tuple[int, ...] | None:
    order = transpose.input_value(1).get_node()
    if order.get_type_name() != "Constant":
        return None
    return tuple(int(v) for v in order.get_data().reshape(-1))


def _is_transpose(node: ov.Node) -> bool:
    return node.get_type_name() == "Transpose"


def _constness(model: ov.Model) -> dict[str, bool]:
    """Node name -> computed from Constants only (a Constant, or e.g. the Convert of a zero
    point, which OpenVINO folds when compiling); one pass in topological order."""
    const: dict[str, bool] = {}
    for node in model.get_ordered_ops():
        kind = node.get_type_name()
        if kind == "Constant":
            const[node.get_name()] = True
        elif kind in ("Parameter", "ReadValue") or node.get_input_size() == 0:
            const[node.get_name()] = False
        else:
            const[node.get_name()] = all(const.get(v.get_node().get_name(), False)
                                         for v in node.input_values())
    return const


def _is_constant(value: ov.Output, const: dict[str, bool]) -> bool:
    node = value.get_node()
    return node.get_type_name() == "Constant" or const.get(node.get_name(), False)


def _pad_sinkable(op: ov.Node, perm: tuple[int, ...]) -> bool:
    """A Pad of a Transpose by ``perm`` whose pads (and pad value) are Constants."""
    source = op.input_value(0).get_node()
    if not (_is_transpose(source) and _perm(source) == perm):
        return False
    return all(op.input_value(i).get_node().get_type_name() == "Constant"
               for i in range(1, op.get_input_size()))


def _sink_pad(op: ov.Node, perm: tuple[int, ...]) -> None:
    """Pad(Transpose(x, perm), begin, end) == Transpose(Pad(x, begin[inv], end[inv]), perm)
    with ``inv = argsort(perm)``: output axis i is input axis perm[i] (any pad mode)."""
    inverse = [int(i) for i in np.argsort(perm)]
    op.input(0).replace_source_output(op.input_value(0).get_node().input_value(0))
    for index in (1, 2):
        pads = op.input_value(index).get_node().get_data().reshape(-1)
        op.input(index).replace_source_output(
            ops.constant(np.ascontiguousarray(pads[inverse])).output(0))
    _transpose_result(op, perm)


def _transpose_result(op: ov.Node, perm: tuple[int, ...]) -> None:
    op.validate_and_infer_types()
    out = op.output(0)
    targets = list(out.get_target_inputs())
    transposed = ops.transpose(out, ops.constant(np.array(perm, np.int64)))
    for target in targets:
        target.replace_source_output(transposed.output(0))


def _sinkable(op: ov.Node, perm: tuple[int, ...], const: dict[str, bool]) -> bool:
    """Whether every input of ``op`` is constant or the output of a Transpose by ``perm``,
    with numpy broadcasting, static shapes and one output (or a Pad: :func:`_pad_sinkable`)."""
    if op.get_type_name() == "Pad":
        return _pad_sinkable(op, perm)
    if op.get_type_name() not in ELEMENTWISE or op.get_output_size() != 1:
        return False
    if op.get_attributes().get("auto_broadcast", "numpy") not in ("numpy",):
        return False
    rank = len(perm)
    if op.get_output_partial_shape(0).rank.get_length() != rank:
        return False
    for value in op.input_values():
        source = value.get_node()
        if _is_transpose(source) and _perm(source) == perm:
            continue
        if not _is_constant(value, const) or not value.get_partial_shape().is_static or \
                len(value.get_shape()) > rank:
            return False
    return True


def _transposed_constant(value: ov.Output, inverse: tuple[int, ...]) -> ov.Output:
    """The constant in the un-transposed frame (numpy-broadcast to full rank first)."""
    shape = tuple(value.get_shape())
    rank = len(inverse)
    if int(np.prod(shape, dtype=np.int64)) == 1 and len(shape) <= rank:
        return value  # a scalar broadcasts the same in every frame
    full = (1,) * (rank - len(shape)) + shape
    node = value.get_node()
    if node.get_type_name() == "Constant":
        data = node.get_data().reshape(full)
        return ops.constant(np.ascontiguousarray(np.transpose(data, inverse))).output(0)
    if len(shape) < rank:
        value = ops.reshape(value, ops.constant(np.array(full, np.int64)), False).output(0)
    return ops.transpose(value, ops.constant(np.array(inverse, np.int64))).output(0)


def _sink_one(op: ov.Node, perm: tuple[int, ...]) -> None:
    """Rewire ``op`` to read the un-transposed values and transpose its result instead."""
    if op.get_type_name() == "Pad":
        _sink_pad(op, perm)
        return
    inverse = tuple(int(i) for i in np.argsort(perm))
    for index, value in enumerate(op.input_values()):
        source = value.get_node()
        if _is_transpose(source) and _perm(source) == perm:
            new = source.input_value(0)
        else:
            new = _transposed_constant(value, inverse)
        if new is not value:
            op.input(index).replace_source_output(new)
    _transpose_result(op, perm)


def _fuse_transposes(model: ov.Model) -> bool:
    changed = False
    for node in model.get_ordered_ops():
        if not _is_transpose(node):
            continue
        inner = node.input_value(0).get_node()
        if not _is_transpose(inner):
            continue
        outer_perm, inner_perm = _perm(node), _perm(inner)
        if outer_perm is None or inner_perm is None:
            continue
        composed = tuple(inner_perm[p] for p in outer_perm)
        source = inner.input_value(0)
        if composed == tuple(range(len(composed))):
            replacement = source
        else:
            replacement = ops.transpose(
                source, ops.constant(np.array(composed, np.int64))).output(0)
        for target in list(node.output(0).get_target_inputs()):
            target.replace_source_output(replacement)
        changed = True
    return changed


def sink_transposes(model: ov.Model) -> ov.Model:
    """Move Transposes below element-wise ops and cancel inverse pairs (in place)."""
    for _ in range(_MAX_ROUNDS):
        changed = False
        const = _constness(model)
        for node in model.get_ordered_ops():
            if not _is_transpose(node):
                continue
            perm = _perm(node)
            if perm is None:
                continue
            for target in list(node.output(0).get_target_inputs()):
                op = target.get_node()
                if _sinkable(op, perm, const):
                    _sink_one(op, perm)
                    changed = True
        changed = _fuse_transposes(model) or changed
        if not changed:
            break
    model.validate_nodes_and_infer_types()
    return model
