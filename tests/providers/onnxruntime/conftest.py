"""Fixtures for the ONNX Runtime EP tests."""

from __future__ import annotations

import pytest

ort = pytest.importorskip("onnxruntime")


@pytest.fixture(scope="session")
def webnn_ort():
    import webnn_providers.onnxruntime as module

    module.register()
    return module
