"""Builder methods: batch_normalization, instance_normalization, layer_normalization."""

from __future__ import annotations


class NormalizationOps:
    """Mixin of MLGraphBuilder (to be filled: batch_normalization, instance_normalization, layer_normalization)."""
