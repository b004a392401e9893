"""WPT WebNN conformance vectors on both backends (one pytest case per backend and case).

Each case of ``shared/conformance/wpt/<op>.json`` (and of ``tests/core/wpt_extra/``, newer
WPT files transcribed in the same format) is built the way WPT's
``buildAndExecuteGraph`` (``webnn/resources/utils.js``) builds it: graph inputs marked
``constant`` become ``builder.constant(descriptor, data)``, the others ``builder.input``;
operator arguments are positional in order, the ``options`` object becomes keyword
arguments (snake_case) whose string values naming an operand resolve to that operand;
operators chain through their output names. The outputs are checked like WPT's
``assertResultsEquals`` with WPT's per-operator tolerances (tests/core/wpt_tolerances.py).

Skips: conversion losses (by name, with the reason), and WPT "optional" cases - a case the
context's opSupportLimits() rejects and that is outside the spec's required data types and
ranks (WPT ``webnn_conformance_test`` runs a case only if
``validateContextSupportsGraph(...) || isMinimumTest(...)``). Operators the backend does
not implement at all are failures, not skips.

Select with ``-k``: ids are ``<backend>::<op file>::<case name>``.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import webnn_core as webnn
from tests.core.wpt_loader import (
    WptCase,
    decode_array,
    decode_expected,
    load_cases,
    load_required_limits,
    method_name,
    option_name,
    required_limits_for,
    wpt_dir,
)
from tests.core.wpt_tolerances import compare, graph_tolerance
from tests.helpers import OP_BACKENDS, context

_DIR = wpt_dir()
#: newer WPT files the shared vectors lack, transcribed in the same format (each file names
#: its WPT source); run with the shared ones
EXTRA_DIR = Path(__file__).with_name("wpt_extra")
_CASES: list[WptCase] = (load_cases(_DIR) + load_cases(EXTRA_DIR)) if _DIR.is_dir() else []
_REQUIRED = load_required_limits()
_BIGINT = re.compile(r"[+-]?\d+n")


#: cases a backend is known to miss (README "Known differences"), as strict xfails so a fix
#: shows: test id -> why
KNOWN_DIFFERENCES = {
    "openvino::dequantize_linear::dequantizeLinear with float32 3D scale as an intermediate "
    "node": "int32 input: OpenVINO folds (x - zeroPoint) * scale with constant parameters "
            "into one fused multiply-add (2 ULP; exact for 8-bit inputs)",
}


def _params() -> list[Any]:
    if not _CASES:
        reason = (f"WPT vectors not found at {_DIR} (set WEBNN_WPT_DIR to the folder of "
                  f"<op>.json files)")
        return [pytest.param(None, None, marks=pytest.mark.skip(reason=reason), id="no-wpt")]
    params = []
    for backend in OP_BACKENDS:
        for case in _CASES:
            case_id = f"{backend}::{case.case_id}"
            known = KNOWN_DIFFERENCES.get(case_id)
            marks = [pytest.mark.xfail(strict=True, reason=known)] if known else []
            params.append(pytest.param(backend, case, id=case_id, marks=marks))
    return params


# -- graph construction ----------------------------------------------------------------------
class _GraphBuilder:
    """Builds one WPT graph (buildAndExecuteGraph) with a WebNN builder."""

    def __init__(self, builder: webnn.MLGraphBuilder, graph: Mapping[str, Any]) -> None:
        self.builder = builder
        self.graph = graph
        self.operands: dict[str, webnn.MLOperand] = {}
        self.feeds: dict[str, np.ndarray] = {}

    def _graph_input(self, name: str) -> webnn.MLOperand:
        if name not in self.operands:
            spec = self.graph["inputs"][name]
            desc = spec["descriptor"]
            data = decode_array(spec["data"], desc["dataType"], list(desc["shape"]))
            descriptor = webnn.MLOperandDescriptor(desc["dataType"], desc["shape"])
            if spec.get("constant"):
                self.operands[name] = self.builder.constant(descriptor, data)
            else:
                self.operands[name] = self.builder.input(name, descriptor)
                self.feeds[name] = data
        return self.operands[name]

    def resolve(self, value: Any) -> Any:
        """An operand for a string naming a graph input or an earlier output, an int for a
        BigInt literal ``"123n"``; lists element-wise (concat's inputs); anything else
        unchanged."""
        if isinstance(value, str):
            if value in self.graph["inputs"]:
                return self._graph_input(value)
            if value in self.operands:
                return self.operands[value]
            if _BIGINT.fullmatch(value):  # a JavaScript BigInt literal (an MLNumber)
                return int(value[:-1])
            return value
        if isinstance(value, list):
            return [self.resolve(v) for v in value]
        return value

    def run_operator(self, op: Mapping[str, Any]) -> None:
        method = method_name(op["name"])
        fn = getattr(self.builder, method, None)
        if fn is None:
            pytest.fail(f"MLGraphBuilder has no method {method!r} (WebNN {op['name']}): "
                        f"operator not implemented")
        args: list[Any] = []
        kwargs: dict[str, Any] = {}
        for argument in op["arguments"]:
            ((key, value),) = argument.items()
            if key == "options":
                kwargs = {option_name(k): self.resolve(v) for k, v in value.items()}
            else:
                args.append(self.resolve(value))
        result = fn(*args, **kwargs)
        outputs = op["outputs"]
        if isinstance(outputs, str):
            self.operands[outputs] = result
        else:
            assert len(result) == len(outputs), (f"{op['name']} returned {len(result)} "
                                                 f"operands, WPT expects {len(outputs)}")
            self.operands.update(zip(outputs, result, strict=True))

    def shapes(self) -> dict[str, tuple[int, ...]]:
        """Shapes of the graph inputs and every intermediate operand (for tolerances)."""
        out = {name: tuple(spec["descriptor"]["shape"])
               for name, spec in self.graph["inputs"].items()}
        out.update({name: tuple(operand.shape) for name, operand in self.operands.items()})
        return out


# -- WPT optional cases ----------------------------------------------------------------------
def _operand_descs(case: WptCase) -> list[tuple[str, str, str, int]]:
    """(operator, operand key, data type, rank) of every graph input used directly and of
    every expected output, as WPT's validateContextSupportsGraph checks them."""
    graph = case.graph
    found = []
    for op in graph["operators"]:
        for argument in op["arguments"]:
            ((key, value),) = argument.items()
            items = value.items() if key == "options" else [(key, value)]
            for item_key, item in items:
                for name in item if isinstance(item, list) else [item]:
                    if isinstance(name, str) and name in graph["inputs"]:
                        desc = graph["inputs"][name]["descriptor"]
                        found.append((op["name"], option_name(item_key), desc["dataType"],
                                      len(desc["shape"])))
        outputs = op["outputs"]
        out_key = "output" if isinstance(outputs, str) else "outputs"
        for name in [outputs] if isinstance(outputs, str) else outputs:
            if name in graph["expectedOutputs"]:
                desc = graph["expectedOutputs"][name]["descriptor"]
                found.append((op["name"], out_key, desc["dataType"], len(desc["shape"])))
    return found


def _unsupported(ctx: webnn.MLContext, case: WptCase) -> str | None:
    """Why the context's opSupportLimits() rejects the case, None when it accepts it or
    when it does not implement an operator at all (that is a failure, not a skip)."""
    limits = ctx.op_support_limits()
    for op, key, data_type, rank in _operand_descs(case):
        table = limits.get(method_name(op))
        if table is None:
            return None
        entry = table.get(key)
        if entry is None:
            continue
        ranks = entry["rank_range"]
        if data_type not in entry["data_types"] or not ranks["min"] <= rank <= ranks["max"]:
            return (f"{op} {key} {data_type} rank {rank} not in opSupportLimits "
                    f"({', '.join(entry['data_types'])}; ranks {ranks['min']}..{ranks['max']})")
    return None


def _is_required(case: WptCase) -> bool:
    """WPT isMinimumTest: every operand within the spec's required data types and ranks."""
    for op, key, data_type, rank in _operand_descs(case):
        table = required_limits_for(op, _REQUIRED)
        entry = table.get(key)
        if entry is None:
            return False
        types, ranks = entry
        if data_type not in types or ranks is None or not ranks[0] <= rank <= ranks[1]:
            return False
    return True


# -- the test --------------------------------------------------------------------------------
@pytest.mark.parametrize(("backend", "case"), _params())
def test_wpt(backend: str, case: WptCase) -> None:
    if case.problem:
        pytest.skip(f"conversion loss: {case.problem}")
    ctx = context(backend)
    unsupported = _unsupported(ctx, case)
    if unsupported and not _is_required(case):
        pytest.skip(f"WPT optional case: {unsupported}")

    graph = case.graph
    builder = webnn.MLGraphBuilder(ctx)
    g = _GraphBuilder(builder, graph)
    for op in graph["operators"]:
        g.run_operator(op)

    expected = {name: decode_expected(spec) for name, spec in graph["expectedOutputs"].items()}
    named = {}
    for name, exp in expected.items():
        operand = g.operands[name]
        assert operand.data_type == exp.data_type, (
            f"{name}: output data type {operand.data_type}, WPT expects {exp.data_type}")
        assert tuple(operand.shape) == exp.shape, (
            f"{name}: output shape {list(operand.shape)}, WPT expects {list(exp.shape)}")
        named[name] = operand
    tolerance = graph_tolerance(graph, g.shapes())

    mlgraph = builder.build(named)
    results = ctx.compute(mlgraph, g.feeds)

    problems = []
    for name, exp in expected.items():
        actual = np.asarray(results[name])
        assert actual.dtype == np.dtype(exp.data_type), (
            f"{name}: result dtype {actual.dtype}, expected {exp.data_type}")
        assert actual.size == math.prod(exp.shape), f"{name}: result size {actual.size}"
        message = compare(actual, exp, tolerance)
        if message:
            problems.append(f"{name}: {message}")
    assert not problems, "; ".join(problems)
