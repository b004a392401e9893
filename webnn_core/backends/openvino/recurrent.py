"""OpenVINO emitters: gru, gru_cell, lstm, lstm_cell (webnn-spec §api-mlgraphbuilder-gru,
§api-mlgraphbuilder-grucell, §api-mlgraphbuilder-lstm, §api-mlgraphbuilder-lstmcell).

Decomposed as the spec's emulation templates: MatMul/Add/Multiply and the activation per
gate, the sequence ops unrolled over their (static) steps and directions. Every layout,
activation list, peephole and reset-after/before combination maps to the same small graph,
so no gate reordering for OpenVINO's fused RNN ops is needed. The input projection of all
steps is one MatMul per direction. float16 operands compute at float32 and round once at
the end, as the reference backend.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import openvino as ov
import openvino.opset16 as ops

from ...graph import Node
from ._registry import registry

_ACTIVATIONS: dict[str, Callable[[ov.Output], ov.Node]] = {
    "relu": ops.relu,
    "sigmoid": ops.sigmoid,
    "tanh": ops.tanh,
}
GRU_GATES = {"zrn": {"z": 0, "r": 1, "n": 2}, "rzn": {"r": 0, "z": 1, "n": 2}}
LSTM_GATES = {"iofg": {"i": 0, "o": 1, "f": 2, "g": 3}, "ifgo": {"i": 0, "f": 1, "g": 2, "o": 3}}
PEEPHOLE_GATES = {"i": 0, "o": 1, "f": 2}

Parts = list[ov.Output] | None


def _f32(x: ov.Output | None) -> ov.Output | None:
    if x is None or x.get_element_type() == ov.Type.f32:
        return x
    return ops.convert(x, ov.Type.f32).output(0)


def _const_i64(values: int | list[int]) -> ov.Output:
    return ops.constant(np.array(values, dtype=np.int64)).output(0)


def _split(x: ov.Output | None, axis: int, parts: int) -> Parts:
    if x is None:
        return None
    return list(ops.split(x, _const_i64(axis), parts).outputs())


def _take(x: ov.Output | None, index: int, axis: int = 0) -> ov.Output | None:
    """``x[index]`` along ``axis`` (the axis removed)."""
    if x is None:
        return None
    return ops.gather(x, _const_i64(index), _const_i64(axis)).output(0)


def _add(a: ov.Output | None, b: ov.Output | None) -> ov.Output | None:
    if a is None:
        return b
    if b is None:
        return a
    return ops.add(a, b).output(0)


def _part(parts: Parts, k: int) -> ov.Output | None:
    return None if parts is None else parts[k]


def _matmul_t(a: ov.Output, b: ov.Output) -> ov.Output:
    """``a @ b^T``."""
    return ops.matmul(a, b, False, True).output(0)


def _gru_step(gx: list[ov.Output], h: ov.Output, r_weight: ov.Output, b: Parts, rb: Parts,
              hidden_size: int, reset_after: bool, layout: str,
              activations: tuple[str, ...]) -> ov.Output:
    """One GRU step given the input projections ``gx`` (x @ W^T split per gate block)."""
    gates = GRU_GATES[layout]
    f = _ACTIVATIONS[activations[0]]
    g = _ACTIVATIONS[activations[1]]
    gh = _split(_matmul_t(h, r_weight), 1, 3)
    z_k, r_k, n_k = gates["z"], gates["r"], gates["n"]
    z = f(_add(_add(_part(b, z_k), _part(rb, z_k)), ops.add(gx[z_k], gh[z_k]))).output(0)
    r = f(_add(_add(_part(b, r_k), _part(rb, r_k)), ops.add(gx[r_k], gh[r_k]))).output(0)
    if reset_after:
        recurrent = ops.multiply(r, _add(_part(rb, n_k), gh[n_k])).output(0)
        n = g(_add(_part(b, n_k), ops.add(gx[n_k], recurrent))).output(0)
    else:
        rn = _split(r_weight, 0, 3)[n_k]
        recurrent = _matmul_t(ops.multiply(r, h).output(0), rn)
        n = g(_add(_add(_part(b, n_k), _part(rb, n_k)), ops.add(gx[n_k], recurrent))).output(0)
    one = ops.constant(np.float32(1.0))
    return ops.add(ops.multiply(z, h), ops.multiply(n, ops.subtract(one, z))).output(0)


def _lstm_step(gx: list[ov.Output], h: ov.Output, c: ov.Output, r_weight: ov.Output,
               b: Parts, rb: Parts, p: Parts, layout: str,
               activations: tuple[str, ...]) -> tuple[ov.Output, ov.Output]:
    """One LSTM step given the input projections ``gx``; returns (hidden, cell)."""
    gates = LSTM_GATES[layout]
    f_act = _ACTIVATIONS[activations[0]]
    g_act = _ACTIVATIONS[activations[1]]
    h_act = _ACTIVATIONS[activations[2]]
    gh = _split(_matmul_t(h, r_weight), 1, 4)

    def pre(name: str) -> ov.Output:
        k = gates[name]
        value = _add(_add(_part(b, k), _part(rb, k)), ops.add(gx[k], gh[k]).output(0))
        if p is not None and name in PEEPHOLE_GATES:
            value = ops.add(ops.multiply(c, p[PEEPHOLE_GATES[name]]), value).output(0)
        return value

    i = f_act(pre("i"))
    f = f_act(pre("f"))
    g = g_act(pre("g"))
    o = f_act(pre("o"))
    ct = ops.add(ops.multiply(f, c), ops.multiply(i, g)).output(0)
    ht = ops.multiply(o, h_act(ct)).output(0)
    return ht, ct


def _to(x: ov.Output, like: ov.Output) -> ov.Output:
    """``x`` (float32) converted to the element type of ``like``."""
    target = like.get_element_type()
    return x if target == ov.Type.f32 else ops.convert(x, target).output(0)


@registry.register("gru_cell")
def gru_cell(node: Node, x: ov.Output, w: ov.Output, r: ov.Output, h: ov.Output,
             b: ov.Output | None, rb: ov.Output | None) -> ov.Output:
    a = node.attrs
    gx = _split(_matmul_t(_f32(x), _f32(w)), 1, 3)
    out = _gru_step(gx, _f32(h), _f32(r), _split(_f32(b), 0, 3), _split(_f32(rb), 0, 3),
                    a["hidden_size"], a["reset_after"], a["layout"], a["activations"])
    return _to(out, x)


@registry.register("lstm_cell")
def lstm_cell(node: Node, x: ov.Output, w: ov.Output, r: ov.Output, h: ov.Output,
              c: ov.Output, b: ov.Output | None, rb: ov.Output | None,
              p: ov.Output | None) -> list[ov.Output]:
    a = node.attrs
    gx = _split(_matmul_t(_f32(x), _f32(w)), 1, 4)
    ht, ct = _lstm_step(gx, _f32(h), _f32(c), _f32(r), _split(_f32(b), 0, 4),
                        _split(_f32(rb), 0, 4), _split(_f32(p), 0, 3), a["layout"],
                        a["activations"])
    return [_to(ht, x), _to(ct, x)]


def _time_order(steps: int, direction: str, d: int) -> range:
    if d == 1 or direction == "backward":
        return range(steps - 1, -1, -1)
    return range(steps)


def _zeros(shape: tuple[int, ...]) -> ov.Output:
    return ops.constant(np.zeros(shape, dtype=np.float32)).output(0)


def _stack_sequence(per_step: list[list[ov.Output]]) -> ov.Output:
    """[steps][directions] of [batch, hidden] -> [steps, directions, batch, hidden]."""
    rows = [ops.concat([ops.unsqueeze(h, _const_i64([0, 1])) for h in dirs], 1)
            for dirs in per_step]
    return ops.concat(rows, 0).output(0)


def _stack_directions(states: list[ov.Output]) -> ov.Output:
    """[directions] of [batch, hidden] -> [directions, batch, hidden]."""
    return ops.concat([ops.unsqueeze(s, _const_i64(0)) for s in states], 0).output(0)


@registry.register("gru")
def gru(node: Node, x: ov.Output, w: ov.Output, r: ov.Output, b: ov.Output | None,
        rb: ov.Output | None, h0: ov.Output | None) -> list[ov.Output]:
    a = node.attrs
    steps, hs = a["steps"], a["hidden_size"]
    num_dirs, batch = node.outputs[0].shape[0], node.outputs[0].shape[1]
    xf, wf, rf, bf, rbf = map(_f32, (x, w, r, b, rb))
    h0f = _f32(h0) if h0 is not None else _zeros((num_dirs, batch, hs))
    per_step: list[list[ov.Output | None]] = [[None] * num_dirs for _ in range(steps)]
    finals = []
    for d in range(num_dirs):
        projected = _matmul_t(xf, _take(wf, d))            # [steps, batch, 3 * hidden]
        r_d = _take(rf, d)
        b_d, rb_d = _split(_take(bf, d), 0, 3), _split(_take(rbf, d), 0, 3)
        h = _take(h0f, d)
        for t in _time_order(steps, a["direction"], d):
            gx = _split(_take(projected, t), 1, 3)
            h = _gru_step(gx, h, r_d, b_d, rb_d, hs, a["reset_after"], a["layout"],
                          a["activations"])
            per_step[t][d] = h
        finals.append(h)
    outputs = [_to(_stack_directions(finals), x)]
    if a["return_sequence"]:
        outputs.append(_to(_stack_sequence(per_step), x))
    return outputs


@registry.register("lstm")
def lstm(node: Node, x: ov.Output, w: ov.Output, r: ov.Output, b: ov.Output | None,
         rb: ov.Output | None, p: ov.Output | None, h0: ov.Output | None,
         c0: ov.Output | None) -> list[ov.Output]:
    a = node.attrs
    steps, hs = a["steps"], a["hidden_size"]
    num_dirs, batch = node.outputs[0].shape[0], node.outputs[0].shape[1]
    xf, wf, rf, bf, rbf, pf = map(_f32, (x, w, r, b, rb, p))
    h0f = _f32(h0) if h0 is not None else _zeros((num_dirs, batch, hs))
    c0f = _f32(c0) if c0 is not None else _zeros((num_dirs, batch, hs))
    per_step: list[list[ov.Output | None]] = [[None] * num_dirs for _ in range(steps)]
    hiddens, cells = [], []
    for d in range(num_dirs):
        projected = _matmul_t(xf, _take(wf, d))            # [steps, batch, 4 * hidden]
        r_d = _take(rf, d)
        b_d, rb_d = _split(_take(bf, d), 0, 4), _split(_take(rbf, d), 0, 4)
        p_d = _split(_take(pf, d), 0, 3)
        h, c = _take(h0f, d), _take(c0f, d)
        for t in _time_order(steps, a["direction"], d):
            gx = _split(_take(projected, t), 1, 4)
            h, c = _lstm_step(gx, h, c, r_d, b_d, rb_d, p_d, a["layout"], a["activations"])
            per_step[t][d] = h
        hiddens.append(h)
        cells.append(c)
    outputs = [_to(_stack_directions(hiddens), x), _to(_stack_directions(cells), x)]
    if a["return_sequence"]:
        outputs.append(_to(_stack_sequence(per_step), x))
    return outputs
