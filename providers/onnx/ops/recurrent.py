"""ONNX recurrent ops: GRU and LSTM (onto WebNN gru/lstm) and RNN (unrolled).

Shared ONNX conventions (GRU/LSTM/RNN-7, -14 adds ``layout``):

- X ``[seq, batch, input]``; W ``[dirs, gates * H, input]``; R ``[dirs, gates * H, H]``;
  B ``[dirs, 2 * gates * H]`` (W's bias then R's bias); initial states ``[dirs, batch, H]``;
  Y ``[seq, dirs, batch, H]``, final states ``[dirs, batch, H]`` — the same layouts as
  WebNN's weight/bias/state operands and output sequence, so no reordering is needed;
  ``layout`` = 1 (batch first) is handled with transposes.
- gate orders: ONNX GRU ``zrh`` is WebNN layout "zrn"; ONNX LSTM ``iofc`` is "iofg", and
  ONNX's peephole P (``iof``) is WebNN's peephole order; but ONNX's output gate peeks at
  the *new* cell state C_t where WebNN's (lstmCell emulation) uses C_{t-1}, so P is only
  accepted as a constant whose output-gate block is zero.
- ``direction`` forward/reverse/bidirectional is WebNN forward/backward/both;
  ``activations`` (one list per direction) must be the same for both directions and among
  Sigmoid/Tanh/Relu (the ones without alpha/beta); ``clip`` and LSTM's ``input_forget``
  have no WebNN equivalent; ``sequence_lens`` is accepted only when absent or a constant
  equal to the sequence length everywhere.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

import webnn_core as webnn

from ..translator import NodeView, translator

Operand = webnn.MLOperand
_DIRECTIONS = {"forward": "forward", "reverse": "backward", "bidirectional": "both"}
_ACTIVATIONS = {"sigmoid": "sigmoid", "tanh": "tanh", "relu": "relu"}


def _activations(n: NodeView, per_direction: int, num_directions: int) -> list[str] | None:
    """WebNN activations for ONNX ``activations`` (None: the defaults)."""
    names = n.attr("activations")
    if n.attr("activation_alpha") is not None or n.attr("activation_beta") is not None:
        raise n.unsupported("activation_alpha/activation_beta are not supported")
    if names is None:
        return None
    if num_directions == 1 and len(names) == 2 * per_direction:
        # ORT fills in the schema default, written for two directions (RNN: Tanh, Tanh),
        # on nodes without the attribute; its kernels read the first direction's entries
        names = list(names[:per_direction])
    if len(names) != per_direction * num_directions:
        raise n.unsupported(f"activations {names} must have {per_direction} entries per "
                            "direction")
    mapped = [_ACTIVATIONS.get(name.lower()) for name in names]
    if None in mapped:
        raise n.unsupported(f"activations {names}: only Sigmoid, Tanh and Relu are supported")
    if mapped[:per_direction] != mapped[per_direction:] and num_directions == 2:
        raise n.unsupported(f"activations {names} differ between the two directions")
    return mapped[:per_direction]


class _Recurrence:
    """The attributes and inputs GRU, LSTM and RNN share."""

    def __init__(self, n: NodeView, gates: int) -> None:
        self.n = n
        direction = n.attr("direction", "forward")
        if direction not in _DIRECTIONS:
            raise n.unsupported(f"direction {direction!r}")
        self.direction = _DIRECTIONS[direction]
        self.num_directions = 2 if direction == "bidirectional" else 1
        if n.attr("clip") is not None:
            raise n.unsupported("clip has no WebNN equivalent")
        self.batch_first = bool(n.attr("layout", 0))
        self.x = self.to_time_major(n.input(0), [1, 0, 2])
        self.steps, self.batch = self.x.shape[0], self.x.shape[1]
        r_shape = n.shape(2)
        self.hidden = int(n.attr("hidden_size", r_shape[-1]))
        if r_shape != (self.num_directions, gates * self.hidden, self.hidden):
            raise n.unsupported(f"R shape {list(r_shape)} does not fit hidden_size "
                                f"{self.hidden} and {self.num_directions} direction(s)",
                                "shape")
        if n.has_input(4):
            lens = n.const(4)
            if lens is None or np.any(np.asarray(lens) != self.steps):
                raise n.unsupported("sequence_lens must be absent or a constant equal to the "
                                    "sequence length")

    def to_time_major(self, x: Operand, permutation: list[int]) -> Operand:
        """A batch-first (layout 1) operand in ONNX layout 0 (its own inverse for 3-D)."""
        return self.n.b.transpose(x, permutation=permutation) if self.batch_first else x

    def state(self, i: int) -> Operand | None:
        """An optional initial state input ``[dirs, batch, H]``."""
        return self.to_time_major(self.n.input(i), [1, 0, 2]) if self.n.has_input(i) else None

    def biases(self, i: int, gates: int) -> tuple[Operand | None, Operand | None]:
        """ONNX B ``[dirs, 2 * gates * H]`` as WebNN (bias, recurrentBias)."""
        if not self.n.has_input(i):
            return None, None
        bias, recurrent_bias = self.n.b.split(self.n.input(i), 2, axis=1)
        return bias, recurrent_bias

    def outputs(self, sequence: Operand | None, finals: Sequence[Operand]) -> list:
        """ONNX outputs [Y, final states...] in the node's layout."""
        b = self.n.b
        if self.batch_first:
            if sequence is not None:
                sequence = b.transpose(sequence, permutation=[2, 0, 1, 3])
            finals = [b.transpose(f, permutation=[1, 0, 2]) for f in finals]
        return [sequence, *finals][:len(self.n.node.outputs)]


