"""Builder methods: gather, gather_elements, gather_nd, scatter_elements, scatter_nd, where."""

from __future__ import annotations


class GatherScatterOps:
    """Mixin of MLGraphBuilder (to be filled: gather, gather_elements, gather_nd, scatter_elements, scatter_nd, where)."""
