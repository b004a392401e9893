"""Builder methods: relu, sigmoid, tanh, elu, gelu, softplus, softsign, hard_sigmoid, hard_swish, leaky_relu, prelu, linear, clamp, softmax."""

from __future__ import annotations


class ActivationOps:
    """Mixin of MLGraphBuilder (to be filled: relu, sigmoid, tanh, elu, gelu, softplus, softsign, hard_sigmoid, hard_swish, leaky_relu, prelu, linear, clamp, softmax)."""
