"""Builder methods: quantize_linear, dequantize_linear, cast."""

from __future__ import annotations


class QuantizationOps:
    """Mixin of MLGraphBuilder (to be filled: quantize_linear, dequantize_linear, cast)."""
