"""Reference kernels: gru, gru_cell, lstm, lstm_cell, written from the spec's emulation
templates (webnn-spec §api-mlgraphbuilder-gru, §api-mlgraphbuilder-grucell,
§api-mlgraphbuilder-lstm, §api-mlgraphbuilder-lstmcell).

The kernels compute in float64 and the driver rounds each result once to the output type;
the sequence ops carry the state between steps at float64.
"""

from __future__ import annotations

import numpy as np

from ...graph import Node
from ._registry import registry

_ACTIVATIONS = {
    "relu": lambda x: np.maximum(x, 0.0),
    "sigmoid": lambda x: 1.0 / (1.0 + np.exp(-x)),
    "tanh": np.tanh,
}

#: gate name -> index of its block in the weight/bias first (cell) or second (sequence) axis
GRU_GATES = {"zrn": {"z": 0, "r": 1, "n": 2}, "rzn": {"r": 0, "z": 1, "n": 2}}
LSTM_GATES = {"iofg": {"i": 0, "o": 1, "f": 2, "g": 3}, "ifgo": {"i": 0, "f": 1, "g": 2, "o": 3}}
#: peephole weights are always packed input, output, forget
PEEPHOLE_GATES = {"i": 0, "o": 1, "f": 2}


def _wide(x: np.ndarray | None) -> np.ndarray | None:
    return None if x is None else np.asarray(x, dtype=np.float64)


def _block(x: np.ndarray | None, index: int, size: int) -> np.ndarray | float:
    """Rows ``[index * size, (index + 1) * size)`` of the first axis (0 when ``x`` is absent,
    as the emulation's ``zero`` constant)."""
    if x is None:
        return 0.0
    return x[index * size:(index + 1) * size]


def gru_cell_step(x: np.ndarray, w: np.ndarray, r: np.ndarray, h: np.ndarray,
                  b: np.ndarray | None, rb: np.ndarray | None, hidden_size: int,
                  reset_after: bool, layout: str, activations: tuple[str, ...]) -> np.ndarray:
    """One GRU step (the spec's gruCell emulation, any layout and activations)."""
    gates = GRU_GATES[layout]
    f = _ACTIVATIONS[activations[0]]
    g = _ACTIVATIONS[activations[1]]
    hs = hidden_size

    def gate(name: str) -> tuple[np.ndarray, np.ndarray, np.ndarray | float,
                                 np.ndarray | float]:
        k = gates[name]
        return _block(w, k, hs), _block(r, k, hs), _block(b, k, hs), _block(rb, k, hs)

    wz, rz, bz, rbz = gate("z")
    z = f((bz + rbz) + (x @ wz.T + h @ rz.T))
    wr, rr, br, rbr = gate("r")
    rg = f((br + rbr) + (x @ wr.T + h @ rr.T))
    wn, rn, bn, rbn = gate("n")
    if reset_after:
        n = g(bn + (x @ wn.T + rg * (rbn + h @ rn.T)))
    else:
        n = g((bn + rbn) + (x @ wn.T + (rg * h) @ rn.T))
    return z * h + n * (1.0 - z)


def lstm_cell_step(x: np.ndarray, w: np.ndarray, r: np.ndarray, h: np.ndarray,
                   c: np.ndarray, b: np.ndarray | None, rb: np.ndarray | None,
                   p: np.ndarray | None, hidden_size: int, layout: str,
                   activations: tuple[str, ...]) -> tuple[np.ndarray, np.ndarray]:
    """One LSTM step (the spec's lstmCell emulation, any layout and activations); returns
    (hidden state, cell state)."""
    gates = LSTM_GATES[layout]
    f_act = _ACTIVATIONS[activations[0]]
    g_act = _ACTIVATIONS[activations[1]]
    h_act = _ACTIVATIONS[activations[2]]
    hs = hidden_size

    def pre(name: str) -> np.ndarray:
        k = gates[name]
        value = (_block(b, k, hs) + _block(rb, k, hs)) + (
            x @ _block(w, k, hs).T + h @ _block(r, k, hs).T)
        if name in PEEPHOLE_GATES:
            value = c * _block(p, PEEPHOLE_GATES[name], hs) + value
        return value

    i = f_act(pre("i"))
    f = f_act(pre("f"))
    g = g_act(pre("g"))
    o = f_act(pre("o"))
    ct = f * c + i * g
    ht = o * h_act(ct)
    return ht, ct


