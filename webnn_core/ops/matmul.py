"""Builder methods: matmul, gemm."""

from __future__ import annotations


class MatmulOps:
    """Mixin of MLGraphBuilder (to be filled: matmul, gemm)."""
