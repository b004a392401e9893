"""Builder methods: conv2d, conv_transpose2d."""

from __future__ import annotations


class ConvolutionOps:
    """Mixin of MLGraphBuilder (to be filled: conv2d, conv_transpose2d)."""
