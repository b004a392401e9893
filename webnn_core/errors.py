"""DOMException names the spec throws besides TypeError (WebIDL, webnn-spec §api).

Validation failures of builder calls raise the built-in ``TypeError`` as the spec says; the
classes here cover the other DOMException kinds the spec names.
"""

from __future__ import annotations


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
