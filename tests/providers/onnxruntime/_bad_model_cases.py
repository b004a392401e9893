"""Malformed and hostile models for tests/providers/onnxruntime/test_bad_models.py.

Run as ``python _bad_model_cases.py CASE [WORKDIR]`` in a subprocess (a crash then shows up as
a signal exit code rather than a dead test run): the case builds its model, creates the
session with the WebNN EP (OpenVINO) in front of the CPU EP and runs it, and prints one JSON
line per attempt (prefix ``RESULT``) saying what happened. The address space is capped at
:data:`MEMORY_LIMIT` so a runaway allocation fails instead of exhausting the machine.
"""

from __future__ import annotations

import json
import resource
import sys
from pathlib import Path

import numpy as np
import onnxruntime as ort
from onnx import TensorProto, helper, numpy_helper

sys.path.insert(0, str(Path(__file__).resolve().parents[3]))  # the repository root
from tests.providers.onnxruntime._ort_models import add_mul, make_model, small_cnn, tensor  # noqa: E402

EP = "WebNNExecutionProvider"
PROVIDERS = [(EP, {"backend": "openvino"}), "CPUExecutionProvider"]
MEMORY_LIMIT = 4 << 30


def emit(label: str, **fields) -> None:
    print("RESULT " + json.dumps({"label": label, **fields}), flush=True)


def _options() -> ort.SessionOptions:
    so = ort.SessionOptions()
    so.log_severity_level = 4
    so.add_session_config_entry("session.record_ep_graph_assignment_info", "1")
    return so


def _data(model) -> bytes | str:
    return model if isinstance(model, (bytes, str)) else model.SerializeToString()


def attempt(label: str, model, feeds: dict | None = None, providers=None, fallback=0):
    """Create a session (and run it with ``feeds``); report the outcome. Returns the
    outputs, or None after an error."""
    stage = "session"
    try:
        session = ort.InferenceSession(_data(model), _options(),
                                       providers=providers or PROVIDERS,
                                       enable_fallback=fallback)
        assigned = {}
        for subgraph in session.get_provider_graph_assignment_info():
            assigned[subgraph.ep_name] = assigned.get(subgraph.ep_name, 0) + len(
                subgraph.get_nodes())
        if feeds is None:
            emit(label, ok=True, stage=stage, assigned=assigned,
                 providers=session.get_providers())
            return []
        stage = "run"
        outputs = session.run(None, feeds)
    except Exception as exc:  # noqa: BLE001 - reported to the test
        emit(label, ok=False, stage=stage, error=type(exc).__name__, message=str(exc)[:2000])
        return None
    emit(label, ok=True, stage=stage, assigned=assigned, shapes=[list(np.shape(o))
                                                                for o in outputs])
    return outputs


def compare(label: str, model, feeds: dict) -> None:
    """The EP session against the CPU-only session on the same model and feeds."""
    got = attempt(label, model, feeds)
    want = attempt(label + "/cpu", model, feeds, providers=["CPUExecutionProvider"])
    if got is not None and want is not None:
        same = len(got) == len(want) and all(
            np.shape(a) == np.shape(b) and np.allclose(a, b, rtol=1e-5, atol=1e-6,
                                                       equal_nan=True)
            for a, b in zip(got, want, strict=False))
        emit(label + "/compare", ok=True, same=bool(same))


# --- cases ---------------------------------------------------------------------------------
def case_garbage_bytes(workdir: Path) -> None:
    attempt("garbage", b"this is not an ONNX model \x00\xff\x13")
    attempt("empty", b"")


