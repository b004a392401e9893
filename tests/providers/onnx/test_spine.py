"""The translator spine shared by ONNX and TFLite (webnn_providers.translation): one
Unsupported, the strict switch (a translator bug fails under strict mode, is logged and
refused in production), the registry's duplicate policy, version ranges and discovery."""

from __future__ import annotations

import importlib
import logging

import numpy as np
import pytest
from onnx import helper
from webnn_providers import onnx as webnn_onnx
from webnn_providers import tflite as webnn_tflite
from webnn_providers.onnx import build_graph, check_node, from_onnx_model
from webnn_providers.tflite.model import FLOAT32, ModelInfo, OpInfo, TensorInfo
from webnn_providers.translation import (
    STRICT_ENV,
    DuplicateTranslator,
    OpEntry,
    Registry,
    Unsupported,
    is_strict,
    set_strict,
)

import webnn_core as webnn
from tests.helpers import context
from tests.providers.onnx.helpers import make_model

# the modules (the packages' ``translator`` attribute is the registering decorator)
onnx_translator = importlib.import_module("webnn_providers.onnx.translator")
tflite_translator = importlib.import_module("webnn_providers.tflite.translator")


# -- translators that fail in each way --------------------------------------------------------
def _bug(view: object) -> list:
    return [{}["missing"]]  # KeyError: a bug inside a translator


def _invalid(view: object) -> list:
    raise webnn.ValidationError("add: the shapes are not broadcastable")


def _refusal(view: object) -> list:
    raise Unsupported("not today", "attribute")


_FAILURES = {"bug": _bug, "validation": _invalid, "unsupported": _refusal}


@pytest.fixture
def production(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(STRICT_ENV, "0")


@pytest.fixture
def strict(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(STRICT_ENV, "1")


def test_one_unsupported_class() -> None:
    """Both translators' Unsupported is the spine's (their old names re-export it)."""
    assert webnn_onnx.Unsupported is Unsupported
    assert onnx_translator.Unsupported is Unsupported
    assert tflite_translator.Unsupported is Unsupported
    assert webnn_onnx.TranslatedGraph is tflite_translator.TranslatedGraph
    assert webnn_onnx.Verdict is tflite_translator.Verdict


def test_strict_switch(monkeypatch: pytest.MonkeyPatch) -> None:
    """The environment variable turns strict mode on; set_strict overrides it."""
    monkeypatch.setenv(STRICT_ENV, "1")
    assert is_strict()
    monkeypatch.setenv(STRICT_ENV, "0")
    assert not is_strict()
    previous = set_strict(True)
    try:
        assert is_strict()
    finally:
        set_strict(previous)
    assert not is_strict()


# -- ONNX --------------------------------------------------------------------------------------
def _onnx_add(monkeypatch: pytest.MonkeyPatch, failure: str):
    """A one-Add graph whose Add translator fails as ``failure``."""
    onnx_translator.REGISTRY.load()
    monkeypatch.setitem(onnx_translator.REGISTRY.table, ("", "Add"),
                        [OpEntry(_FAILURES[failure])])
    x = np.zeros((2, 3), np.float32)
    model = make_model([helper.make_node("Add", ["x", "x"], ["y"], name="add")], {"x": x},
                       ["y"])
    return from_onnx_model(model)


@pytest.mark.usefixtures("strict")
def test_onnx_bug_raises_in_strict_mode(monkeypatch: pytest.MonkeyPatch) -> None:
    graph = _onnx_add(monkeypatch, "bug")
    with pytest.raises(KeyError, match="missing"):
        check_node(context("reference"), graph, 0)
    with pytest.raises(KeyError, match="missing"):
        build_graph(context("reference"), graph, [0])


@pytest.mark.usefixtures("production")
def test_onnx_bug_logged_and_refused_in_production(monkeypatch: pytest.MonkeyPatch,
                                                   caplog: pytest.LogCaptureFixture) -> None:
    graph = _onnx_add(monkeypatch, "bug")
    with caplog.at_level(logging.WARNING, logger="webnn"):
        verdict = check_node(context("reference"), graph, 0)
    assert not verdict.supported and verdict.kind == "bug"
    assert "KeyError" in verdict.reason and "Add 'add'" in verdict.reason
    (record,) = [r for r in caplog.records if r.name == "webnn"]
    assert record.levelno == logging.WARNING and "Add 'add'" in record.getMessage()
    assert record.exc_info is not None and record.exc_info[0] is KeyError
    with pytest.raises(Unsupported) as refused:
        build_graph(context("reference"), graph, [0])
    assert refused.value.kind == "bug"


@pytest.mark.parametrize("mode", ["strict", "production"])
@pytest.mark.parametrize(("failure", "kind"), [("validation", "webnn"),
                                               ("unsupported", "attribute")])
def test_onnx_refusals_are_quiet(monkeypatch: pytest.MonkeyPatch,
                                 caplog: pytest.LogCaptureFixture, mode: str, failure: str,
                                 kind: str) -> None:
    """ValidationError and Unsupported refuse the node in both modes, logging nothing."""
    monkeypatch.setenv(STRICT_ENV, "1" if mode == "strict" else "0")
    graph = _onnx_add(monkeypatch, failure)
    with caplog.at_level(logging.DEBUG, logger="webnn"):
        verdict = check_node(context("reference"), graph, 0)
    assert not verdict.supported and verdict.kind == kind
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]


# -- TFLite ------------------------------------------------------------------------------------
def _tflite_add(monkeypatch: pytest.MonkeyPatch, failure: str) -> ModelInfo:
    """A one-ADD model whose ADD translator fails as ``failure``."""
    tflite_translator.REGISTRY.load()
    monkeypatch.setitem(tflite_translator.REGISTRY.table, ("", "ADD"),
                        [OpEntry(_FAILURES[failure])])
    tensors = {k: TensorInfo(k, f"t{k}", FLOAT32, (2, 3)) for k in range(3)}
    return ModelInfo([OpInfo(0, "ADD", 1, (0, 1), (2,), options={})], tensors)


@pytest.mark.usefixtures("strict")
def test_tflite_bug_raises_in_strict_mode(monkeypatch: pytest.MonkeyPatch) -> None:
    model = _tflite_add(monkeypatch, "bug")
    with pytest.raises(KeyError, match="missing"):
        tflite_translator.check_op(context("reference"), model, 0)
    with pytest.raises(KeyError, match="missing"):
        tflite_translator.build_graph(context("reference"), model, [0], [2])


@pytest.mark.usefixtures("production")
def test_tflite_bug_logged_and_refused_in_production(monkeypatch: pytest.MonkeyPatch,
                                                     caplog: pytest.LogCaptureFixture) -> None:
    model = _tflite_add(monkeypatch, "bug")
    with caplog.at_level(logging.WARNING, logger="webnn"):
        verdict = tflite_translator.check_op(context("reference"), model, 0)
    assert not verdict.supported and verdict.kind == "bug"
    assert "KeyError" in verdict.reason and "ADD #0" in verdict.reason
    (record,) = [r for r in caplog.records if r.name == "webnn"]
    assert record.levelno == logging.WARNING and "ADD #0" in record.getMessage()
    assert record.exc_info is not None and record.exc_info[0] is KeyError
    with pytest.raises(Unsupported) as refused:
        tflite_translator.build_graph(context("reference"), model, [0], [2])
    assert refused.value.kind == "bug"


@pytest.mark.parametrize("mode", ["strict", "production"])
@pytest.mark.parametrize(("failure", "kind"), [("validation", "webnn"),
                                               ("unsupported", "attribute")])
def test_tflite_refusals_are_quiet(monkeypatch: pytest.MonkeyPatch,
                                   caplog: pytest.LogCaptureFixture, mode: str, failure: str,
                                   kind: str) -> None:
    monkeypatch.setenv(STRICT_ENV, "1" if mode == "strict" else "0")
    model = _tflite_add(monkeypatch, failure)
    with caplog.at_level(logging.DEBUG, logger="webnn"):
        verdict = tflite_translator.check_op(context("reference"), model, 0)
    assert not verdict.supported and verdict.kind == kind
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]


