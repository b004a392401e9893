"""Builder methods: resample2d."""

from __future__ import annotations


class ResampleOps:
    """Mixin of MLGraphBuilder (to be filled: resample2d)."""
