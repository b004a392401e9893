"""XLA lowerings: gru, gru_cell, lstm, lstm_cell from the spec's emulation templates
(webnn-spec §api-mlgraphbuilder-gru, -grucell, -lstm, -lstmcell).

The same step functions as the reference kernels, in float32 with products at the
context's dot precision; the sequence operators unroll their (static) steps into the traced
function, so XLA fuses across steps.
"""

from __future__ import annotations

from collections.abc import Callable

import jax.numpy as jnp

from ...graph import Node
from ._registry import dot_operands, dot_settings, registry

_ACTIVATIONS: dict[str, Callable[[jnp.ndarray], jnp.ndarray]] = {
    "relu": lambda x: jnp.maximum(x, 0.0),
    "sigmoid": lambda x: 1.0 / (1.0 + jnp.exp(-x)),
    "tanh": jnp.tanh,
}
GRU_GATES = {"zrn": {"z": 0, "r": 1, "n": 2}, "rzn": {"r": 0, "z": 1, "n": 2}}
LSTM_GATES = {"iofg": {"i": 0, "o": 1, "f": 2, "g": 3}, "ifgo": {"i": 0, "f": 1, "g": 2, "o": 3}}
PEEPHOLE_GATES = {"i": 0, "o": 1, "f": 2}
Array = jnp.ndarray


def _mm_t(x: Array, w: Array | float) -> Array:
    """``x @ w.T`` at the context's dot precision."""
    a, b = dot_operands(x, jnp.asarray(w).T)
    return jnp.matmul(a, b, precision=dot_settings().precision,
                      preferred_element_type=jnp.float32)


def _block(x: Array | None, index: int, size: int) -> Array | float:
    """Rows ``[index * size, (index + 1) * size)`` (0 when ``x`` is absent)."""
    return 0.0 if x is None else x[index * size:(index + 1) * size]


def gru_cell_step(x: Array, w: Array, r: Array, h: Array, b: Array | None, rb: Array | None,
                  hidden_size: int, reset_after: bool, layout: str,
                  activations: tuple[str, ...]) -> Array:
    """One GRU step (the spec's gruCell emulation)."""
    gates, hs = GRU_GATES[layout], hidden_size
    f, g = _ACTIVATIONS[activations[0]], _ACTIVATIONS[activations[1]]

    def gate(name: str) -> tuple:
        k = gates[name]
        return _block(w, k, hs), _block(r, k, hs), _block(b, k, hs), _block(rb, k, hs)

    wz, rz, bz, rbz = gate("z")
    z = f((bz + rbz) + (_mm_t(x, wz) + _mm_t(h, rz)))
    wr, rr, br, rbr = gate("r")
    rg = f((br + rbr) + (_mm_t(x, wr) + _mm_t(h, rr)))
    wn, rn, bn, rbn = gate("n")
    if reset_after:
        n = g(bn + (_mm_t(x, wn) + rg * (rbn + _mm_t(h, rn))))
    else:
        n = g((bn + rbn) + (_mm_t(x, wn) + _mm_t(rg * h, rn)))
    return z * h + n * (1.0 - z)


def lstm_cell_step(x: Array, w: Array, r: Array, h: Array, c: Array, b: Array | None,
                   rb: Array | None, p: Array | None, hidden_size: int, layout: str,
                   activations: tuple[str, ...]) -> tuple[Array, Array]:
    """One LSTM step (the spec's lstmCell emulation): (hidden state, cell state)."""
    gates, hs = LSTM_GATES[layout], hidden_size
    f_act, g_act, h_act = (_ACTIVATIONS[a] for a in activations[:3])

    def pre(name: str) -> Array:
        k = gates[name]
        value = (_block(b, k, hs) + _block(rb, k, hs)) + (
            _mm_t(x, _block(w, k, hs)) + _mm_t(h, _block(r, k, hs)))
        if name in PEEPHOLE_GATES:
            value = c * _block(p, PEEPHOLE_GATES[name], hs) + value
        return value

    i, f, g, o = f_act(pre("i")), f_act(pre("f")), g_act(pre("g")), f_act(pre("o"))
    ct = f * c + i * g
    return o * h_act(ct), ct


@registry.register("gru_cell")
def gru_cell(node: Node, x: Array, w: Array, r: Array, h: Array, b: Array | None,
             rb: Array | None) -> Array:
    a = node.attrs
    return gru_cell_step(x, w, r, h, b, rb, a["hidden_size"], a["reset_after"], a["layout"],
                         a["activations"])


@registry.register("lstm_cell")
def lstm_cell(node: Node, x: Array, w: Array, r: Array, h: Array, c: Array, b: Array | None,
              rb: Array | None, p: Array | None) -> list[Array]:
    a = node.attrs
    return list(lstm_cell_step(x, w, r, h, c, b, rb, p, a["hidden_size"], a["layout"],
                               a["activations"]))


def _time_order(steps: int, direction: str, d: int) -> range:
    if d == 1 or direction == "backward":
        return range(steps - 1, -1, -1)
    return range(steps)


def _pick(x: Array | None, d: int) -> Array | None:
    return None if x is None else x[d]


def _initial(state: Array | None, num_dirs: int, batch: int, hs: int) -> Array:
    return jnp.zeros((num_dirs, batch, hs), jnp.float32) if state is None else state


@registry.register("gru")
def gru(node: Node, x: Array, w: Array, r: Array, b: Array | None, rb: Array | None,
        h0: Array | None) -> list[Array]:
    a = node.attrs
    steps, hs, num_dirs = a["steps"], a["hidden_size"], w.shape[0]
    hidden = _initial(h0, num_dirs, x.shape[1], hs)
    finals, sequences = [], []
    for d in range(num_dirs):
        h, seq = hidden[d], [None] * steps
        for t in _time_order(steps, a["direction"], d):
            h = gru_cell_step(x[t], w[d], r[d], h, _pick(b, d), _pick(rb, d), hs,
                              a["reset_after"], a["layout"], a["activations"])
            seq[t] = h
        finals.append(h)
        sequences.append(jnp.stack(seq))
    out = [jnp.stack(finals)]
    return out + [jnp.stack(sequences, axis=1)] if a["return_sequence"] else out


@registry.register("lstm")
def lstm(node: Node, x: Array, w: Array, r: Array, b: Array | None, rb: Array | None,
         p: Array | None, h0: Array | None, c0: Array | None) -> list[Array]:
    a = node.attrs
    steps, hs, num_dirs = a["steps"], a["hidden_size"], w.shape[0]
    hidden = _initial(h0, num_dirs, x.shape[1], hs)
    cell = _initial(c0, num_dirs, x.shape[1], hs)
    hs_out, cs_out, sequences = [], [], []
    for d in range(num_dirs):
        h, c, seq = hidden[d], cell[d], [None] * steps
        for t in _time_order(steps, a["direction"], d):
            h, c = lstm_cell_step(x[t], w[d], r[d], h, c, _pick(b, d), _pick(rb, d),
                                  _pick(p, d), hs, a["layout"], a["activations"])
            seq[t] = h
        hs_out.append(h)
        cs_out.append(c)
        sequences.append(jnp.stack(seq))
    out = [jnp.stack(hs_out), jnp.stack(cs_out)]
    return out + [jnp.stack(sequences, axis=1)] if a["return_sequence"] else out

