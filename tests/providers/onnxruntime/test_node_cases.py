"""Every ONNX backend node test case (onnx.backend.test.case.node) through an ONNX Runtime
session with the WebNN EP (OpenVINO backend) in front of the CPU EP.

Per case: the session is created (the model re-stamped to what this onnxruntime loads, see
:func:`session_model`), the assignment info says whether WebNN took any node, and every
data set runs. A case where WebNN takes a node must match the expected outputs within the
case's rtol/atol. Outcomes are counted (printed at the end of the run by tests/conftest.py):

- "taken, passed" / "taken, failed": WebNN took at least one node;
- "left to CPU": WebNN took nothing (the session is the CPU EP alone); that must agree with
  the translator: a case whose every node the translator takes (partition_report on the
  stored model) but the EP leaves entirely to the CPU EP fails (ORT shows the EP the graph
  differently, e.g. with schema-default attributes filled in);
- "ORT cannot run it": the plain CPU session also fails to load or run the case (newer IR or
  opset than this onnxruntime, types its Python API cannot feed, ops it lacks): not ours.

The translator-level run of the same cases is tests/providers/onnx/test_onnx_node_cases.py.
"""

from __future__ import annotations

import functools

import numpy as np
import onnx
import onnx.defs
import onnxruntime as ort
import pytest
from onnx import helper

from tests.providers.onnx.node_cases import as_array, assert_outputs_match, node_cases, record
from tests.providers.onnxruntime._ort_models import EP

SUITE = "onnx node cases (ORT session, WebNN EP openvino)"
PROVIDERS = [(EP, {"backend": "openvino"}), "CPUExecutionProvider"]

#: cases that fail through the EP because of a bug in providers/ or webnn_core/, name ->
#: reason (strict xfail: a fix makes them XPASS, i.e. fail, so the entry must go). Fixed so
#: far: OpenVINO ReduceMax of only -inf, RNN schema-default activations, SequenceMap bodies.
KNOWN_FAILURES: dict[str, str] = {}


def _loads(ir_version: int, opset: int) -> bool:
    graph = helper.make_graph([helper.make_node("Identity", ["x"], ["y"])], "probe",
                              [helper.make_tensor_value_info("x", onnx.TensorProto.FLOAT, [1])],
                              [helper.make_tensor_value_info("y", onnx.TensorProto.FLOAT, [1])])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)],
                              ir_version=ir_version)
    try:
        ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])
    except Exception:  # noqa: BLE001 - any load error means "too new"
        return False
    return True


@functools.cache
def ort_limits() -> tuple[int, int]:
    """(highest IR version, highest ai.onnx opset) this onnxruntime loads (it refuses
    opsets newer than its last released one; onnx may ship cases stamped with newer)."""
    ir = next(v for v in range(onnx.IR_VERSION, 3, -1) if _loads(v, 13))
    opset = next(v for v in range(onnx.defs.onnx_opset_version(), 6, -1) if _loads(ir, v))
    return ir, opset


def _nodes(graph: onnx.GraphProto):
    for node in graph.node:
        yield node
        for attribute in node.attribute:
            if attribute.HasField("g"):
                yield from _nodes(attribute.g)
            for sub in attribute.graphs:
                yield from _nodes(sub)


def _restamp_opset(model: onnx.ModelProto, target: int) -> None:
    """Lower the ai.onnx opset import to ``target`` when that changes no node's schema (every
    ai.onnx node resolves to the same since_version), i.e. when it is only a re-stamp."""
    imports = [o for o in model.opset_import if o.domain in ("", "ai.onnx")]
    if not imports or imports[0].version <= target or model.functions:
        return
    version = imports[0].version
    for node in _nodes(model.graph):
        if node.domain not in ("", "ai.onnx"):
            continue
        try:
            newest = onnx.defs.get_schema(node.op_type, version, node.domain).since_version
        except onnx.defs.SchemaError:
            return
        if newest > target:
            return
    imports[0].version = target


def session_model(model: onnx.ModelProto) -> bytes:
    """The case's model as this onnxruntime loads it: the IR version capped at the highest
    it supports (the cases need nothing newer than the types they use), and the opset
    re-stamped down when no node's schema changes."""
    max_ir, max_opset = ort_limits()
    copy = onnx.ModelProto()
    copy.CopyFrom(model)
    copy.ir_version = min(copy.ir_version, max_ir)
    _restamp_opset(copy, max_opset)
    return copy.SerializeToString()


