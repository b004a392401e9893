"""Tests: gru, gru_cell, lstm, lstm_cell (webnn-spec §api-mlgraphbuilder-gru,
§api-mlgraphbuilder-grucell, §api-mlgraphbuilder-lstm, §api-mlgraphbuilder-lstmcell)."""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable

import numpy as np
import pytest

import webnn_core as webnn
from tests.helpers import OP_BACKENDS, context, run

D = webnn.MLOperandDescriptor
Build = Callable[[webnn.MLGraphBuilder], dict[str, webnn.MLOperand]]


def _graph(op: str, arrays: dict[str, np.ndarray], positional: list[str], scalars: list[int],
           options: dict[str, object]) -> Build:
    """A builder calling ``op`` with inputs named as ``arrays``: ``positional`` operands, then
    ``scalars``; every other array is passed as the keyword option of its name."""

    def build(b: webnn.MLGraphBuilder) -> dict[str, webnn.MLOperand]:
        ops = {k: b.input(k, D(str(v.dtype), v.shape)) for k, v in arrays.items()}
        kwargs = {k: ops[k] for k in arrays if k not in positional}
        result = getattr(b, op)(*[ops[k] for k in positional], *scalars, **kwargs, **options)
        outs = result if isinstance(result, list) else [result]
        return {f"out{i}": o for i, o in enumerate(outs)}

    return build


def _check_close(got: np.ndarray, ref: np.ndarray, what: str) -> None:
    """Within 4 machine epsilons, relative above 1 and absolute below 1 (the backends compute
    at float32 with different summation orders and activation implementations)."""
    assert got.dtype == ref.dtype and got.shape == ref.shape, what
    eps = float(np.finfo(ref.dtype).eps)
    g, r = got.astype(np.float64), ref.astype(np.float64)
    bound = 4 * eps * np.maximum(1.0, np.abs(r))
    worst = float(np.max(np.abs(g - r) - bound))
    assert worst <= 0, f"{what}: exceeds 4 eps by {worst}"


def _agree(build: Build, feeds: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    ref = run("reference", build, feeds)
    got = run("openvino", build, feeds)
    assert set(ref) == set(got)
    for name in ref:
        _check_close(got[name], ref[name], name)
    return ref


def _arrays(dtype: str, shapes: dict[str, tuple[int, ...]], seed: int) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    return {k: (rng.standard_normal(s) * 0.6).astype(dtype) for k, s in shapes.items()}


def _sigmoid(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-x))


# -- hand-checked examples ----------------------------------------------------------------
@pytest.mark.parametrize("backend", OP_BACKENDS)
@pytest.mark.parametrize(("layout", "reset_after", "expected"),
                         [("zrn", True, -4.0), ("rzn", True, -4.0),
                          ("zrn", False, -2.5), ("rzn", False, -2.5)])
def test_gru_cell_hand_checked_relu(backend: str, layout: str, reset_after: bool,
                                    expected: float) -> None:
    # x = 1, h = 2; z = relu(1*1 + 2*0.5) = 2, r = relu(1*2 + 2*0.25) = 2.5; recurrent n bias 1
    # reset after:  n = relu(1*3 + r * (1 + 2*0.5)) = 8,   h' = z*h + n*(1-z) = 4 - 8 = -4
    # reset before: n = relu(1*3 + 1 + (r*2)*0.5) = 6.5,  h' = 4 - 6.5 = -2.5
    zrn = {"w": [1.0, 2.0, 3.0], "r": [0.5, 0.25, 0.5], "rb": [0.0, 0.0, 1.0]}
    order = [0, 1, 2] if layout == "zrn" else [1, 0, 2]
    arrays = {
        "x": np.array([[1.0]], np.float32),
        "w": np.array([[zrn["w"][k]] for k in order], np.float32),
        "r": np.array([[zrn["r"][k]] for k in order], np.float32),
        "h": np.array([[2.0]], np.float32),
        "recurrent_bias": np.array([zrn["rb"][k] for k in order], np.float32),
    }
    build = _graph("gru_cell", arrays, ["x", "w", "r", "h"], [1],
                   {"layout": layout, "reset_after": reset_after,
                    "activations": ["relu", "relu"]})
    out = run(backend, build, arrays)["out0"]
    np.testing.assert_array_equal(out, np.array([[expected]], np.float32))


