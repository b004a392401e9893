"""Builder methods: gru, gru_cell, lstm, lstm_cell (webnn-spec §api-mlgraphbuilder-gru,
§api-mlgraphbuilder-grucell, §api-mlgraphbuilder-lstm, §api-mlgraphbuilder-lstmcell).

Node inputs (None for an absent option), in this fixed order:

- gru: input, weight, recurrent_weight, bias, recurrent_bias, initial_hidden_state
- gru_cell: input, weight, recurrent_weight, hidden_state, bias, recurrent_bias
- lstm: input, weight, recurrent_weight, bias, recurrent_bias, peephole_weight,
  initial_hidden_state, initial_cell_state
- lstm_cell: input, weight, recurrent_weight, hidden_state, cell_state, bias,
  recurrent_bias, peephole_weight

Node attrs: ``hidden_size``, ``layout``, ``activations`` (a tuple of strings), plus
``reset_after`` (GRU), ``steps``, ``direction``, ``return_sequence`` (sequence ops).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ..graph import MLOperand
from ..types import MAX_DIMENSION, MLOperandDescriptor, to_bool, to_enum, to_uint
from ._checks import check_tensor_limits, fail

ACTIVATIONS = ("relu", "sigmoid", "tanh")
DIRECTIONS = ("forward", "backward", "both")
GRU_LAYOUTS = ("zrn", "rzn")
LSTM_LAYOUTS = ("iofg", "ifgo")
GRU_DEFAULT_ACTIVATIONS = ("sigmoid", "tanh")
LSTM_DEFAULT_ACTIVATIONS = ("sigmoid", "tanh", "tanh")


def _activations(op: str, value: Any, count: int, default: tuple[str, ...]) -> tuple[str, ...]:
    """``options.activations``: absent -> the default; else exactly ``count``
    MLRecurrentNetworkActivation strings."""
    if value is None:
        return default
    if isinstance(value, (str, bytes)) or not isinstance(value, Sequence):
        raise fail(op, f"activations must be a sequence of {list(ACTIVATIONS)}, got "
                       f"{type(value).__name__}")
    if len(value) != count:
        raise fail(op, f"activations must have {count} entries, got {len(value)}")
    return tuple(to_enum(v, f"{op}: activations", ACTIVATIONS) for v in value)


def _check_shape(op: str, what: str, operand: MLOperand | None,
                 expected: Sequence[int]) -> None:
    if operand is not None and tuple(operand.shape) != tuple(expected):
        raise fail(op, f"{what} shape {list(operand.shape)} must be {list(expected)}")


def _check_valid_dimension(op: str, hidden_size: int, factor: int) -> None:
    """The spec's "If hiddenSize * factor is not a valid dimension" step."""
    if not 0 < hidden_size * factor <= MAX_DIMENSION:
        raise fail(op, f"hiddenSize * {factor} ({hidden_size * factor}) is not a valid "
                       f"dimension (must be in [1, {MAX_DIMENSION}])")


