"""Builder methods: reshape, transpose, expand, tile, concat, split, slice, pad, reverse, triangular."""

from __future__ import annotations


class ShapeOps:
    """Mixin of MLGraphBuilder (to be filled: reshape, transpose, expand, tile, concat, split, slice, pad, reverse, triangular)."""