@pytest.mark.parametrize("backend", OP_BACKENDS)
def test_gru_cell_default_activations(backend: str) -> None:
    # one unit: z = sigmoid(0.5*x + 0.1), r = sigmoid(-x + 0.2*h), n = tanh(2x + r*(0.3h + 0.4))
    x, h = 0.7, -0.3
    z = _sigmoid(0.5 * x + 0.1)
    r = _sigmoid(-x + 0.2 * h)
    n = math.tanh(2 * x + r * (0.3 * h + 0.4))
    expected = z * h + (1 - z) * n
    arrays = {
        "x": np.array([[x]], np.float32), "w": np.array([[0.5], [-1.0], [2.0]], np.float32),
        "r": np.array([[0.0], [0.2], [0.3]], np.float32), "h": np.array([[h]], np.float32),
        "bias": np.array([0.1, 0.0, 0.0], np.float32),
        "recurrent_bias": np.array([0.0, 0.0, 0.4], np.float32),
    }
    out = run(backend, _graph("gru_cell", arrays, ["x", "w", "r", "h"], [1], {}), arrays)
    np.testing.assert_allclose(out["out0"], [[expected]], rtol=1e-6)


@pytest.mark.parametrize("backend", OP_BACKENDS)
@pytest.mark.parametrize("layout", ["iofg", "ifgo"])
def test_lstm_cell_hand_checked_relu_peephole(backend: str, layout: str) -> None:
    # x = 1, h = 1, c = 2, W (i, o, f, g) = 1, 2, 0.5, 3, R = 0, peephole (i, o, f) = 1, .5, .25
    # i = relu(1 + 2*1) = 3, o = relu(2 + 2*0.5) = 3, f = relu(0.5 + 2*0.25) = 1, g = 3
    # c' = f*c + i*g = 2 + 9 = 11, h' = o * relu(c') = 33
    w = {"i": 1.0, "o": 2.0, "f": 0.5, "g": 3.0}
    arrays = {
        "x": np.array([[1.0]], np.float32),
        "w": np.array([[w[g]] for g in layout], np.float32),
        "r": np.zeros((4, 1), np.float32),
        "h": np.array([[1.0]], np.float32),
        "c": np.array([[2.0]], np.float32),
        "peephole_weight": np.array([1.0, 0.5, 0.25], np.float32),
    }
    build = _graph("lstm_cell", arrays, ["x", "w", "r", "h", "c"], [1],
                   {"layout": layout, "activations": ["relu", "relu", "relu"]})
    out = run(backend, build, arrays)
    np.testing.assert_array_equal(out["out0"], [[33.0]])
    np.testing.assert_array_equal(out["out1"], [[11.0]])


@pytest.mark.parametrize("backend", OP_BACKENDS)
def test_lstm_cell_default_activations(backend: str) -> None:
    x, h, c = 0.5, -0.4, 0.8
    i = _sigmoid(1.0 * x + 0.1 + 0.2 + 0.3 * c)               # bias 0.1, recurrent bias 0.2
    o = _sigmoid(-1.0 * x + 0.5 * h)
    f = _sigmoid(2.0 * x + 0.4 * c)
    g = math.tanh(0.7 * x - 0.6 * h)
    ct = f * c + i * g
    ht = o * math.tanh(ct)
    arrays = {
        "x": np.array([[x]], np.float32),
        "w": np.array([[1.0], [-1.0], [2.0], [0.7]], np.float32),        # i, o, f, g
        "r": np.array([[0.0], [0.5], [0.0], [-0.6]], np.float32),
        "h": np.array([[h]], np.float32), "c": np.array([[c]], np.float32),
        "bias": np.array([0.1, 0, 0, 0], np.float32),
        "recurrent_bias": np.array([0.2, 0, 0, 0], np.float32),
        "peephole_weight": np.array([0.3, 0.0, 0.4], np.float32),        # i, o, f
    }
    out = run(backend, _graph("lstm_cell", arrays, ["x", "w", "r", "h", "c"], [1], {}), arrays)
    np.testing.assert_allclose(out["out0"], [[ht]], rtol=1e-6)
    np.testing.assert_allclose(out["out1"], [[ct]], rtol=1e-6)


