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


class UnknownError(WebNNError):
    """WebIDL's "UnknownError": the operation failed for an unknown transient reason (e.g.
    out of memory); the spec's createTensor/createConstantTensor allocation failure."""


class OutOfMemoryError(UnknownError, OperationError, MemoryError):
    """The platform ran out of memory (OpenVINO's ``std::bad_alloc``, Python's
    ``MemoryError``) while building, computing, dispatching or allocating a tensor. An
    ``UnknownError`` as WebIDL names out-of-memory, an :class:`OperationError` as the spec
    names a failed build, and a ``MemoryError``, so either ``except`` catches it; the
    message names the operation (``build``, ``compute``, ``dispatch``, ``create_tensor``)."""


def is_out_of_memory(exc: BaseException) -> bool:
    """Whether a platform error is an allocation failure."""
    return isinstance(exc, MemoryError) or "bad_alloc" in str(exc)


class DataError(WebNNError, ValueError):
    """Data does not match a descriptor (e.g. a tensor write of the wrong size)."""