def case_truncated_file(workdir: Path) -> None:
    data = small_cnn().SerializeToString()
    for label, cut in (("half", len(data) // 2), ("minus3", len(data) - 3), ("first10", 10)):
        path = workdir / f"truncated_{label}.onnx"
        path.write_bytes(data[:cut])
        attempt(label, str(path))
    attempt("missing", str(workdir / "does_not_exist.onnx"))


def case_random_byte_flips(workdir: Path) -> None:
    """Bytes of a valid model overwritten at random (seeded): mostly unparsable; whatever
    parses must behave like the CPU-only session."""
    data = small_cnn().SerializeToString()
    rng = np.random.default_rng(2024)
    x = rng.standard_normal((2, 3, 8, 8)).astype(np.float32)
    for i in range(40):
        mutated = bytearray(data)
        for _ in range(int(rng.integers(1, 4))):
            mutated[int(rng.integers(len(mutated)))] = int(rng.integers(256))
        compare(f"flip{i}", bytes(mutated), {"x": x})


def case_unsupported_opset(workdir: Path) -> None:
    model = add_mul()
    model.opset_import[0].version = 99
    attempt("opset99", model)
    model = add_mul()
    model.opset_import[0].version = 0
    attempt("opset0", model)


def case_unknown_domain(workdir: Path) -> None:
    nodes = [helper.make_node("Abs", ["x"], ["a"], name="abs"),
             helper.make_node("Frobnicate", ["a"], ["b"], name="frob", domain="com.example"),
             helper.make_node("Neg", ["b"], ["y"], name="neg")]
    graph = helper.make_graph(nodes, "g", [tensor("x", TensorProto.FLOAT, [3])],
                              [tensor("y", TensorProto.FLOAT, [3])])
    model = helper.make_model(graph, ir_version=9, opset_imports=[
        helper.make_opsetid("", 17), helper.make_opsetid("com.example", 1)])
    attempt("registered_domain", model)
    del model.opset_import[1]
    attempt("unregistered_domain", model)


def case_missing_input(workdir: Path) -> None:
    nodes = [helper.make_node("Abs", ["x"], ["a"], name="abs"),
             helper.make_node("Add", ["a", "nowhere"], ["y"], name="add")]
    graph = helper.make_graph(nodes, "g", [tensor("x", TensorProto.FLOAT, [3])],
                              [tensor("y", TensorProto.FLOAT, [3])])
    attempt("missing_input", helper.make_model(graph, ir_version=9,
                                               opset_imports=[helper.make_opsetid("", 17)]))
    graph = helper.make_graph([helper.make_node("Abs", ["x"], ["a"], name="abs")], "g",
                              [tensor("x", TensorProto.FLOAT, [3])],
                              [tensor("y", TensorProto.FLOAT, [3])])
    attempt("output_not_produced", helper.make_model(
        graph, ir_version=9, opset_imports=[helper.make_opsetid("", 17)]))


def case_cycle(workdir: Path) -> None:
    nodes = [helper.make_node("Add", ["x", "b"], ["a"], name="add"),
             helper.make_node("Mul", ["a", "x"], ["b"], name="mul"),
             helper.make_node("Neg", ["a"], ["y"], name="neg")]
    graph = helper.make_graph(nodes, "g", [tensor("x", TensorProto.FLOAT, [3])],
                              [tensor("y", TensorProto.FLOAT, [3])])
    attempt("cycle", helper.make_model(graph, ir_version=9,
                                       opset_imports=[helper.make_opsetid("", 17)]))
    nodes = [helper.make_node("Relu", ["a"], ["a"], name="self_loop")]
    graph = helper.make_graph(nodes, "g", [tensor("x", TensorProto.FLOAT, [3])],
                              [tensor("a", TensorProto.FLOAT, [3])])
    attempt("self_loop", helper.make_model(graph, ir_version=9,
                                           opset_imports=[helper.make_opsetid("", 17)]))


def case_duplicate_output(workdir: Path) -> None:
    nodes = [helper.make_node("Abs", ["x"], ["a"], name="abs"),
             helper.make_node("Neg", ["x"], ["a"], name="neg"),
             helper.make_node("Relu", ["a"], ["y"], name="relu")]
    graph = helper.make_graph(nodes, "g", [tensor("x", TensorProto.FLOAT, [3])],
                              [tensor("y", TensorProto.FLOAT, [3])])
    attempt("duplicate_output", helper.make_model(graph, ir_version=9,
                                                  opset_imports=[helper.make_opsetid("", 17)]))


def case_wrong_types(workdir: Path) -> None:
    model = add_mul()
    model.graph.output[0].type.tensor_type.elem_type = TensorProto.INT32
    attempt("wrong_output_type", model)
    model = add_mul()
    model.graph.initializer[0].data_type = TensorProto.DOUBLE
    attempt("initializer_type", model)


def case_bad_initializer(workdir: Path) -> None:
    """An initializer whose data does not fill its dims, or lives in a missing file."""
    model = add_mul()
    init = model.graph.initializer[0]
    init.ClearField("float_data")
    init.raw_data = b"\x00\x00\x80\x3f"  # 1 float for dims [3]
    attempt("short_raw_data", model, {"x": np.ones((2, 3), np.float32)})
    model = add_mul()
    init = model.graph.initializer[0]
    init.ClearField("float_data")
    init.ClearField("raw_data")
    init.data_location = TensorProto.EXTERNAL
    init.external_data.add(key="location", value="no_such_weights.bin")
    path = workdir / "external.onnx"
    path.write_bytes(model.SerializeToString())
    attempt("missing_external_data", str(path))


def case_huge_shapes(workdir: Path) -> None:
    relu = [helper.make_node("Relu", ["x"], ["y"], name="relu")]
    for label, dims in (("2^31x2^31", [1 << 31, 1 << 31]), ("2^40x2^40", [1 << 40, 1 << 40]),
                        ("int64_max", [2**63 - 1])):
        model = make_model(relu, [tensor("x", TensorProto.FLOAT, dims)],
                           [tensor("y", TensorProto.FLOAT, dims)])
        attempt(label, model)
        attempt(label + "/run", model, {"x": np.ones([2] * len(dims), np.float32)})
    # Expands to 4 GiB (within WebNN's limits: the EP takes it) and 8 GiB (beyond them) of
    # float32, with the address space capped at 4 GiB: allocations fail
    for label, dims in (("expand_4GiB", [1 << 15, 1 << 15]), ("expand_8GiB", [1 << 15, 1 << 16])):
        shape = numpy_helper.from_array(np.array(dims, np.int64), "s")
        model = make_model([helper.make_node("Abs", ["x"], ["a"], name="abs"),
                            helper.make_node("Expand", ["a", "s"], ["y"], name="expand")],
                           [tensor("x", TensorProto.FLOAT, [1])],
                           [tensor("y", TensorProto.FLOAT, dims)], [shape])
        attempt(label, model, {"x": np.ones(1, np.float32)})
        attempt(label + "/fallback", model, {"x": np.ones(1, np.float32)}, fallback=1)


def case_runtime_mismatch(workdir: Path) -> None:
    """Feeds that do not fit the model: ORT checks them before any kernel runs."""
    model = add_mul("N")
    for label, x in (("rank", np.ones((2, 3, 1), np.float32)),
                     ("dtype", np.ones((2, 3), np.float64)),
                     ("dim", np.ones((2, 4), np.float32)),
                     ("fine", np.ones((2, 3), np.float32))):
        attempt(label, model, {"x": x})
    attempt("missing_feed", model, {})
    attempt("unknown_feed", model, {"x": np.ones((2, 3), np.float32),
                                    "z": np.ones(1, np.float32)})


def case_lying_value_info(workdir: Path) -> None:
    """value_info that contradicts the real shapes (symbolic batch declared [2, 3])."""
    model = add_mul("N")
    model.graph.value_info.append(tensor("a", TensorProto.FLOAT, [2, 3]))
    x = np.arange(15, dtype=np.float32).reshape(5, 3)
    compare("value_info", model, {"x": x})


def case_empty_static(workdir: Path) -> None:
    """A zero-size tensor declared in the model (WebNN has none: left to the CPU EP)."""
    compare("static_empty", add_mul(0), {"x": np.zeros((0, 3), np.float32)})


def case_empty_symbolic(workdir: Path) -> None:
    """A zero-size batch fed into a symbolic batch dimension at run time."""
    model = add_mul("N")
    compare("symbolic_empty", model, {"x": np.zeros((0, 3), np.float32)})
    compare("symbolic_nonempty_after", model, {"x": np.ones((2, 3), np.float32)})


CASES = {name[len("case_"):]: fn for name, fn in sorted(globals().items())
         if name.startswith("case_")}


def main() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))
    import webnn_providers.onnxruntime as webnn_ort

    webnn_ort.register()
    workdir = Path(sys.argv[2]) if len(sys.argv) > 2 else Path.cwd()
    CASES[sys.argv[1]](workdir)
    print("DONE", flush=True)


if __name__ == "__main__":
    main()