@pytest.mark.parametrize("backend", OP_BACKENDS)
@pytest.mark.parametrize(("direction", "hidden", "sequence"), [
    # z = relu(0.5x), r = 0, n = relu(x), h' = z*h + n*(1-z); x = 1, 2; h0 = 0
    # forward:  t0: z=.5, n=1 -> h=.5;  t1: z=1, n=2 -> h=.5
    # backward: t1: z=1 -> h=0;         t0: z=.5, n=1 -> h=.5 (sequence in time order)
    ("forward", [0.5], [[0.5], [0.5]]),
    ("backward", [0.5], [[0.5], [0.0]]),
    ("both", [0.5, 0.5], [[0.5, 0.5], [0.5, 0.0]]),
])
def test_gru_hand_checked_directions(backend: str, direction: str, hidden: list[float],
                                     sequence: list[list[float]]) -> None:
    nd = len(hidden)
    arrays = {
        "x": np.array([[[1.0]], [[2.0]]], np.float32),
        "w": np.tile(np.array([[0.5], [0.0], [1.0]], np.float32), (nd, 1, 1)),
        "r": np.zeros((nd, 3, 1), np.float32),
    }
    build = _graph("gru", arrays, ["x", "w", "r"], [2, 1],
                   {"direction": direction, "return_sequence": True,
                    "activations": ["relu", "relu"]})
    out = run(backend, build, arrays)
    np.testing.assert_array_equal(out["out0"], np.array(hidden, np.float32).reshape(nd, 1, 1))
    np.testing.assert_array_equal(out["out1"],
                                  np.array(sequence, np.float32).reshape(2, nd, 1, 1))


@pytest.mark.parametrize("backend", OP_BACKENDS)
@pytest.mark.parametrize(("direction", "hidden", "cell", "sequence"), [
    # i = o = g = relu(x), f = relu(h) (recurrent weight of f is 1); x = 1, 2; h0 = c0 = 0
    # forward:  t0: c = 0 + 1 = 1, h = 1;  t1: f = 1, c = 1 + 4 = 5, h = 2*5 = 10
    # backward: t1: c = 4, h = 8;          t0: f = 8, c = 8*4 + 1 = 33, h = 33
    ("forward", [10.0], [5.0], [[1.0], [10.0]]),
    ("backward", [33.0], [33.0], [[33.0], [8.0]]),
    ("both", [10.0, 33.0], [5.0, 33.0], [[1.0, 33.0], [10.0, 8.0]]),
])
def test_lstm_hand_checked_directions(backend: str, direction: str, hidden: list[float],
                                      cell: list[float], sequence: list[list[float]]) -> None:
    nd = len(hidden)
    arrays = {
        "x": np.array([[[1.0]], [[2.0]]], np.float32),
        "w": np.tile(np.array([[1.0], [1.0], [0.0], [1.0]], np.float32), (nd, 1, 1)),
        "r": np.tile(np.array([[0.0], [0.0], [1.0], [0.0]], np.float32), (nd, 1, 1)),
    }
    build = _graph("lstm", arrays, ["x", "w", "r"], [2, 1],
                   {"direction": direction, "return_sequence": True,
                    "activations": ["relu", "relu", "relu"]})
    out = run(backend, build, arrays)
    np.testing.assert_array_equal(out["out0"], np.array(hidden, np.float32).reshape(nd, 1, 1))
    np.testing.assert_array_equal(out["out1"], np.array(cell, np.float32).reshape(nd, 1, 1))
    np.testing.assert_array_equal(out["out2"],
                                  np.array(sequence, np.float32).reshape(2, nd, 1, 1))