@registry.register("gru_cell")
def gru_cell(node: Node, x: np.ndarray, w: np.ndarray, r: np.ndarray, h: np.ndarray,
             b: np.ndarray | None, rb: np.ndarray | None) -> np.ndarray:
    a = node.attrs
    return gru_cell_step(_wide(x), _wide(w), _wide(r), _wide(h), _wide(b), _wide(rb),
                         a["hidden_size"], a["reset_after"], a["layout"], a["activations"])


@registry.register("lstm_cell")
def lstm_cell(node: Node, x: np.ndarray, w: np.ndarray, r: np.ndarray, h: np.ndarray,
              c: np.ndarray, b: np.ndarray | None, rb: np.ndarray | None,
              p: np.ndarray | None) -> list[np.ndarray]:
    a = node.attrs
    ht, ct = lstm_cell_step(_wide(x), _wide(w), _wide(r), _wide(h), _wide(c), _wide(b),
                            _wide(rb), _wide(p), a["hidden_size"], a["layout"],
                            a["activations"])
    return [ht, ct]


def _time_order(steps: int, direction: str, d: int) -> range:
    """Steps of direction ``d`` in processing order (the emulation's ``slice``)."""
    if d == 1 or direction == "backward":
        return range(steps - 1, -1, -1)
    return range(steps)


def _pick(x: np.ndarray | None, d: int) -> np.ndarray | None:
    return None if x is None else x[d]


@registry.register("gru")
def gru(node: Node, x: np.ndarray, w: np.ndarray, r: np.ndarray, b: np.ndarray | None,
        rb: np.ndarray | None, h0: np.ndarray | None) -> list[np.ndarray]:
    a = node.attrs
    x, w, r, b, rb, h0 = map(_wide, (x, w, r, b, rb, h0))
    steps, batch, hs = a["steps"], x.shape[1], a["hidden_size"]
    num_dirs = w.shape[0]
    hidden = np.zeros((num_dirs, batch, hs)) if h0 is None else h0.copy()
    sequence = np.zeros((steps, num_dirs, batch, hs))
    for d in range(num_dirs):
        h = hidden[d]
        for t in _time_order(steps, a["direction"], d):
            h = gru_cell_step(x[t], w[d], r[d], h, _pick(b, d), _pick(rb, d), hs,
                              a["reset_after"], a["layout"], a["activations"])
            sequence[t, d] = h
        hidden[d] = h
    return [hidden, sequence] if a["return_sequence"] else [hidden]


@registry.register("lstm")
def lstm(node: Node, x: np.ndarray, w: np.ndarray, r: np.ndarray, b: np.ndarray | None,
         rb: np.ndarray | None, p: np.ndarray | None, h0: np.ndarray | None,
         c0: np.ndarray | None) -> list[np.ndarray]:
    a = node.attrs
    x, w, r, b, rb, p, h0, c0 = map(_wide, (x, w, r, b, rb, p, h0, c0))
    steps, batch, hs = a["steps"], x.shape[1], a["hidden_size"]
    num_dirs = w.shape[0]
    hidden = np.zeros((num_dirs, batch, hs)) if h0 is None else h0.copy()
    cell = np.zeros((num_dirs, batch, hs)) if c0 is None else c0.copy()
    sequence = np.zeros((steps, num_dirs, batch, hs))
    for d in range(num_dirs):
        h, c = hidden[d], cell[d]
        for t in _time_order(steps, a["direction"], d):
            h, c = lstm_cell_step(x[t], w[d], r[d], h, c, _pick(b, d), _pick(rb, d),
                                  _pick(p, d), hs, a["layout"], a["activations"])
            sequence[t, d] = h
        hidden[d], cell[d] = h, c
    outputs = [hidden, cell]
    if a["return_sequence"]:
        outputs.append(sequence)
    return outputs
