"""ONNX GRU / LSTM / RNN through the WebNN translator vs ORT's CPU EP."""

from __future__ import annotations

import numpy as np
import onnx
import pytest
from onnx import helper
from webnn_providers.onnx import check_node, from_onnx_model, run_graph

from tests.helpers import context
from tests.providers.onnx.helpers import (
    assert_translation_matches,
    make_model,
    node_verdict,
    run_ort,
)

rng = np.random.default_rng(0)
SEQ, BATCH, INPUT, HIDDEN = 4, 2, 3, 5
GATES = {"GRU": 3, "LSTM": 4, "RNN": 1}
DIRS = {"forward": 1, "reverse": 1, "bidirectional": 2}
TOL = {"rtol": 1e-4, "atol": 1e-5}  # accumulations over the sequence


def f32(*shape: int) -> np.ndarray:
    return rng.uniform(-0.6, 0.6, shape).astype(np.float32)


def model_for(op, direction="forward", *, bias=True, initial=0, peephole=False,
              outputs=None, layout=0, const_weights=True, extra_inputs=None,
              opset=21, **attrs):
    """A one-node model; initial = number of initial states given (h, or h and c)."""
    dirs, gates = DIRS[direction], GATES[op]
    x = f32(BATCH, SEQ, INPUT) if layout else f32(SEQ, BATCH, INPUT)
    params = {"W": f32(dirs, gates * HIDDEN, INPUT), "R": f32(dirs, gates * HIDDEN, HIDDEN)}
    names = ["x", "W", "R", "B" if bias else "", "", "h0" if initial else "",
             "c0" if initial > 1 else "", "P" if peephole else ""]
    if bias:
        params["B"] = f32(dirs, 2 * gates * HIDDEN)
    if peephole:
        params["P"] = f32(dirs, 3 * HIDDEN)
    state = (BATCH, dirs, HIDDEN) if layout else (dirs, BATCH, HIDDEN)
    if initial:
        params["h0"] = f32(*state)
    if initial > 1:
        params["c0"] = f32(*state)
    if extra_inputs:
        for index, (name, value) in extra_inputs.items():
            names[index] = name
            params[name] = value
    while names and names[-1] == "":
        names.pop()
    inputs = {"x": x}
    inits = {}
    for name, value in params.items():
        (inits if const_weights else inputs)[name] = value
    if outputs is None:
        outputs = ["Y", "Y_h", "Y_c"][:3 if op == "LSTM" else 2]
    node = helper.make_node(op, names, outputs, hidden_size=HIDDEN, direction=direction,
                            **({"layout": layout} if layout else {}), **attrs)
    model = make_model([node], inputs, [o for o in outputs if o], inits, opset=opset)
    return model, inputs


@pytest.mark.parametrize("op", ["GRU", "LSTM", "RNN"])
@pytest.mark.parametrize("direction", ["forward", "reverse", "bidirectional"])
def test_directions(op, direction):
    model, inputs = model_for(op, direction, initial=2 if op == "LSTM" else 1)
    assert_translation_matches(model, inputs, **TOL)


@pytest.mark.parametrize("op", ["GRU", "LSTM", "RNN"])
def test_no_bias_no_state_dynamic_weights(op):
    model, inputs = model_for(op, bias=False, const_weights=False)
    assert_translation_matches(model, inputs, **TOL)


@pytest.mark.parametrize("lbr", [0, 1])
@pytest.mark.parametrize("direction", ["forward", "bidirectional"])
def test_gru_linear_before_reset(lbr, direction):
    model, inputs = model_for("GRU", direction, initial=1, linear_before_reset=lbr)
    assert_translation_matches(model, inputs, **TOL)


def test_lstm_peephole_input_forget_gates():
    # WebNN's output-gate peephole reads the previous cell state, ONNX's the new one: only
    # P with a zero output block (i and f peepholes) is exact
    model, inputs = model_for("LSTM", "bidirectional", initial=2, peephole=True)
    p = next(i for i in model.graph.initializer if i.name == "P")
    value = onnx.numpy_helper.to_array(p).copy()
    value[:, HIDDEN:2 * HIDDEN] = 0
    p.CopyFrom(onnx.numpy_helper.from_array(value, "P"))
    assert_translation_matches(model, inputs, **TOL)


def test_lstm_output_gate_peephole_refused():
    model, _ = model_for("LSTM", initial=2, peephole=True)
    verdict = node_verdict(model)
    assert not verdict.supported and "peephole" in verdict.reason


@pytest.mark.parametrize("op,acts", [
    ("GRU", ["Relu", "Sigmoid"]), ("LSTM", ["Sigmoid", "Relu", "Tanh"]), ("RNN", ["Relu"]),
    ("RNN", ["Sigmoid"])])