@pytest.mark.parametrize("backend", OP_BACKENDS)
def test_lstm_initial_states_and_bias(backend: str) -> None:
    # one step, one unit, all weights 0: gates from the biases only (bias + recurrentBias)
    # i = sigmoid(0), o = sigmoid(ln 3) = 0.75, f = sigmoid(0) = 0.5, g = tanh(0.5 + 0.5)
    arrays = {
        "x": np.ones((1, 1, 1), np.float32), "w": np.zeros((1, 4, 1), np.float32),
        "r": np.zeros((1, 4, 1), np.float32),
        "bias": np.array([[0.0, math.log(3.0), 0.0, 0.5]], np.float32),
        "recurrent_bias": np.array([[0.0, 0.0, 0.0, 0.5]], np.float32),
        "initial_hidden_state": np.full((1, 1, 1), 9.0, np.float32),
        "initial_cell_state": np.full((1, 1, 1), 2.0, np.float32),
    }
    out = run(backend, _graph("lstm", arrays, ["x", "w", "r"], [1, 1], {}), arrays)
    ct = 0.5 * 2.0 + 0.5 * math.tanh(1.0)
    np.testing.assert_allclose(out["out1"], [[[ct]]], rtol=1e-6)
    np.testing.assert_allclose(out["out0"], [[[0.75 * math.tanh(ct)]]], rtol=1e-6)


# -- OpenVINO against the reference on seeded random inputs --------------------------------
T, B, IN, H = 3, 2, 4, 5


@pytest.mark.parametrize("dtype", ["float32", "float16"])
@pytest.mark.parametrize(("direction", "layout", "reset_after", "return_sequence"),
                         list(itertools.product(["forward", "backward", "both"], ["zrn", "rzn"],
                                                [True, False], [True, False])))
@pytest.mark.parametrize("options", ["all", "none"])
def test_gru_backends_agree(dtype: str, direction: str, layout: str, reset_after: bool,
                            return_sequence: bool, options: str) -> None:
    nd = 2 if direction == "both" else 1
    shapes = {"x": (T, B, IN), "w": (nd, 3 * H, IN), "r": (nd, 3 * H, H)}
    if options == "all":
        shapes |= {"bias": (nd, 3 * H), "recurrent_bias": (nd, 3 * H),
                   "initial_hidden_state": (nd, B, H)}
    arrays = _arrays(dtype, shapes, seed=1)
    acts = None if options == "all" else ["tanh", "relu"]
    build = _graph("gru", arrays, ["x", "w", "r"], [T, H],
                   {"direction": direction, "layout": layout, "reset_after": reset_after,
                    "return_sequence": return_sequence, "activations": acts})
    ref = _agree(build, arrays)
    assert len(ref) == (2 if return_sequence else 1)


@pytest.mark.parametrize("dtype", ["float32", "float16"])
@pytest.mark.parametrize(("direction", "layout", "return_sequence"),
                         list(itertools.product(["forward", "backward", "both"],
                                                ["iofg", "ifgo"], [True, False])))
@pytest.mark.parametrize("options", ["all", "none", "peephole"])
def test_lstm_backends_agree(dtype: str, direction: str, layout: str, return_sequence: bool,
                             options: str) -> None:
    nd = 2 if direction == "both" else 1
    shapes = {"x": (T, B, IN), "w": (nd, 4 * H, IN), "r": (nd, 4 * H, H)}
    if options == "all":
        shapes |= {"bias": (nd, 4 * H), "recurrent_bias": (nd, 4 * H),
                   "peephole_weight": (nd, 3 * H), "initial_hidden_state": (nd, B, H),
                   "initial_cell_state": (nd, B, H)}
    elif options == "peephole":
        shapes |= {"peephole_weight": (nd, 3 * H), "initial_cell_state": (nd, B, H)}
    arrays = _arrays(dtype, shapes, seed=2)
    acts = ["relu", "sigmoid", "tanh"] if options == "none" else None
    build = _graph("lstm", arrays, ["x", "w", "r"], [T, H],
                   {"direction": direction, "layout": layout,
                    "return_sequence": return_sequence, "activations": acts})
    ref = _agree(build, arrays)
    assert len(ref) == (3 if return_sequence else 2)


@pytest.mark.parametrize("dtype", ["float32", "float16"])
@pytest.mark.parametrize(("layout", "reset_after"),
                         list(itertools.product(["zrn", "rzn"], [True, False])))
