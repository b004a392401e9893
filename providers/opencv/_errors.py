"""The WebNN backend's own errors (a failing partition raises ._layer.LayerError)."""

from __future__ import annotations


class WebNNBackendError(RuntimeError):
    """The WebNN backend cannot do what was asked (the message says why)."""


class MissingSizes(WebNNBackendError):
    """An input with symbolic dimensions has no size yet (see ._sizes)."""


class BadRank(WebNNBackendError):
    """An input blob of another rank than the model's input."""
