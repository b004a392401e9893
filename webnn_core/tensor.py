"""MLTensor (webnn-spec §api-mltensor): a buffer owned by a context, used with dispatch()."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from .errors import InvalidStateError
from .types import MLOperandDescriptor

if TYPE_CHECKING:
    from .context import MLContext


class MLTensor:
    """A device buffer of a context. Here the buffer is a host numpy array (both backends
    run on host memory); OpenVINO reads and writes it in place during ``dispatch``."""

    def __init__(self, context: MLContext, descriptor: MLOperandDescriptor, *,
                 readable: bool = False, writable: bool = False, constant: bool = False) -> None:
        self._context = context
        self._descriptor = descriptor
        self._readable = readable
        self._writable = writable
        self._constant = constant
        self._destroyed = False
        self._array = np.zeros(descriptor.shape, dtype=descriptor.numpy_dtype)

    @property
    def context(self) -> MLContext:
        return self._context

    @property
    def descriptor(self) -> MLOperandDescriptor:
        return self._descriptor

    @property
    def data_type(self) -> str:
        return self._descriptor.data_type

    @property
    def shape(self) -> tuple[int, ...]:
        return self._descriptor.shape

    @property
    def readable(self) -> bool:
        return self._readable

    @property
    def writable(self) -> bool:
        return self._writable

    @property
    def constant(self) -> bool:
        return self._constant

    @property
    def is_destroyed(self) -> bool:
        return self._destroyed

    def destroy(self) -> None:
        """Release the buffer; later use raises."""
        self._destroyed = True
        self._array = None  # type: ignore[assignment]

    # internal: the buffer, for the context and backends
    def read_array(self) -> np.ndarray:
        self._check_alive()
        return self._array

    def _check_alive(self) -> None:
        if self._destroyed:
            raise InvalidStateError("the MLTensor has been destroyed")

    def __repr__(self) -> str:
        return f"MLTensor({self.data_type}, {list(self.shape)})"
