"""MLTensor (webnn-spec §api-mltensor): a buffer owned by a context, used with dispatch()."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from .errors import InvalidStateError
from .types import MLOperandDescriptor

if TYPE_CHECKING:
    from .backends.base import TensorStorage
    from .context import MLContext


class MLTensor:
    """A buffer of a context's device (spec §api-mltensor). Its memory is a
    :class:`~webnn_core.backends.base.TensorStorage` made by the context's backend: host
    numpy memory for OpenVINO and the reference (OpenVINO reads and writes it in place
    during ``dispatch``), device memory for a device backend."""

    def __init__(self, context: MLContext, descriptor: MLOperandDescriptor, *,
                 readable: bool = False, writable: bool = False, constant: bool = False) -> None:
        self._context = context
        self._descriptor = descriptor
        self._readable = readable
        self._writable = writable
        self._constant = constant
        self._destroyed = False
        self._storage: TensorStorage | None = context.backend.create_tensor_storage(descriptor)

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
        """Release the buffer (spec §api-mltensor-destroy); later use raises."""
        self._destroyed = True
        storage, self._storage = self._storage, None
        if storage is not None:
            storage.release()

    @property
    def storage(self) -> TensorStorage:
        """The backend's memory of this tensor, for the context and backends (raises
        InvalidStateError once destroyed)."""
        storage = self._storage
        if storage is None:
            raise InvalidStateError("the MLTensor has been destroyed")
        return storage

    def _host_data(self) -> np.ndarray:
        """The data as a host array: the storage's own array where it has one (no copy),
        else a copy (used to take a constant tensor's data into a graph)."""
        storage = self.storage
        array = storage.host_array()
        return storage.read() if array is None else array

    def __repr__(self) -> str:
        return f"MLTensor({self.data_type}, {list(self.shape)})"