@translator("GRU", since=7)
def gru(n: NodeView) -> list:
    """GRU-7/14 as WebNN gru: ``linear_before_reset`` = 1 is WebNN's ``reset_after``
    (ONNX's default 0 is reset_after = false)."""
    rec = _Recurrence(n, 3)
    bias, recurrent_bias = rec.biases(3, 3)
    want_sequence = bool(n.node.outputs) and n.node.outputs[0] != ""
    results = n.b.gru(rec.x, n.input(1), n.input(2), rec.steps, rec.hidden, bias=bias,
                      recurrent_bias=recurrent_bias, initial_hidden_state=rec.state(5),
                      reset_after=bool(n.attr("linear_before_reset", 0)),
                      return_sequence=want_sequence, direction=rec.direction, layout="zrn",
                      activations=_activations(n, 2, rec.num_directions))
    return rec.outputs(results[1] if want_sequence else None, results[:1])


@translator("LSTM", since=7)
def lstm(n: NodeView) -> list:
    """LSTM-7/14 as WebNN lstm (gate order iofc = "iofg", peephole P in iof order, but
    only with a zero output-gate block, see the module docstring); ``input_forget`` = 1
    (coupled input and forget gates) has no WebNN equivalent."""
    if n.attr("input_forget", 0):
        raise n.unsupported("input_forget=1 has no WebNN equivalent")
    rec = _Recurrence(n, 4)
    bias, recurrent_bias = rec.biases(3, 4)
    if n.has_input(7):
        peephole = n.const(7)
        if peephole is None or np.any(peephole[:, rec.hidden:2 * rec.hidden] != 0):
            raise n.unsupported("peephole P with a non-zero output-gate block: ONNX applies "
                                "it to the new cell state, WebNN to the previous one")
    want_sequence = bool(n.node.outputs) and n.node.outputs[0] != ""
    results = n.b.lstm(rec.x, n.input(1), n.input(2), rec.steps, rec.hidden, bias=bias,
                       recurrent_bias=recurrent_bias,
                       peephole_weight=n.input(7) if n.has_input(7) else None,
                       initial_hidden_state=rec.state(5), initial_cell_state=rec.state(6),
                       return_sequence=want_sequence, direction=rec.direction,
                       layout="iofg", activations=_activations(n, 3, rec.num_directions))
    return rec.outputs(results[2] if want_sequence else None, results[:2])


@translator("RNN", since=7)
def rnn(n: NodeView) -> list:
    """RNN-7/14 unrolled over the (static) sequence: ``H_t = f(X_t W^T + H_{t-1} R^T + Wb
    + Rb)`` per direction with gemm, f among Tanh (default)/Sigmoid/Relu. Y stacks the
    hidden state of every time step (in time order for both directions)."""
    rec = _Recurrence(n, 1)
    b = n.b
    acts = _activations(n, 1, rec.num_directions) or ["tanh"]
    activation = getattr(b, acts[0])
    hidden, batch, input_size = rec.hidden, rec.batch, rec.x.shape[2]
    weights = b.split(n.input(1), rec.num_directions, axis=0)
    recurrent = b.split(n.input(2), rec.num_directions, axis=0)
    biases = (b.split(n.input(3), rec.num_directions, axis=0) if n.has_input(3)
              else [None] * rec.num_directions)
    initial = rec.state(5)
    states = (b.split(initial, rec.num_directions, axis=0) if initial is not None
              else [None] * rec.num_directions)
    steps = [b.reshape(s, (batch, input_size)) for s in b.split(rec.x, rec.steps, axis=0)] \
        if rec.steps > 1 else [b.reshape(rec.x, (batch, input_size))]
    sequences, finals = [], []
    for d in range(rec.num_directions):
        w = b.reshape(weights[d], (hidden, input_size))
        r = b.reshape(recurrent[d], (hidden, hidden))
        bias = None
        if biases[d] is not None:
            wb, rb = b.split(b.reshape(biases[d], (2, hidden)), 2, axis=0)
            bias = b.add(wb, rb)
        h = None if states[d] is None else b.reshape(states[d], (batch, hidden))
        per_step: list[Operand] = [None] * rec.steps  # type: ignore[list-item]
        backward = rec.direction == "backward" or d == 1
        for t in (reversed(range(rec.steps)) if backward else range(rec.steps)):
            gates = b.gemm(steps[t], w, c=bias, b_transpose=True)
            if h is not None:
                gates = b.add(gates, b.gemm(h, r, b_transpose=True))
            h = activation(gates)
            per_step[t] = h
        finals.append(b.reshape(h, (1, batch, hidden)))
        sequences.append(per_step)
    want_sequence = bool(n.node.outputs) and n.node.outputs[0] != ""
    sequence = None
    if want_sequence:
        rows = [b.reshape(sequences[d][t], (1, 1, batch, hidden))
                for t in range(rec.steps) for d in range(rec.num_directions)]
        sequence = b.reshape(b.concat(rows, 0) if len(rows) > 1 else rows[0],
                             (rec.steps, rec.num_directions, batch, hidden))
    final = b.concat(finals, 0) if len(finals) > 1 else finals[0]
    return rec.outputs(sequence, [final])