# -- the registry --------------------------------------------------------------------------
def _emit(view: object) -> list:
    return []


def test_registry_rejects_overlapping_versions() -> None:
    """Registering the same key at overlapping versions raises, whatever the order;
    adjacent ranges and other domains do not clash."""
    registry = Registry([])
    registry.translator("Op", since=7, until=12)(_emit)
    registry.translator("Op", since=13)(_emit)
    registry.translator("Op", domain="com.example", since=1)(_emit)
    for since, until in ((1, 7), (12, 13), (14, None), (1, None)):
        with pytest.raises(DuplicateTranslator, match="Op at overlapping versions"):
            registry.translator("Op", since=since, until=until)(_emit)


def test_registry_finds_by_version() -> None:
    first, second = (lambda v: []), (lambda v: [])
    registry = Registry([])
    registry.translator("Op", since=7, until=12)(first)
    registry.translator("Op", since=13)(second)
    assert registry.find("", "Op", 9).emit is first
    assert registry.find("", "Op", 21).emit is second
    with pytest.raises(Unsupported, match="Op-6") as opset:
        registry.find("", "Op", 6)
    assert opset.value.kind == "opset"
    with pytest.raises(Unsupported, match="unsupported op Other") as op:
        registry.find("", "Other", 1)
    assert op.value.kind == "op"
    registry.translator("Op", domain="com.example")(first)
    assert registry.names() == ["Op", "com.example:Op"]


def test_discovery_imports_every_ops_module() -> None:
    """Nothing lists the ops modules: the ONNX registry finds the com.microsoft subpackage,
    the TFLite one every family module."""
    onnx_ops = set(webnn_onnx.supported_op_types())
    assert {"com.microsoft:MatMulNBits", "com.microsoft:RotaryEmbedding",
            "com.microsoft:SkipLayerNormalization", "RotaryEmbedding", "ConvInteger", "Mod",
            "LpNormalization", "Swish", "EyeLike", "Acosh", "Attention"} <= onnx_ops
    assert {"CONV_2D", "SHAPE", "RESIZE_BILINEAR", "SPACE_TO_BATCH_ND", "CAST"} <= set(
        webnn_tflite.supported_ops())