def _feed(type_proto: onnx.TypeProto, value: object) -> object:
    """A data-set entry as onnxruntime's Python API takes it (sequences as lists)."""
    kind = type_proto.WhichOneof("value")
    if kind == "sequence_type":
        return [_feed(type_proto.sequence_type.elem_type, v) for v in value]
    if kind == "optional_type":
        return None if value is None else _feed(type_proto.optional_type.elem_type, value)
    return as_array(value)


def _flat(values: list) -> list:
    out = []
    for value in values:
        if isinstance(value, list):
            out.extend(_flat(value))
        else:
            out.append(value)
    return out


def _compare(case, got: list, expected: list) -> None:
    got, expected = _flat(got), [as_array(e) if e is not None else None
                                 for e in _flat(expected)]
    assert len(got) == len(expected), f"{case.name}: {len(got)} outputs, {len(expected)} expected"
    numeric_got, numeric_want = [], []
    for i, (have, want) in enumerate(zip(got, expected, strict=True)):
        if want is None or have is None:
            assert have is None and want is None, f"{case.name} output {i}: optional mismatch"
        elif np.asarray(want).dtype.kind in "UOS":
            assert np.asarray(have).tolist() == np.asarray(want).tolist(), \
                f"{case.name} output {i}: strings differ"
        else:
            numeric_got.append(have)
            numeric_want.append(want)
    assert_outputs_match(case, numeric_got, numeric_want, case.name)


def _session_options() -> ort.SessionOptions:
    so = ort.SessionOptions()
    so.log_severity_level = 3
    so.add_session_config_entry("session.record_ep_graph_assignment_info", "1")
    return so


def _cpu_fails(data: bytes, runs: list[dict]) -> bool:
    """Whether the plain CPU session fails to load or run the case."""
    try:
        session = ort.InferenceSession(data, _session_options(),
                                       providers=["CPUExecutionProvider"])
        for feeds in runs:
            session.run(None, feeds)
    except Exception:  # noqa: BLE001 - whatever ORT or its Python API raises
        return True
    return False


def _assert_translator_agrees(webnn_ort, case, session) -> None:
    """A case the EP left entirely to the CPU EP is not one the translator takes whole."""
    if not any(s.get_nodes() for s in session.get_provider_graph_assignment_info()):
        return  # ORT folded the graph away: nothing was left to anyone
    try:
        report = webnn_ort.partition_report(case.model, backend="openvino")
    except Exception:  # noqa: BLE001 - models the translator cannot read (sequences, ...)
        return
    assert not (report.nodes and report.num_supported == len(report.nodes)), (
        f"{case.name}: the translator takes all {len(report.nodes)} node(s) of the model as "
        "stored, the EP none in the ORT session")


def _params() -> list:
    out = []
    for case in node_cases():
        reason = KNOWN_FAILURES.get(case.name)
        marks = [pytest.mark.xfail(strict=True, reason=reason)] if reason else []
        out.append(pytest.param(case, id=case.name, marks=marks))
    return out


@pytest.mark.parametrize("case", _params())
def test_node_case(webnn_ort, case):
    data = session_model(case.model)
    initializers = {t.name for t in case.model.graph.initializer}
    graph_inputs = [i for i in case.model.graph.input if i.name not in initializers]
    try:
        runs = [{i.name: _feed(i.type, v) for i, v in zip(graph_inputs, inputs, strict=False)}
                for inputs, _ in case.data_sets]
    except (ValueError, TypeError):  # a data set ORT's Python API cannot take
        record(SUITE, "ORT cannot run it")
        return
    try:
        session = ort.InferenceSession(data, _session_options(), providers=PROVIDERS,
                                       enable_fallback=0)
    except Exception:
        if _cpu_fails(data, runs):
            record(SUITE, "ORT cannot run it")
            return
        record(SUITE, "taken, failed")
        raise
    taken = any(s.ep_name == EP for s in session.get_provider_graph_assignment_info())
    if not taken:
        # the session is the CPU EP alone: run it only to tell "ORT cannot" apart
        try:
            for feeds in runs:
                session.run(None, feeds)
        except Exception:  # noqa: BLE001
            record(SUITE, "ORT cannot run it")
            return
        record(SUITE, "left to CPU")
        _assert_translator_agrees(webnn_ort, case, session)
        return
    for feeds, (_, expected) in zip(runs, case.data_sets, strict=True):
        try:
            got = session.run(None, feeds)
        except Exception:
            if _cpu_fails(data, runs):
                record(SUITE, "ORT cannot run it")
                return
            record(SUITE, "taken, failed")
            raise
        try:
            _compare(case, got, list(expected))
        except AssertionError:
            record(SUITE, "taken, failed")
            raise
    record(SUITE, "taken, passed")