@pytest.mark.parametrize("activations", [None, ("relu", "tanh"), ("sigmoid", "sigmoid")])
def test_gru_cell_backends_agree(dtype: str, layout: str, reset_after: bool,
                                 activations: tuple[str, str] | None) -> None:
    shapes = {"x": (B, IN), "w": (3 * H, IN), "r": (3 * H, H), "h": (B, H),
              "bias": (3 * H,), "recurrent_bias": (3 * H,)}
    arrays = _arrays(dtype, shapes, seed=3)
    build = _graph("gru_cell", arrays, ["x", "w", "r", "h"], [H],
                   {"layout": layout, "reset_after": reset_after,
                    "activations": list(activations) if activations else None})
    _agree(build, arrays)


@pytest.mark.parametrize("dtype", ["float32", "float16"])
@pytest.mark.parametrize("layout", ["iofg", "ifgo"])
@pytest.mark.parametrize("options", ["all", "none"])
def test_lstm_cell_backends_agree(dtype: str, layout: str, options: str) -> None:
    shapes = {"x": (B, IN), "w": (4 * H, IN), "r": (4 * H, H), "h": (B, H), "c": (B, H)}
    if options == "all":
        shapes |= {"bias": (4 * H,), "recurrent_bias": (4 * H,), "peephole_weight": (3 * H,)}
    arrays = _arrays(dtype, shapes, seed=4)
    acts = None if options == "all" else ["tanh", "relu", "sigmoid"]
    build = _graph("lstm_cell", arrays, ["x", "w", "r", "h", "c"], [H],
                   {"layout": layout, "activations": acts})
    _agree(build, arrays)


def test_gru_longer_sequence_backends_agree() -> None:
    steps = 12
    shapes = {"x": (steps, 1, 3), "w": (2, 3 * 8, 3), "r": (2, 3 * 8, 8),
              "bias": (2, 3 * 8)}
    arrays = _arrays("float32", shapes, seed=5)
    build = _graph("gru", arrays, ["x", "w", "r"], [steps, 8],
                   {"direction": "both", "return_sequence": True})
    _agree(build, arrays)


# -- validation -----------------------------------------------------------------------------
def _builder() -> webnn.MLGraphBuilder:
    return webnn.MLGraphBuilder(context("reference"))


_NAMES = itertools.count()


def _inp(b: webnn.MLGraphBuilder, shape: tuple[int, ...], dtype: str = "float32"
         ) -> webnn.MLOperand:
    return b.input(f"v{next(_NAMES)}", D(dtype, shape))


