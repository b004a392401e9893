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

from collections import deque

import numpy as np
import openvino as ov
import openvino.opset16 as ops
from openvino.op import Constant
from openvino.utils.node_factory import NodeFactory

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


#: node factory and Constant without the opset wrappers' per-call signature checks (the
#: pass creates hundreds of nodes: an int8 MobileNetV2 ~1,000)
_FACTORY = NodeFactory("opset1")


def _constant(array: np.ndarray) -> ov.Output:
    """A new Constant holding a copy of ``array``."""
    return Constant(np.ascontiguousarray(array)).output(0)


def _transpose(value: ov.Output, perm: tuple[int, ...] | list[int]) -> ov.Node:
    """``Transpose(value, perm)``."""
    return _FACTORY.create("Transpose", [value, _constant(np.array(perm, np.int64))])


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


def _node_constness(node: ov.Node, const: dict[str, bool]) -> bool:
    """Whether ``node`` computes from Constants only: ``const``'s entry, worked out (and
    recorded) for a node the pass created after ``const`` was filled."""
    name = node.get_name()
    known = const.get(name)
    if known is None:
        kind = node.get_type_name()
        if kind == "Constant":
            known = True
        elif kind in ("Parameter", "ReadValue") or node.get_input_size() == 0:
            known = False
        else:
            known = all(_node_constness(v.get_node(), const) for v in node.input_values())
        const[name] = known
    return known


def _is_constant(value: ov.Output, const: dict[str, bool]) -> bool:
    return _node_constness(value.get_node(), const)


def _pad_sinkable(op: ov.Node, perm: tuple[int, ...]) -> bool:
    """A Pad of a Transpose by ``perm`` whose pads (and pad value) are Constants."""
    source = op.input_value(0).get_node()
    if not (_is_transpose(source) and _perm(source) == perm):
        return False
    return all(op.input_value(i).get_node().get_type_name() == "Constant"
               for i in range(1, op.get_input_size()))


def _sink_pad(op: ov.Node, perm: tuple[int, ...]) -> ov.Node:
    """Pad(Transpose(x, perm), begin, end) == Transpose(Pad(x, begin[inv], end[inv]), perm)
    with ``inv = argsort(perm)``: output axis i is input axis perm[i] (any pad mode)."""
    inverse = [int(i) for i in np.argsort(perm)]
    op.input(0).replace_source_output(op.input_value(0).get_node().input_value(0))
    for index in (1, 2):
        pads = op.input_value(index).get_node().get_data().reshape(-1)
        op.input(index).replace_source_output(
            _constant(pads[inverse]))
    return _transpose_result(op, perm)


def _transpose_result(op: ov.Node, perm: tuple[int, ...]) -> ov.Node:
    """Transpose ``op``'s result by ``perm`` for its consumers; returns the Transpose."""
    op.validate_and_infer_types()
    out = op.output(0)
    targets = list(out.get_target_inputs())
    transposed = _transpose(out, perm)
    for target in targets:
        target.replace_source_output(transposed.output(0))
    return transposed


def _sinkable(op: ov.Node, perm: tuple[int, ...], const: dict[str, bool],
              via: ov.Node | None = None) -> bool:
    """Whether every input of ``op`` is constant or the output of a Transpose by ``perm``
    (or of ``via``, an op already moved above the Transpose), with numpy broadcasting,
    static shapes and one output (or a Pad: :func:`_pad_sinkable`)."""
    if op.get_type_name() == "Pad":
        return via is None and _pad_sinkable(op, perm)
    if op.get_type_name() not in ELEMENTWISE or op.get_output_size() != 1:
        return False
    if op.get_attributes().get("auto_broadcast", "numpy") not in ("numpy",):
        return False
    rank = len(perm)
    if op.get_output_partial_shape(0).rank.get_length() != rank:
        return False
    for value in op.input_values():
        source = value.get_node()
        if via is not None and source.get_name() == via.get_name():
            continue
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
        return _constant(np.transpose(data, inverse))
    if len(shape) < rank:
        value = ops.reshape(value, _constant(np.array(full, np.int64)), False).output(0)
    return _transpose(value, inverse).output(0)


