"""Small ONNX models for the ONNX Runtime EP tests."""

from __future__ import annotations

import numpy as np
import onnx
import onnxruntime as ort
from onnx import TensorProto, helper, numpy_helper

EP = "WebNNExecutionProvider"
IR_VERSION = 9  # what onnxruntime 1.24+ loads


def cpu_run(model, feeds):
    session = ort.InferenceSession(model.SerializeToString(),
                                   providers=["CPUExecutionProvider"])
    return session.run(None, feeds)


def webnn_session(model, options=None, session_options=None, **kwargs):
    return ort.InferenceSession(model.SerializeToString(), session_options,
                                providers=[("WebNNExecutionProvider", options or {}),
                                           "CPUExecutionProvider"], **kwargs)


def make_model(nodes, inputs, outputs, initializers=(), opset=17) -> onnx.ModelProto:
    graph = helper.make_graph(nodes, "g", inputs, outputs, list(initializers))
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)],
                              ir_version=IR_VERSION)
    onnx.checker.check_model(model)
    return model


def tensor(name, elem, shape):
    return helper.make_tensor_value_info(name, elem, shape)


def add_mul(batch="N") -> onnx.ModelProto:
    """y = (x + c) * x, all on WebNN (one partition)."""
    c = numpy_helper.from_array(np.array([1.0, -2.0, 3.0], np.float32), "c")
    nodes = [helper.make_node("Add", ["x", "c"], ["a"], name="add"),
             helper.make_node("Mul", ["a", "x"], ["y"], name="mul")]
    return make_model(nodes, [tensor("x", TensorProto.FLOAT, [batch, 3])],
                      [tensor("y", TensorProto.FLOAT, [batch, 3])], [c])


def mixed() -> onnx.ModelProto:
    """WebNN / ORT / WebNN / ORT / WebNN: float ops interleaved with float64 ops, which
    WebNN has no data type for."""
    c = numpy_helper.from_array(np.array([0.5, -1.5, 2.0, -3.0], np.float32), "c")
    d = numpy_helper.from_array(np.array([2.0], np.float64), "d")
    nodes = [
        helper.make_node("Add", ["x", "c"], ["a"], name="add"),
        helper.make_node("Cast", ["a"], ["a64"], name="to64", to=TensorProto.DOUBLE),
        helper.make_node("Abs", ["a64"], ["b64"], name="abs64"),
        helper.make_node("Cast", ["b64"], ["b"], name="to32", to=TensorProto.FLOAT),
        helper.make_node("Mul", ["b", "x"], ["m"], name="mul"),
        helper.make_node("Cast", ["m"], ["m64"], name="to64b", to=TensorProto.DOUBLE),
        helper.make_node("Mul", ["m64", "d"], ["s64"], name="mul64"),
        helper.make_node("Cast", ["s64"], ["s"], name="to32b", to=TensorProto.FLOAT),
        helper.make_node("Sub", ["s", "x"], ["y"], name="sub"),
    ]
    return make_model(nodes, [tensor("x", TensorProto.FLOAT, [2, 4])],
                      [tensor("y", TensorProto.FLOAT, [2, 4])], [c, d])


def compare_bool() -> onnx.ModelProto:
    """A boolean output and an int32 path: Greater, Not, Abs(int32)."""
    nodes = [helper.make_node("Greater", ["x", "z"], ["g"], name="greater"),
             helper.make_node("Not", ["g"], ["y"], name="not"),
             helper.make_node("Abs", ["i"], ["j"], name="abs")]
    return make_model(nodes, [tensor("x", TensorProto.FLOAT, [3, 4]),
                              tensor("z", TensorProto.FLOAT, [4]),
                              tensor("i", TensorProto.INT32, [5])],
                      [tensor("y", TensorProto.BOOL, [3, 4]),
                       tensor("j", TensorProto.INT32, [5])])


def all_double() -> onnx.ModelProto:
    nodes = [helper.make_node("Add", ["x", "x"], ["y"], name="add64")]
    return make_model(nodes, [tensor("x", TensorProto.DOUBLE, [3])],
                      [tensor("y", TensorProto.DOUBLE, [3])])


def small_cnn() -> onnx.ModelProto:
    """Conv/Relu/MaxPool/Transpose/Reshape/MatMul/LeakyRelu/Softmax with a symbolic batch,
    two outputs (one also read inside) and attributes of several kinds."""
    rng = np.random.default_rng(0)
    inits = [
        numpy_helper.from_array(rng.standard_normal((4, 3, 3, 3)).astype(np.float32), "W"),
        numpy_helper.from_array(rng.standard_normal(4).astype(np.float32), "B"),
        numpy_helper.from_array(np.array([0, -1], np.int64), "S"),
        numpy_helper.from_array(rng.standard_normal((64, 5)).astype(np.float32), "G"),
    ]
    nodes = [
        helper.make_node("Conv", ["x", "W", "B"], ["c"], pads=[1, 1, 1, 1], name="conv"),
        helper.make_node("Relu", ["c"], ["r"], name="relu"),
        helper.make_node("MaxPool", ["r"], ["p"], kernel_shape=[2, 2], strides=[2, 2],
                         name="pool"),
        helper.make_node("Transpose", ["p"], ["t"], perm=[0, 2, 3, 1], name="transpose"),
        helper.make_node("Reshape", ["t", "S"], ["f"], name="reshape"),
        helper.make_node("MatMul", ["f", "G"], ["g"], name="matmul"),
        helper.make_node("LeakyRelu", ["g"], ["l"], alpha=0.2, name="leaky"),
        helper.make_node("Softmax", ["l"], ["y"], axis=-1, name="softmax"),
    ]
    return make_model(nodes, [tensor("x", TensorProto.FLOAT, ["N", 3, 8, 8])],
                      [tensor("y", TensorProto.FLOAT, ["N", 5]),
                       tensor("r", TensorProto.FLOAT, ["N", 4, 8, 8])], inits)


def with_if() -> onnx.ModelProto:
    """Abs -> If (branches: Add / Mul reading outer-scope values) -> Neg."""
    then_graph = helper.make_graph([helper.make_node("Add", ["a", "x"], ["t"], name="then_add")],
                                   "then", [], [tensor("t", TensorProto.FLOAT, [2])])
    else_graph = helper.make_graph([helper.make_node("Mul", ["a", "x"], ["e"], name="else_mul")],
                                   "else", [], [tensor("e", TensorProto.FLOAT, [2])])
    nodes = [helper.make_node("Abs", ["x"], ["a"], name="abs"),
             helper.make_node("If", ["cond"], ["o"], then_branch=then_graph,
                              else_branch=else_graph, name="if"),
             helper.make_node("Neg", ["o"], ["y"], name="neg")]
    return make_model(nodes, [tensor("x", TensorProto.FLOAT, [2]),
                              tensor("cond", TensorProto.BOOL, [])],
                      [tensor("y", TensorProto.FLOAT, [2])])
