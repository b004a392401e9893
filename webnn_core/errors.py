"""DOMException names the spec throws besides TypeError (WebIDL, webnn-spec §api).

Validation failures (the spec's validation steps and WebIDL argument conversion) raise
:class:`ValidationError`, a ``TypeError`` as the spec requires: its own class so that callers
translating models (the providers) can tell "this graph is invalid or unsupported" from a
bug, which raises anything else. The other classes cover the DOMException kinds the spec
names.
"""

from __future__ import annotations


class ValidationError(TypeError):
    """A WebNN call broke one of the spec's rules (the message names the operator and the
    rule); the spec's ``TypeError``."""


class WebNNError(Exception):
    """Base of the DOMException-like errors of this package."""


class InvalidStateError(WebNNError):
    """The object is in the wrong state (e.g. builder already built, graph destroyed)."""


class NotSupportedError(WebNNError):
    """The requested context, backend or device is not available."""


class OperationError(WebNNError):
    """The platform failed to compile or execute a valid graph."""


class DataError(WebNNError, ValueError):
    """Data does not match a descriptor (e.g. a tensor write of the wrong size)."""