def _rewire(op: ov.Node, perm: tuple[int, ...], inverse: tuple[int, ...],
            via: ov.Node | None = None) -> None:
    """Make ``op`` read the un-transposed values: the sources of its Transposes by
    ``perm``, ``via``'s output as it is, its constants transposed by ``inverse``."""
    for index, value in enumerate(op.input_values()):
        source = value.get_node()
        if via is not None and source.get_name() == via.get_name():
            continue
        if _is_transpose(source) and _perm(source) == perm:
            new = source.input_value(0)
        else:
            new = _transposed_constant(value, inverse)
        if new is not value:
            op.input(index).replace_source_output(new)


def _sink_one(op: ov.Node, perm: tuple[int, ...], const: dict[str, bool]) -> ov.Node:
    """Rewire ``op`` to read the un-transposed values and transpose its result instead;
    returns the new Transpose of its result. Along a chain of sinkable ops, each the only
    consumer of the one before (a convolution's bias, activation and quantize/dequantize
    arithmetic), the Transpose moves to the chain's end at once rather than one op at a
    time: the values are the same, without a Transpose made and dropped per op."""
    if op.get_type_name() == "Pad":
        return _sink_pad(op, perm)
    inverse = tuple(int(i) for i in np.argsort(perm))
    _rewire(op, perm, inverse)
    while True:
        targets = list(op.output(0).get_target_inputs())
        if len(targets) != 1:
            break
        nxt = targets[0].get_node()
        if _is_transpose(nxt) or not _sinkable(nxt, perm, const, via=op):
            break
        op.validate_and_infer_types()
        _rewire(nxt, perm, inverse, via=op)
        op = nxt
    return _transpose_result(op, perm)


def _fuse_with_inner(node: ov.Node, perm: tuple[int, ...]) -> ov.Node | None:
    """Transpose(Transpose(x, inner), perm) becomes Transpose(x, composed), or x itself when
    they cancel; returns the node now feeding ``node``'s consumers (None: nothing fused)."""
    inner = node.input_value(0).get_node()
    if not _is_transpose(inner):
        return None
    inner_perm = _perm(inner)
    if inner_perm is None:
        return None
    composed = tuple(inner_perm[p] for p in perm)
    source = inner.input_value(0)
    if composed == tuple(range(len(composed))):
        replacement = source
    else:
        replacement = _transpose(source, composed).output(0)
    for target in list(node.output(0).get_target_inputs()):
        target.replace_source_output(replacement)
    return replacement.get_node()


def _zero_constant(value: ov.Output) -> bool:
    """A Constant (or a Convert of one) holding zeros only."""
    node = value.get_node()
    if node.get_type_name() == "Convert":
        node = node.input_value(0).get_node()
    if node.get_type_name() != "Constant":
        return False
    data = node.get_data()
    return data.size > 0 and not np.any(data)


def drop_identities(model: ov.Model) -> ov.Model:
    """Remove operations that compute their input unchanged (in place): a ``Convert`` to
    the type its input already has, and ``x - 0`` by a zero Constant that does not
    broadcast ``x`` (the dequantization of a zero zero-point: ``(x - 0) * scale``;
    ``x - 0`` is ``x`` bit for bit, -0 and NaN included). The emitters write such
    operations where one formula serves every data type; OpenVINO removes them too, but
    only after walking them in each of its compile passes (an int8 MobileNetV2 carries
    ~360 of them)."""
    changed = False
    for node in model.get_ordered_ops():
        kind = node.get_type_name()
        if kind == "Convert":
            if node.get_input_element_type(0) != node.get_output_element_type(0):
                continue
        elif kind == "Subtract":
            if not (_zero_constant(node.input_value(1))
                    and node.get_input_element_type(0) == node.get_output_element_type(0)
                    and node.get_input_partial_shape(0).is_static
                    and node.get_output_partial_shape(0).is_static
                    and node.get_input_shape(0) == node.get_output_shape(0)):
                continue
        else:
            continue
        source = node.input_value(0)
        for target in list(node.output(0).get_target_inputs()):
            if target.get_node().get_type_name() != "Result":  # keeps the output's names
                target.replace_source_output(source)
                changed = True
    if changed:
        model.validate_nodes_and_infer_types()
    return model


def _hoistable(value: ov.Output, rank: int) -> bool:
    """Whether a Transpose of ``value`` can move into Constants: ``value`` is a Constant of
    rank <= ``rank``, or the only use of an element-wise op (numpy broadcasting, one
    output, static shapes, rank ``rank``) whose inputs all are hoistable."""
    node = value.get_node()
    if node.get_type_name() == "Constant":
        return value.get_partial_shape().is_static and len(value.get_shape()) <= rank
    if node.get_type_name() not in ELEMENTWISE or node.get_output_size() != 1:
        return False
    if len(value.get_target_inputs()) != 1:
        return False  # another consumer reads the untransposed values
    if node.get_attributes().get("auto_broadcast", "numpy") != "numpy":
        return False
    shape = value.get_partial_shape()
    if not shape.is_static or len(value.get_shape()) != rank:
        return False
    return all(_hoistable(v, rank) for v in node.input_values())


