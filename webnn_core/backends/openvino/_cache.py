"""The in-memory cache of compiled models, keyed so that a first build never hashes weights.

A graph's full fingerprint hashes every constant byte (ResNet-50: about 100 MB), a
cost a first build would pay for nothing. So the cache is keyed in two levels: the cheap
:meth:`~webnn_core.graph.MLGraph.structure_key` (topology, options, descriptors) with the
device and configuration finds the candidates, and only when there are some are the
constants' digests compared (:meth:`~webnn_core.graph.MLGraph.constants_digest`, computed
then, for the new graph and once for each candidate). An entry keeps the constants of the
graph it was compiled from (the arrays the compiled model shares anyway, see
``translate``), so a later graph equal to one already gone is still recognised.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Hashable
from typing import Any

import numpy as np

from ...graph import MLGraph, constants_digest


class _Entry:
    """One compiled model and what identifies its graph's constants."""

    __slots__ = ("compiled", "constants", "order", "digest")

    def __init__(self, graph: MLGraph, compiled: Any) -> None:
        self.compiled = compiled
        self.constants: dict[int, np.ndarray] | None = graph.constants
        self.order = graph._structure()[1]
        self.digest: str | None = graph._constants_digest

    def matches(self, digest: str) -> bool:
        if self.digest is None:
            self.digest = constants_digest(self.constants or {}, self.order)
            self.constants = None  # the compiled model keeps what it needs
        return self.digest == digest


class CompiledCache:
    """Compiled models by (structure key, device, configuration) and constants digest;
    least recently used first, at most ``max_entries`` models (see the module doc)."""

    def __init__(self, max_entries: int) -> None:
        self.max_entries = max_entries
        self._buckets: OrderedDict[Hashable, list[_Entry]] = OrderedDict()
        self._size = 0
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return self._size

    def get(self, key: Hashable, graph: MLGraph) -> Any | None:
        """The model compiled for a graph equal to ``graph`` (same ``key``, which holds its
        structure key), or None."""
        with self._lock:
            bucket = self._buckets.get(key)
            if not bucket:
                return None
            self._buckets.move_to_end(key)
            candidates = list(bucket)
        digest = graph.constants_digest()  # outside the lock: it reads every weight
        for entry in candidates:
            if entry.matches(digest):
                return entry.compiled
        return None

    def put(self, key: Hashable, graph: MLGraph, compiled: Any) -> None:
        with self._lock:
            self._buckets.setdefault(key, []).append(_Entry(graph, compiled))
            self._buckets.move_to_end(key)
            self._size += 1
            while self._size > self.max_entries:
                oldest = next(iter(self._buckets))
                bucket = self._buckets[oldest]
                bucket.pop(0)
                self._size -= 1
                if not bucket:
                    del self._buckets[oldest]

    def clear(self) -> None:
        with self._lock:
            self._buckets.clear()
            self._size = 0