def test_gru_validation() -> None:
    b = _builder()
    x, w, r = _inp(b, (T, B, IN)), _inp(b, (1, 3 * H, IN)), _inp(b, (1, 3 * H, H))
    assert [o.shape for o in b.gru(x, w, r, T, H, return_sequence=True)] == [
        (1, B, H), (T, 1, B, H)]
    with pytest.raises(TypeError, match=r"gru: input shape\[0\] \(3\) must equal steps \(4\)"):
        b.gru(x, w, r, 4, H)
    with pytest.raises(TypeError, match="gru: steps must be greater than 0"):
        b.gru(x, w, r, 0, H)
    with pytest.raises(TypeError, match="gru: steps: -1 is out of range"):
        b.gru(x, w, r, -1, H)
    with pytest.raises(TypeError, match=r"gru: weight shape \[1, 15, 4\] must be \[2, 15, 4\]"):
        b.gru(x, w, r, T, H, direction="both")
    with pytest.raises(TypeError, match=r"gru: recurrentWeight shape .* must be \[1, 15, 5\]"):
        b.gru(x, w, _inp(b, (1, 3 * H, 4)), T, H)
    with pytest.raises(TypeError, match=r"gru: bias shape \[1, 5\] must be \[1, 15\]"):
        b.gru(x, w, r, T, H, bias=_inp(b, (1, H)))
    with pytest.raises(TypeError, match="gru: recurrent_bias must be of rank 2"):
        b.gru(x, w, r, T, H, recurrent_bias=_inp(b, (3 * H,)))
    with pytest.raises(TypeError, match=r"gru: initialHiddenState shape .* must be \[1, 2, 5\]"):
        b.gru(x, w, r, T, H, initial_hidden_state=_inp(b, (1, B, 4)))
    with pytest.raises(TypeError, match="gru: activations must have 2 entries, got 3"):
        b.gru(x, w, r, T, H, activations=["relu", "relu", "relu"])
    with pytest.raises(TypeError, match="gru: activations: 'gelu' is not one of"):
        b.gru(x, w, r, T, H, activations=["relu", "gelu"])
    with pytest.raises(TypeError, match="gru: direction: 'up' is not one of"):
        b.gru(x, w, r, T, H, direction="up")
    with pytest.raises(TypeError, match="gru: layout: 'iofg' is not one of"):
        b.gru(x, w, r, T, H, layout="iofg")
    with pytest.raises(TypeError, match="gru: input must be of rank 3, got rank 2"):
        b.gru(_inp(b, (T, IN)), w, r, T, H)
    with pytest.raises(TypeError, match="gru: input data type int32 is not allowed"):
        b.gru(_inp(b, (T, B, IN), "int32"), w, r, T, H)
    with pytest.raises(TypeError, match="gru: weight data type float16 must match input"):
        b.gru(x, _inp(b, (1, 3 * H, IN), "float16"), r, T, H)
    with pytest.raises(TypeError, match="gru: bias data type float16 must match input"):
        b.gru(x, w, r, T, H, bias=_inp(b, (1, 3 * H), "float16"))
    with pytest.raises(TypeError, match="gru: resetAfter: 1 is not a boolean"):
        b.gru(x, w, r, T, H, reset_after=1)
    with pytest.raises(TypeError, match="gru: weight must be an MLOperand"):
        b.gru(x, None, r, T, H)
    other = _builder()
    with pytest.raises(TypeError, match="gru: bias was created by another MLGraphBuilder"):
        b.gru(x, w, r, T, H, bias=_inp(other, (1, 3 * H)))


def test_hidden_size_times_gates_must_be_a_valid_dimension() -> None:
    # unreachable through the builder (recurrentWeight's element count is a valid dimension
    # first), so the step's helper is checked directly
    from webnn_core.ops.recurrent import _check_valid_dimension

    _check_valid_dimension("gru", 357_913_941, 6)           # 6 * that = 2**31 - 2
    with pytest.raises(TypeError, match=r"gru: hiddenSize \* 6 .* is not a valid dimension"):
        _check_valid_dimension("gru", 400_000_000, 6)
    with pytest.raises(TypeError, match=r"lstm_cell: hiddenSize \* 8 .* is not a valid dim"):
        _check_valid_dimension("lstm_cell", 2**28, 8)


def test_gru_cell_validation() -> None:
    b = _builder()
    x, w, r, h = _inp(b, (B, IN)), _inp(b, (3 * H, IN)), _inp(b, (3 * H, H)), _inp(b, (B, H))
    assert b.gru_cell(x, w, r, h, H).shape == (B, H)
    with pytest.raises(TypeError, match=r"gru_cell: weight shape \[15, 4\] must be \[18, 4\]"):
        b.gru_cell(x, w, r, h, 6)
    with pytest.raises(TypeError, match=r"gru_cell: hidden_state shape \[1, 5\] must be"):
        b.gru_cell(x, w, r, _inp(b, (1, H)), H)
    with pytest.raises(TypeError, match="gru_cell: hidden_state must be of rank 2"):
        b.gru_cell(x, w, r, _inp(b, (1, B, H)), H)
    with pytest.raises(TypeError, match="gru_cell: bias must be of rank 1, got rank 2"):
        b.gru_cell(x, w, r, h, H, bias=_inp(b, (1, 15)))
    with pytest.raises(TypeError, match=r"gru_cell: bias shape \[5\] must be \[15\]"):
        b.gru_cell(x, w, r, h, H, bias=_inp(b, (5,)))
    with pytest.raises(TypeError, match=r"gru_cell: recurrentBias shape \[14\] must be \[15\]"):
        b.gru_cell(x, w, r, h, H, recurrent_bias=_inp(b, (14,)))
    with pytest.raises(TypeError, match="gru_cell: hidden_state data type float16 must match"):
        b.gru_cell(x, w, r, _inp(b, (B, H), "float16"), H)
    with pytest.raises(TypeError, match="gru_cell: activations must have 2 entries, got 1"):
        b.gru_cell(x, w, r, h, H, activations=["relu"])
    with pytest.raises(TypeError, match="gru_cell: hiddenSize: 2.5 is not an integer"):
        b.gru_cell(x, w, r, h, 2.5)


