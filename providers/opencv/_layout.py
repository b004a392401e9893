"""How a partition node is laid out on OpenCV 5, whose Python layers OpenCV sizes alone.

OpenCV 5 never calls a Python layer's ``getMemoryShapes``: it gives the layer as many
outputs as inputs, every one of input 0's shape (``../shared/reference/opencv_dnn.md``).
A ``WebNNPartition`` node is therefore laid out (:class:`Layout`) so that this rule yields
the shapes it needs:

- every node output has one shape ``S``; a real output of shape ``S`` is handed back as
  it is, any other one flattened into the first elements of an ``S`` buffer and restored
  by OpenCV ``Reshape``/``Slice`` nodes after the partition node (``S`` is at least as
  large as every output);
- input 0 is a partition input of shape ``S`` where there is one (the inputs are
  reordered; the layer puts them back in the partition's order), else a constant zero
  "shape carrier" of shape ``S``;
- the counts are made equal with padding outputs (of shape ``S``) or padding inputs (one
  tiny constant, since only input 0's shape matters).

Each value crossing the bridge is copied, at a cost growing with its size, so
:func:`layout` picks the ``S`` and the input 0 with the fewest elements copied per call:
the carrier, the node outputs (``count * size(S)``), the flattened outputs' copies and the
restoring nodes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import onnx
from onnx import helper, numpy_helper

#: a node input slot holding the constant shape carrier (see :class:`Layout`)
CARRIER = -1
#: a node input slot holding the tiny padding constant
PAD = -2
#: what one extra OpenCV node (Reshape, Slice) costs per call, in float32 elements copied:
#: a tie-breaker (such a node on a small tensor costs about as much as copying this many)
NODE_COST = 1_000


@dataclass(frozen=True)
class Layout:
    """An OpenCV 5 partition node (see the module doc): its inputs, and outputs all of
    ``shape``."""

    #: the shape of every node output (input 0's)
    shape: tuple[int, ...]
    #: per node input slot: a partition input's index, :data:`CARRIER` or :data:`PAD`
    inputs: tuple[int, ...]
    #: the partition outputs' shapes
    output_shapes: tuple[tuple[int, ...], ...]

    @property
    def num_values(self) -> int:
        """Node inputs = node outputs (OpenCV 5's rule)."""
        return len(self.inputs)

    @property
    def carrier(self) -> bool:
        """Whether input 0 is a constant shape carrier."""
        return self.inputs[0] == CARRIER

    @property
    def flat(self) -> tuple[bool, ...]:
        """Per partition output: handed back flattened into ``shape`` (restored after)."""
        return tuple(s != self.shape for s in self.output_shapes)

    def input_slots(self) -> tuple[int, ...]:
        """Per partition input: its node input slot."""
        slots = {j: k for k, j in enumerate(self.inputs) if j >= 0}
        return tuple(slots[j] for j in range(len(slots)))


def _size(shape: Sequence[int]) -> int:
    return int(np.prod(shape, dtype=np.int64))


def layout(input_shapes: Sequence[tuple[int, ...] | None],
           output_shapes: Sequence[tuple[int, ...]]) -> Layout:
    """The cheapest OpenCV 5 layout of a partition reading ``input_shapes`` and writing
    ``output_shapes`` (see the module doc). ``S`` is an output's shape or an input's
    (rank >= 2: cv2 reads 1-D arrays as columns), or [1, K] with K the largest output
    size; ties go to fewer restoring nodes, then to the earlier candidate."""
    outs = tuple(tuple(int(d) for d in s) for s in output_shapes)
    ins = [None if s is None else tuple(int(d) for d in s) for s in input_shapes]
    largest = max(_size(s) for s in outs)
    candidates = [s for s in (*outs, *ins, (1, largest))
                  if s is not None and len(s) >= 2 and _size(s) >= largest]
    best: tuple[tuple[int, int], Layout] | None = None
    for shape in dict.fromkeys(candidates):
        lay = _candidate(shape, ins, outs)
        size = _size(shape)
        nodes = 0
        copied = size * lay.num_values + (size if lay.carrier else 0)
        for out in outs:
            if out != shape:
                # the layer's copy into the buffer, the Slice's copy, the nodes' own cost
                sliced = _size(out) != size
                copied += _size(out) * (2 if sliced else 1)
                nodes += 1 + sliced + (sliced and not _is_row(shape))
        cost = (copied + NODE_COST * nodes, nodes)
        if best is None or cost < best[0]:
            best = (cost, lay)
    assert best is not None  # (1, largest) is always a candidate
    return best[1]


def _candidate(shape: tuple[int, ...], ins: Sequence[tuple[int, ...] | None],
               outs: tuple[tuple[int, ...], ...]) -> Layout:
    first = next((j for j, s in enumerate(ins) if s == shape), None)
    if first is None:
        slots = [CARRIER, *range(len(ins))]
    else:
        slots = [first, *(j for j in range(len(ins)) if j != first)]
    slots += [PAD] * (len(outs) - len(slots))
    return Layout(shape, tuple(slots), outs)


def _is_row(shape: tuple[int, ...]) -> bool:
    return len(shape) == 2 and shape[0] == 1


def laid_out(node: onnx.NodeProto, lay: Layout,
             constants: list[onnx.TensorProto]) -> list[onnx.NodeProto]:
    """The partition node ``node`` (inputs and outputs in the partition's order) laid out
    as ``lay`` says, then the nodes that restore its flattened outputs; the constants they
    need are appended to ``constants``."""
    name = node.name
    inputs: list[str] = []
    for slot in lay.inputs:
        if slot == CARRIER:
            constants.append(numpy_helper.from_array(np.zeros(lay.shape, np.float32),
                                                     f"{name}_shape"))
            inputs.append(f"{name}_shape")
        elif slot == PAD:
            if f"{name}_pad" not in inputs:
                constants.append(numpy_helper.from_array(np.zeros((1, 1), np.float32),
                                                         f"{name}_pad"))
            inputs.append(f"{name}_pad")
        else:
            inputs.append(node.input[slot])
    outputs = list(node.output)
    flat = lay.flat
    node_outputs = [f"{out}__flat" if f else out for out, f in zip(outputs, flat, strict=True)]
    node_outputs += [f"{name}_pad{j}" for j in range(lay.num_values - len(outputs))]
    laid = onnx.NodeProto()
    laid.CopyFrom(node)
    del laid.input[:], laid.output[:]
    laid.input.extend(inputs)
    laid.output.extend(node_outputs)
    nodes = [laid]
    total = _size(lay.shape)
    for k, (out, shape) in enumerate(zip(outputs, lay.output_shapes, strict=True)):
        if not flat[k]:
            continue
        source, size = node_outputs[k], _size(shape)
        if size != total:
            if not _is_row(lay.shape):
                row = numpy_helper.from_array(np.array([1, total], np.int64), f"{name}_o{k}_row")
                constants.append(row)
                nodes.append(helper.make_node("Reshape", [source, row.name], [f"{out}__row"],
                                              name=f"{name}_row{k}"))
                source = f"{out}__row"
            consts = [numpy_helper.from_array(np.array(v, np.int64), f"{name}_o{k}_{tag}")
                      for tag, v in (("starts", [0]), ("ends", [size]), ("axes", [1]))]
            constants.extend(consts)
            nodes.append(helper.make_node("Slice", [source, *(c.name for c in consts)],
                                          [f"{out}__slice"], name=f"{name}_slice{k}"))
            source = f"{out}__slice"
        target = numpy_helper.from_array(np.array(shape, np.int64), f"{name}_o{k}_shape")
        constants.append(target)
        nodes.append(helper.make_node("Reshape", [source, target.name], [out],
                                      name=f"{name}_out{k}"))
    return nodes
