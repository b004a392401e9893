"""Models for tests and benchmarks, built in Python from seeded weights (no downloads).

- :mod:`.tflite_writer`: ``.tflite`` flatbuffers assembled with the schema ``ai-edge-litert``
  ships, and the interpreter to run them;
- :mod:`.tflite_models`: MobileNetV2 and a tiny CNN, float32 and full-integer int8, and the
  TFLite benchmark's model set (those plus the real models in ``../shared/models/tflite``);
- :mod:`.onnx_models`: the light CNNs of the ``onnx`` wheel with seeded random weights, and
  the real models in ``../shared/models/onnx``;
- :mod:`.networks`: ResNets described once and emitted as WebNN builder calls or as ONNX.

Importing this package imports none of them (nor OpenVINO or a host framework): each module
imports only what it builds with.
"""

from __future__ import annotations

from pathlib import Path

#: the real models: read-only data next to the repository (``../shared/models``), used where
#: present
SHARED_MODELS = Path(__file__).resolve().parents[2].parent / "shared" / "models"