def test_lstm_validation() -> None:
    b = _builder()
    x, w, r = _inp(b, (T, B, IN)), _inp(b, (2, 4 * H, IN)), _inp(b, (2, 4 * H, H))
    shapes = [o.shape for o in b.lstm(x, w, r, T, H, direction="both", return_sequence=True)]
    assert shapes == [(2, B, H), (2, B, H), (T, 2, B, H)]
    assert len(b.lstm(x, w, r, T, H, direction="both")) == 2
    with pytest.raises(TypeError, match=r"lstm: weight shape \[2, 20, 4\] must be \[1, 20, 4\]"):
        b.lstm(x, w, r, T, H)
    with pytest.raises(TypeError, match="lstm: steps must be greater than 0"):
        b.lstm(x, w, r, 0, H, direction="both")
    with pytest.raises(TypeError, match=r"lstm: peepholeWeight shape \[2, 20\] must be \[2, 15\]"):
        b.lstm(x, w, r, T, H, direction="both", peephole_weight=_inp(b, (2, 4 * H)))
    with pytest.raises(TypeError, match=r"lstm: initialCellState shape .* must be \[2, 2, 5\]"):
        b.lstm(x, w, r, T, H, direction="both", initial_cell_state=_inp(b, (1, B, H)))
    with pytest.raises(TypeError, match=r"lstm: recurrentBias shape .* must be \[2, 20\]"):
        b.lstm(x, w, r, T, H, direction="both", recurrent_bias=_inp(b, (2, 3 * H)))
    with pytest.raises(TypeError, match="lstm: activations must have 3 entries, got 2"):
        b.lstm(x, w, r, T, H, direction="both", activations=["relu", "tanh"])
    with pytest.raises(TypeError, match="lstm: activations must be a sequence"):
        b.lstm(x, w, r, T, H, direction="both", activations="relu")
    with pytest.raises(TypeError, match="lstm: layout: 'zrn' is not one of"):
        b.lstm(x, w, r, T, H, direction="both", layout="zrn")
    with pytest.raises(TypeError, match="lstm: initial_hidden_state data type float16 must"):
        b.lstm(x, w, r, T, H, direction="both",
               initial_hidden_state=_inp(b, (2, B, H), "float16"))


def test_lstm_cell_validation() -> None:
    b = _builder()
    x, w, r = _inp(b, (B, IN)), _inp(b, (4 * H, IN)), _inp(b, (4 * H, H))
    h, c = _inp(b, (B, H)), _inp(b, (B, H))
    assert [o.shape for o in b.lstm_cell(x, w, r, h, c, H)] == [(B, H), (B, H)]
    with pytest.raises(TypeError, match=r"lstm_cell: cell_state shape \[2, 4\] must be \[2, 5\]"):
        b.lstm_cell(x, w, r, h, _inp(b, (B, 4)), H)
    with pytest.raises(TypeError, match=r"lstm_cell: peepholeWeight shape \[20\] must be \[15\]"):
        b.lstm_cell(x, w, r, h, c, H, peephole_weight=_inp(b, (4 * H,)))
    with pytest.raises(TypeError, match="lstm_cell: cell_state data type int8 is not allowed|"
                                        "lstm_cell: cell_state data type int8 must match"):
        b.lstm_cell(x, w, r, h, _inp(b, (B, H), "int8"), H)
    with pytest.raises(TypeError, match="lstm_cell: cellState must be an MLOperand"):
        b.lstm_cell(x, w, r, h, None, H)
