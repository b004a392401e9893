"""Float constants fed to OpenVINO as bound Parameters where a Constant would change them.

OpenVINO turns some constants into other values before its CPU kernels see them:

- the CPU plugin flushes -0 and subnormals of float32 *Constant* nodes to +0 when it loads a
  model (its Input node for a Constant; ``CPU_DENORMALS_OPTIMIZATION`` does not change it),
  while inputs and computed values keep them;
- OpenVINO folds computations on constants alone with its own evaluators, which differ from
  the CPU kernels the emitters are written for (``relu``/``clamp``/``max`` of NaN, float16
  ``erf`` and ``softmax``, the NaN rule of ``softmax``), and the folded result is a Constant
  flushed as above (``exp(-88.5)``, ``-1 * 0``);
- it turns a division by a Constant into a product with the reciprocal, a Constant that
  flushes (float32 divisors beyond 2**126) or overflows (float16 divisors below 2**-16).

Such a constant (float32 holding -0 or subnormals; float32 or float16 read by a computation
on constants alone; a divisor of those magnitudes) is a Parameter of the ``ov.Model``, after
the graph's inputs in the order of :func:`fed_constants`, and every infer request has it
bound once, when the request is created (:func:`bind_constants`: the graph's own array,
shared, never copied per inference). Its values then reach the CPU kernels exactly as an
input's do.

Only constants that element-wise operators, reductions or softmax read (directly or through
reshape, transpose, slice, concat ... and computations on constants alone) or that are
graph outputs are fed, and not an operand of a binary operator whose other operand a
convolution, matmul, gemm or normalization computes: weights, biases and per-channel scales
stay Constants, which the plugin needs to fuse them (their -0 and subnormals flush, as they
do when OpenVINO reads the model file itself). None of the benchmark models (ONNX and TFLite,
built-in and ../shared/models) has a constant this feeds.

Tried and rejected: the product of two Constants holding no -0 or subnormal (``c * 2**24``
times ``2**-24``; ``-1`` times ``0`` for -0) with OpenVINO's constant folding disabled on it
(the ``DisableConstantFolding`` runtime attribute). The CPU plugin computes such a constant
subgraph once at compile time, but it lost operators fused onto it (``abs``,
``is_infinite`` of it came back unchanged) and OpenVINO's passes rebuilt the product without
the guard (``neg`` of it was folded and flushed).
"""

from __future__ import annotations

import numpy as np
import openvino as ov
import openvino.opset16 as ops

from ...graph import MLGraph, Node
from ...ops.elementwise import (
    BINARY_OPS,
    COMPARISON_OPS,
    LOGICAL_BINARY_OPS,
    LOGICAL_UNARY_OPS,
    UNARY_OPS,
)

#: operators that compute element by element: where a constant's -0 or subnormal matters
ELEMENTWISE = frozenset(BINARY_OPS + COMPARISON_OPS + LOGICAL_BINARY_OPS + LOGICAL_UNARY_OPS
                        + UNARY_OPS + ("cast", "where", "clamp", "relu", "sigmoid", "tanh",
                                       "elu", "gelu", "leaky_relu", "hard_sigmoid",
                                       "hard_swish", "softplus", "softsign", "linear",
                                       "prelu"))
#: other operators without weights that read their operands' values
READERS = frozenset({"reduce_l1", "reduce_l2", "reduce_log_sum", "reduce_log_sum_exp",
                     "reduce_max", "reduce_mean", "reduce_min", "reduce_product", "reduce_sum",
                     "reduce_sum_square", "arg_min", "arg_max", "cumulative_sum", "softmax"})
READ = ELEMENTWISE | READERS
#: operators that move values without computing: followed to the operators that read them
MOVEMENT = frozenset({"reshape", "transpose", "expand", "slice", "concat", "split", "pad",
                      "tile", "reverse", "triangular", "gather", "gather_elements",
                      "gather_nd", "scatter_elements", "scatter_nd"})
#: operators OpenVINO fuses a following per-channel add / multiply ... into (with a Constant)
FUSING = frozenset({"conv2d", "conv_transpose2d", "matmul", "gemm", "batch_normalization",
                    "instance_normalization", "layer_normalization"})

_EXPONENT = np.uint32(0x7F800000)
_FLOATS = (np.dtype(np.float32), np.dtype(np.float16))
#: the divisors with a normal finite reciprocal (float32: subnormal divisors are fed anyway)
_NORMAL_RECIPROCALS = {np.dtype(np.float32): (0.0, 2.0**126),
                       np.dtype(np.float16): (2.0**-16, 2.0**14)}


def flushed_values(array: np.ndarray) -> bool:
    """Whether ``array`` is a float32 array holding -0 or subnormals (what the CPU plugin
    flushes in a Constant)."""
    if array.dtype != np.float32 or array.size == 0:
        return False
    bits = np.ascontiguousarray(array).view(np.uint32)
    return bool((((bits & _EXPONENT) == 0) & (bits != 0)).any())


