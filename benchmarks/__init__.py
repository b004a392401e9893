"""Benchmarks of webnn_core against OpenVINO reading the same network from an ONNX file.

Run ``python -m benchmarks.core_benchmark --help``. Not part of the test suite: timings are
measured here, never asserted (tests/test_benchmark_smoke.py only checks structure and parity).
"""