def test_activations(op, acts):
    model, inputs = model_for(op, "bidirectional", activations=acts * 2)
    assert_translation_matches(model, inputs, **TOL)


@pytest.mark.parametrize("op", ["GRU", "LSTM", "RNN"])
def test_layout_batch_first(op):
    # ORT's CPU EP has no layout=1 kernels: compare with its layout=0 result, transposed
    model, inputs = model_for(op, "bidirectional", initial=2 if op == "LSTM" else 1)
    expected = run_ort(model, inputs)
    batch_first = onnx.ModelProto()
    batch_first.CopyFrom(model)
    batch_first.graph.node[0].attribute.append(helper.make_attribute("layout", 1))
    for init in batch_first.graph.initializer:
        if init.name in ("h0", "c0"):
            value = onnx.numpy_helper.to_array(init).transpose(1, 0, 2)
            init.CopyFrom(onnx.numpy_helper.from_array(value, init.name))
    x = inputs["x"].transpose(1, 0, 2)
    batch_first.graph.input[0].CopyFrom(helper.make_tensor_value_info(
        "x", onnx.TensorProto.FLOAT, x.shape))
    graph = from_onnx_model(batch_first)
    for backend in ("reference", "openvino"):
        assert check_node(context(backend), graph, 0).supported
        got = run_graph(context(backend), graph, {"x": x})
        for name, want in expected.items():
            want = want.transpose(2, 0, 1, 3) if name == "Y" else want.transpose(1, 0, 2)
            np.testing.assert_allclose(got[name], want, **TOL, err_msg=f"{backend} {name}")


@pytest.mark.parametrize("op,outputs", [("GRU", ["", "Y_h"]), ("GRU", ["Y"]),
                                        ("LSTM", ["", "", "Y_c"]), ("LSTM", ["Y", "Y_h"]),
                                        ("RNN", ["", "Y_h"])])
def test_optional_outputs(op, outputs):
    model, inputs = model_for(op, outputs=outputs)
    assert_translation_matches(model, inputs, **TOL)


def test_float16_gru():
    model, inputs = model_for("GRU")
    for init in model.graph.initializer:
        init.CopyFrom(onnx.numpy_helper.from_array(
            onnx.numpy_helper.to_array(init).astype(np.float16), init.name))
    inputs = {"x": inputs["x"].astype(np.float16)}
    model.graph.input[0].type.tensor_type.elem_type = 10
    assert_translation_matches(model, inputs, rtol=1e-2, atol=1e-2)


def test_opset7_lstm_and_chain():
    model, inputs = model_for("LSTM", initial=2, opset=7)
    assert_translation_matches(model, inputs, **TOL)
    # GRU followed by the usual Squeeze of the direction axis
    model, inputs = model_for("GRU", initial=1)
    model.graph.node.append(helper.make_node("Squeeze", ["Y", "ax"], ["Z"]))
    model.graph.initializer.append(onnx.numpy_helper.from_array(
        np.array([1], np.int64), "ax"))
    model.graph.output.append(helper.make_empty_tensor_value_info("Z"))
    assert_translation_matches(model, inputs, **TOL)


def test_sequence_lens_equal_to_length_accepted():
    lens = np.full(BATCH, SEQ, np.int32)
    model, inputs = model_for("GRU", extra_inputs={4: ("lens", lens)})
    assert_translation_matches(model, inputs, **TOL)


# -- refusals ----------------------------------------------------------------------------
def test_sequence_lens_refused():
    lens = np.array([SEQ, SEQ - 1], np.int32)
    model, _ = model_for("LSTM", extra_inputs={4: ("lens", lens)})
    verdict = node_verdict(model)
    assert not verdict.supported and "sequence_lens" in verdict.reason


@pytest.mark.parametrize("op,attrs,reason", [
    ("GRU", {"clip": 1.0}, "clip"),
    ("LSTM", {"input_forget": 1}, "input_forget"),
    ("RNN", {"activations": ["HardSigmoid"]}, "activations"),
    ("GRU", {"activations": ["Sigmoid", "Tanh", "Sigmoid", "Relu"]}, "differ"),
    ("LSTM", {"activations": ["Sigmoid", "Tanh", "Tanh"],
              "activation_alpha": [1.0, 1.0, 1.0]}, "activation_alpha"),
])
def test_attribute_refusals(op, attrs, reason):
    direction = "bidirectional" if len(attrs.get("activations", [])) == 4 else "forward"
    model, _ = model_for(op, direction, **attrs)
    verdict = node_verdict(model)
    assert not verdict.supported and reason in verdict.reason