def _flushed_reciprocals(array: np.ndarray) -> bool:
    """Whether ``array`` holds divisors whose reciprocal is not a normal finite value of its
    type: OpenVINO turns a division by a Constant into a product with the reciprocal, a
    Constant the CPU plugin would flush (float32) or that overflows or loses precision
    (float16)."""
    low, high = _NORMAL_RECIPROCALS[array.dtype]
    magnitude = np.abs(array)
    return bool(((magnitude > high) | ((magnitude < low) & (magnitude > 0))).any())


def _feedable(graph: MLGraph) -> dict[int, tuple[bool, bool]]:
    """The float constants that may be fed, each with whether a computation on constants
    alone reads it (one OpenVINO would fold) and whether it is a divisor: those read only
    by element-wise operators, reductions or softmax (through movement operators and
    constant-only computations) or graph outputs, never where they flow into a
    convolution's, matmul's ... weights, nor as the operand a binary operator combines with
    such a result (a fusable bias or scale)."""
    consumers: dict[int, list[tuple[Node, int]]] = {}
    producer: dict[int, str] = {}
    constant = set(graph.constants)
    for node in graph.nodes:
        for index, operand in enumerate(node.inputs):
            if operand is not None:
                consumers.setdefault(operand.id, []).append((node, index))
        for operand in node.outputs:
            producer[operand.id] = node.op
        if all(o is None or o.id in constant for o in node.inputs):
            constant.update(o.id for o in node.outputs)

    def fusable(node: Node, index: int) -> bool:
        return len(node.inputs) == 2 and any(
            producer.get(o.id) in FUSING
            for i, o in enumerate(node.inputs) if i != index and o is not None)

    def reach(operand_id: int) -> tuple[bool, bool] | None:
        """None where the values reach an operator that keeps them Constants, else whether
        they reach a computation on constants alone, and a division as its divisor."""
        pending, seen, folded, divides = [operand_id], {operand_id}, False, False
        while pending:
            for node, index in consumers.get(pending.pop(), ()):
                if node.op not in MOVEMENT and (node.op not in READ or fusable(node, index)):
                    return None
                divides = divides or (node.op == "div" and index == 1)
                if node.op in MOVEMENT or node.outputs[0].id in constant:
                    # values moved, or computed from constants only: follow them
                    folded = folded or node.op not in MOVEMENT
                    fresh = [o.id for o in node.outputs if o.id not in seen]
                    seen.update(fresh)
                    pending += fresh
        return folded, divides

    out = {}
    for operand_id, array in graph.constants.items():
        if array.dtype in _FLOATS:
            reached = reach(operand_id)
            if reached is not None:
                out[operand_id] = reached
    return out


def fed_constants(graph: MLGraph) -> list[int]:
    """Ids of the constants fed as Parameters (see the module docstring), in the order of
    their first use by ``graph``'s nodes, then its outputs by name: the order the structure
    fixes, so graphs sharing a compiled model agree on it."""
    fed = {operand_id for operand_id, (folded, divides) in _feedable(graph).items()
           if folded or flushed_values(graph.constants[operand_id])
           or (divides and _flushed_reciprocals(graph.constants[operand_id]))}
    if not fed:
        return []
    order: dict[int, None] = {}
    uses = [o for node in graph.nodes for o in node.inputs if o is not None]
    uses += [graph.outputs[name] for name in sorted(graph.outputs)]
    for operand in uses:
        if operand.id in fed:
            order.setdefault(operand.id)
    return list(order)


def constant_parameters(graph: MLGraph, values: dict[int, ov.Output]) -> list[ov.Node]:
    """The Parameters of :func:`fed_constants`, set as their operands' values in
    ``values``; to append to the model's parameters after the graph's inputs."""
    params = []
    taken = set(graph.inputs) | set(graph.outputs)
    for k, operand_id in enumerate(fed_constants(graph)):
        array = graph.constants[operand_id]
        param = ops.parameter(list(array.shape), ov.Type(array.dtype))
        # a name fixed by the structure (OpenVINO's CACHE_DIR key of an in-memory model
        # covers tensor names; unnamed ones take process-unique counters) and unlike the
        # graph's own names
        name = f"webnn:constant:{k}"
        while name in taken:
            name += "_"
        param.output(0).get_tensor().set_names({name})
        values[operand_id] = param.output(0)
        params.append(param)
    return params


def constant_feeds(graph: MLGraph) -> list[ov.Tensor]:
    """The tensors of :func:`fed_constants`, sharing the graph's arrays (a read-only array,
    and a scalar, which OpenVINO would share as shape [1], are copied here, once)."""
    feeds = []
    for operand_id in fed_constants(graph):
        # (np.ascontiguousarray would make a scalar 1-D)
        array = np.require(graph.constants[operand_id], requirements="C")
        feeds.append(ov.Tensor(array, shared_memory=array.flags.writeable and array.ndim > 0))
    return feeds


def bind_constants(request: ov.InferRequest, first: int, feeds: list[ov.Tensor]) -> None:
    """Bind ``feeds`` to ``request``'s inputs from index ``first`` on (once per request)."""
    for index, tensor in enumerate(feeds, first):
        request.set_input_tensor(index, tensor)