def _hoist(value: ov.Output, perm: tuple[int, ...]) -> ov.Output:
    """``Transpose(value, perm)`` computed by transposing the Constants ``value`` is
    computed from (checked by :func:`_hoistable`); element-wise ops are rewired in place."""
    node = value.get_node()
    if node.get_type_name() == "Constant":
        shape = tuple(value.get_shape())
        if int(np.prod(shape, dtype=np.int64)) == 1:
            return value  # a single value broadcasts the same in every frame
        full = (1,) * (len(perm) - len(shape)) + shape
        data = np.transpose(node.get_data().reshape(full), perm).copy()  # C order, owned
        return Constant(data, shared_memory=True).output(0)  # kept alive by the Constant
    for index, source in enumerate(node.input_values()):
        new = _hoist(source, perm)
        if new is not source:
            node.input(index).replace_source_output(new)
    node.validate_and_infer_types()
    return node.output(0)


def fold_constant_transposes(model: ov.Model) -> ov.Model:
    """Move each Transpose of a value computed from Constants by element-wise ops alone
    into those Constants (in place): ``Transpose(f(a, b), perm) == f(Transpose(a, perm),
    Transpose(b, perm))`` for an element-wise ``f`` with numpy broadcasting (lower-rank
    operands padded with leading 1s first), so every value is unchanged, on permuted
    coordinates.

    WebNN's channels-last convolutions (webnn-spec §api-mlgraphbuilder-conv2d,
    ``filter_layout`` "ohwi", "hwio", "ihwo") become OpenVINO's OIHW convolutions through a
    Transpose of the filter; for a quantized model the filter is the dequantization of an
    int8 Constant (``Convert`` and ``Multiply`` by the scale). OpenVINO keeps that
    dequantization unfolded (its low-precision transformations read the int8 weights) and
    walks the Transpose in each compile pass; transposing the int8 data and the scale once
    here leaves the dequantization in the filter's final layout, as OpenVINO's TFLite
    frontend writes it. Only ops whose sole consumer is the chain are moved, so no value
    is computed twice."""
    for node in model.get_ordered_ops():
        if not _is_transpose(node):
            continue
        perm = _perm(node)
        source = node.input_value(0)
        targets = list(node.output(0).get_target_inputs())
        if perm is None or source.get_node().get_type_name() == "Constant" or \
                any(t.get_node().get_type_name() == "Result" for t in targets) or \
                not _hoistable(source, len(perm)):
            continue  # (a graph output keeps its Transpose, which carries its names)
        hoisted = _hoist(source, perm)
        for target in targets:
            target.replace_source_output(hoisted)
    return model


def sink_transposes(model: ov.Model) -> ov.Model:
    """Move Transposes below element-wise ops and cancel inverse pairs (in place).

    One worklist pass: every Transpose is visited; one that follows another Transpose is
    fused with it; else each consumer it can sink through is rewired and the Transpose
    that now follows that consumer joins the worklist (with the Transposes consuming it,
    which may now cancel). The graph is walked once, not once per op of the longest
    element-wise chain."""
    const = _constness(model)
    queue = deque(node for node in model.get_ordered_ops() if _is_transpose(node))
    budget = _MAX_ROUNDS * (len(queue) + 1)  # a guard: each step moves a Transpose down
    while queue and budget > 0:
        budget -= 1
        node = queue.popleft()
        targets = list(node.output(0).get_target_inputs())
        perm = _perm(node)
        if not targets or perm is None:
            continue  # already rewired away, or a run-time permutation
        fused = _fuse_with_inner(node, perm)
        if fused is not None:
            if _is_transpose(fused):
                queue.append(fused)  # composed, or the cancelled pair's own source
            continue
        for target in targets:
            op = target.get_node()
            if _is_transpose(op):
                queue.append(op)  # may fuse with this one
            elif _sinkable(op, perm, const):
                new = _sink_one(op, perm, const)
                queue.append(new)
                queue.extend(t.get_node() for t in new.output(0).get_target_inputs()
                             if _is_transpose(t.get_node()))
    model.validate_nodes_and_infer_types()
    return model