class RecurrentOps:
    """Mixin of MLGraphBuilder: gru, gru_cell, lstm, lstm_cell."""

    def _sequence_common(self, op: str, input: MLOperand, weight: MLOperand,
                         recurrent_weight: MLOperand, steps: Any, hidden_size: Any,
                         direction: Any, gates: int) -> tuple[int, int, int, int, str]:
        """Shared steps of gru/lstm: data types and ranks of input/weight/recurrentWeight,
        steps, and the weight shapes. Returns (steps, hiddenSize, batchSize, numDirections,
        direction)."""
        steps = to_uint(steps, f"{op}: steps")
        hidden_size = to_uint(hidden_size, f"{op}: hiddenSize")
        direction = to_enum(direction, f"{op}: direction", DIRECTIONS)
        check_tensor_limits(op, {"input": input, "weight": weight,
                                 "recurrent_weight": recurrent_weight})
        num_directions = 2 if direction == "both" else 1
        if steps == 0:
            raise fail(op, "steps must be greater than 0")
        if input.shape[0] != steps:
            raise fail(op, f"input shape[0] ({input.shape[0]}) must equal steps ({steps})")
        batch_size, input_size = input.shape[1], input.shape[2]
        _check_shape(op, "weight", weight, (num_directions, gates * hidden_size, input_size))
        _check_shape(op, "recurrentWeight", recurrent_weight,
                     (num_directions, gates * hidden_size, hidden_size))
        _check_valid_dimension(op, hidden_size, 2 * gates)
        return steps, hidden_size, batch_size, num_directions, direction

    def _cell_common(self, op: str, input: MLOperand, weight: MLOperand,
                     recurrent_weight: MLOperand, states: dict[str, MLOperand],
                     hidden_size: Any, gates: int) -> tuple[int, int]:
        """Shared steps of gruCell/lstmCell. Returns (hiddenSize, batchSize)."""
        hidden_size = to_uint(hidden_size, f"{op}: hiddenSize")
        check_tensor_limits(op, {"input": input, "weight": weight,
                                 "recurrent_weight": recurrent_weight, **states})
        batch_size, input_size = input.shape
        _check_shape(op, "weight", weight, (gates * hidden_size, input_size))
        _check_shape(op, "recurrentWeight", recurrent_weight,
                     (gates * hidden_size, hidden_size))
        for key, state in states.items():
            _check_shape(op, key, state, (batch_size, hidden_size))
        _check_valid_dimension(op, hidden_size, 2 * gates)
        return hidden_size, batch_size

    # -- spec §api-mlgraphbuilder-gru ------------------------------------------------------
    def gru(self, input: MLOperand, weight: MLOperand, recurrent_weight: MLOperand,
            steps: int, hidden_size: int, *, bias: MLOperand | None = None,
            recurrent_bias: MLOperand | None = None,
            initial_hidden_state: MLOperand | None = None, reset_after: bool = True,
            return_sequence: bool = False, direction: str = "forward", layout: str = "zrn",
            activations: Sequence[str] | None = None, label: str = "") -> list[MLOperand]:
        """Gated Recurrent Unit over ``steps`` time steps; returns [output] or
        [output, outputSequence] (webnn-spec §api-mlgraphbuilder-gru)."""
        op = "gru"
        self._check_can_build(op)
        self._operand(op, input, "input")
        self._operand(op, weight, "weight")
        self._operand(op, recurrent_weight, "recurrentWeight")
        self._operand(op, bias, "bias", optional=True)
        self._operand(op, recurrent_bias, "recurrentBias", optional=True)
        self._operand(op, initial_hidden_state, "initialHiddenState", optional=True)
        reset_after = to_bool(reset_after, f"{op}: resetAfter")
        return_sequence = to_bool(return_sequence, f"{op}: returnSequence")
        layout = to_enum(layout, f"{op}: layout", GRU_LAYOUTS)
        steps, hidden_size, batch_size, num_directions, direction = self._sequence_common(
            op, input, weight, recurrent_weight, steps, hidden_size, direction, 3)
        check_tensor_limits(op, {"input": input, "bias": bias, "recurrent_bias": recurrent_bias,
                                 "initial_hidden_state": initial_hidden_state})
        _check_shape(op, "bias", bias, (num_directions, 3 * hidden_size))
        _check_shape(op, "recurrentBias", recurrent_bias, (num_directions, 3 * hidden_size))
        _check_shape(op, "initialHiddenState", initial_hidden_state,
                     (num_directions, batch_size, hidden_size))
        acts = _activations(op, activations, 2, GRU_DEFAULT_ACTIVATIONS)
        dtype = input.data_type
        outputs = [MLOperandDescriptor(dtype, (num_directions, batch_size, hidden_size))]
        if return_sequence:
            outputs.append(MLOperandDescriptor(
                dtype, (steps, num_directions, batch_size, hidden_size)))
        attrs = {"steps": steps, "hidden_size": hidden_size, "reset_after": reset_after,
                 "return_sequence": return_sequence, "direction": direction,
                 "layout": layout, "activations": acts}
        limits = {"input": input, "weight": weight, "recurrent_weight": recurrent_weight,
                  "bias": bias, "recurrent_bias": recurrent_bias,
                  "initial_hidden_state": initial_hidden_state, "output0": outputs[0],
                  "output1": outputs[1] if return_sequence else None}
        inputs = [input, weight, recurrent_weight, bias, recurrent_bias, initial_hidden_state]
        return self._emit(op, inputs, attrs, outputs, label, limits=limits)

    # -- spec §api-mlgraphbuilder-grucell --------------------------------------------------
    def gru_cell(self, input: MLOperand, weight: MLOperand, recurrent_weight: MLOperand,
                 hidden_state: MLOperand, hidden_size: int, *, bias: MLOperand | None = None,
                 recurrent_bias: MLOperand | None = None, reset_after: bool = True,
                 layout: str = "zrn", activations: Sequence[str] | None = None,
                 label: str = "") -> MLOperand:
        """One GRU time step; returns the new hidden state
        (webnn-spec §api-mlgraphbuilder-grucell)."""
        op = "gru_cell"
        self._check_can_build(op)
        self._operand(op, input, "input")
        self._operand(op, weight, "weight")
        self._operand(op, recurrent_weight, "recurrentWeight")
        self._operand(op, hidden_state, "hiddenState")
        self._operand(op, bias, "bias", optional=True)
        self._operand(op, recurrent_bias, "recurrentBias", optional=True)
        reset_after = to_bool(reset_after, f"{op}: resetAfter")
        layout = to_enum(layout, f"{op}: layout", GRU_LAYOUTS)
        hidden_size, batch_size = self._cell_common(
            op, input, weight, recurrent_weight, {"hidden_state": hidden_state},
            hidden_size, 3)
        check_tensor_limits(op, {"input": input, "bias": bias,
                                 "recurrent_bias": recurrent_bias})
        _check_shape(op, "bias", bias, (3 * hidden_size,))
        _check_shape(op, "recurrentBias", recurrent_bias, (3 * hidden_size,))
        acts = _activations(op, activations, 2, GRU_DEFAULT_ACTIVATIONS)
        out = MLOperandDescriptor(input.data_type, (batch_size, hidden_size))
        attrs = {"hidden_size": hidden_size, "reset_after": reset_after, "layout": layout,
                 "activations": acts}
        limits = {"input": input, "weight": weight, "recurrent_weight": recurrent_weight,
                  "hidden_state": hidden_state, "bias": bias,
                  "recurrent_bias": recurrent_bias, "output": out}
        inputs = [input, weight, recurrent_weight, hidden_state, bias, recurrent_bias]
        return self._emit(op, inputs, attrs, [out], label, limits=limits)[0]

    # -- spec §api-mlgraphbuilder-lstm -----------------------------------------------------
    def lstm(self, input: MLOperand, weight: MLOperand, recurrent_weight: MLOperand,
             steps: int, hidden_size: int, *, bias: MLOperand | None = None,
             recurrent_bias: MLOperand | None = None,
             peephole_weight: MLOperand | None = None,
             initial_hidden_state: MLOperand | None = None,
             initial_cell_state: MLOperand | None = None, return_sequence: bool = False,
             direction: str = "forward", layout: str = "iofg",
             activations: Sequence[str] | None = None, label: str = "") -> list[MLOperand]:
        """Long Short-Term Memory over ``steps`` time steps; returns [hidden, cell] or
        [hidden, cell, outputSequence] (webnn-spec §api-mlgraphbuilder-lstm)."""
        op = "lstm"
        self._check_can_build(op)
        self._operand(op, input, "input")
        self._operand(op, weight, "weight")
        self._operand(op, recurrent_weight, "recurrentWeight")
        self._operand(op, bias, "bias", optional=True)
        self._operand(op, recurrent_bias, "recurrentBias", optional=True)
        self._operand(op, peephole_weight, "peepholeWeight", optional=True)
        self._operand(op, initial_hidden_state, "initialHiddenState", optional=True)
        self._operand(op, initial_cell_state, "initialCellState", optional=True)
        return_sequence = to_bool(return_sequence, f"{op}: returnSequence")
        layout = to_enum(layout, f"{op}: layout", LSTM_LAYOUTS)
        steps, hidden_size, batch_size, num_directions, direction = self._sequence_common(
            op, input, weight, recurrent_weight, steps, hidden_size, direction, 4)
        check_tensor_limits(op, {"input": input, "bias": bias, "recurrent_bias": recurrent_bias,
                                 "peephole_weight": peephole_weight,
                                 "initial_hidden_state": initial_hidden_state,
                                 "initial_cell_state": initial_cell_state})
        _check_shape(op, "bias", bias, (num_directions, 4 * hidden_size))
        _check_shape(op, "recurrentBias", recurrent_bias, (num_directions, 4 * hidden_size))
        _check_shape(op, "peepholeWeight", peephole_weight, (num_directions, 3 * hidden_size))
        state_shape = (num_directions, batch_size, hidden_size)
        _check_shape(op, "initialHiddenState", initial_hidden_state, state_shape)
        _check_shape(op, "initialCellState", initial_cell_state, state_shape)
        acts = _activations(op, activations, 3, LSTM_DEFAULT_ACTIVATIONS)
        dtype = input.data_type
        outputs = [MLOperandDescriptor(dtype, state_shape), MLOperandDescriptor(dtype, state_shape)]
        if return_sequence:
            outputs.append(MLOperandDescriptor(dtype, (steps, *state_shape)))
        attrs = {"steps": steps, "hidden_size": hidden_size,
                 "return_sequence": return_sequence, "direction": direction,
                 "layout": layout, "activations": acts}
        limits = {"input": input, "weight": weight, "recurrent_weight": recurrent_weight,
                  "bias": bias, "recurrent_bias": recurrent_bias,
                  "peephole_weight": peephole_weight,
                  "initial_hidden_state": initial_hidden_state,
                  "initial_cell_state": initial_cell_state, "output0": outputs[0],
                  "output1": outputs[1], "output2": outputs[2] if return_sequence else None}
        inputs = [input, weight, recurrent_weight, bias, recurrent_bias, peephole_weight,
                  initial_hidden_state, initial_cell_state]
        return self._emit(op, inputs, attrs, outputs, label, limits=limits)

    # -- spec §api-mlgraphbuilder-lstmcell -------------------------------------------------
    def lstm_cell(self, input: MLOperand, weight: MLOperand, recurrent_weight: MLOperand,
                  hidden_state: MLOperand, cell_state: MLOperand, hidden_size: int, *,
                  bias: MLOperand | None = None, recurrent_bias: MLOperand | None = None,
                  peephole_weight: MLOperand | None = None, layout: str = "iofg",
                  activations: Sequence[str] | None = None,
                  label: str = "") -> list[MLOperand]:
        """One LSTM time step; returns [hidden state, cell state]
        (webnn-spec §api-mlgraphbuilder-lstmcell)."""
        op = "lstm_cell"
        self._check_can_build(op)
        self._operand(op, input, "input")
        self._operand(op, weight, "weight")
        self._operand(op, recurrent_weight, "recurrentWeight")
        self._operand(op, hidden_state, "hiddenState")
        self._operand(op, cell_state, "cellState")
        self._operand(op, bias, "bias", optional=True)
        self._operand(op, recurrent_bias, "recurrentBias", optional=True)
        self._operand(op, peephole_weight, "peepholeWeight", optional=True)
        layout = to_enum(layout, f"{op}: layout", LSTM_LAYOUTS)
        hidden_size, batch_size = self._cell_common(
            op, input, weight, recurrent_weight,
            {"hidden_state": hidden_state, "cell_state": cell_state}, hidden_size, 4)
        check_tensor_limits(op, {"input": input, "bias": bias, "recurrent_bias": recurrent_bias,
                                 "peephole_weight": peephole_weight})
        _check_shape(op, "bias", bias, (4 * hidden_size,))
        _check_shape(op, "recurrentBias", recurrent_bias, (4 * hidden_size,))
        _check_shape(op, "peepholeWeight", peephole_weight, (3 * hidden_size,))
        acts = _activations(op, activations, 3, LSTM_DEFAULT_ACTIVATIONS)
        desc = MLOperandDescriptor(input.data_type, (batch_size, hidden_size))
        attrs = {"hidden_size": hidden_size, "layout": layout, "activations": acts}
        limits = {"input": input, "weight": weight, "recurrent_weight": recurrent_weight,
                  "hidden_state": hidden_state, "cell_state": cell_state, "bias": bias,
                  "recurrent_bias": recurrent_bias, "peephole_weight": peephole_weight,
                  "output0": desc, "output1": desc}
        inputs = [input, weight, recurrent_weight, hidden_state, cell_state, bias,
                  recurrent_bias, peephole_weight]
        return self._emit(op, inputs, attrs, [desc, desc], label, limits=limits)
