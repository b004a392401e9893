"""Benchmarks: WebNN in each framework against the framework's default path and against
OpenVINO reading the same model file.

- ``python -m benchmarks`` (:mod:`.cli`): every framework, three runtimes per model;
- deep dives: ``python -m benchmarks.ort_benchmark``, ``benchmarks.tflite_benchmark`` and
  ``benchmarks.core_benchmark`` (the core alone: a ResNet built with the WebNN builder).

All of them are views (arguments, calls, their report) over one library, :mod:`.frameworks`:
the runtimes of each framework, OpenVINO reading model files, parity, timing and results. The
models come from :mod:`webnn_providers.testing`. Not part of the test suite: timings are
measured here, never asserted (the benchmarks' tests check structure and parity only).
"""
