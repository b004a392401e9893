"""Builder methods: average_pool2d, l2_pool2d, max_pool2d."""

from __future__ import annotations


class PoolingOps:
    """Mixin of MLGraphBuilder (to be filled: average_pool2d, l2_pool2d, max_pool2d)."""
