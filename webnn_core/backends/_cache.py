"""The backends' in-memory cache of compiled graphs, keyed so that a first build never hashes
weights.

A graph's full fingerprint hashes every constant byte (ResNet-50: about 100 MB), a
cost a first build would pay for nothing. So the cache is keyed in two levels: the cheap
:meth:`~webnn_core.graph.MLGraph.structure_key` (topology, options, descriptors) with the
device and configuration finds the candidates, and only when there are some are the
constants' digests compared (:meth:`~webnn_core.graph.MLGraph.constants_digest`, computed
then, for the new graph and once for each candidate).

A later graph equal to one already gone must still find its entry, so an entry needs its
constants' digest after its graph is gone. Where the compiled form shares the graph's
arrays anyway (OpenVINO's ``ov.Model``), the entry keeps the arrays and hashes them when a
candidate is first compared; where it does not (XLA copies constants into the executable or
to the device), keeping them would hold a second copy of every weight for the cache's
lifetime, so the entry hashes them when its graph is collected instead, unless a comparison
needed the digest earlier.
"""

from __future__ import annotations

import threading
import weakref
from collections import OrderedDict
from collections.abc import Hashable
from typing import Any

import numpy as np

from ..graph import MLGraph, constants_digest


class _Entry:
    """One compiled model and what identifies its graph's constants."""

    __slots__ = ("compiled", "constants", "order", "digest", "graph", "__weakref__")

    def __init__(self, graph: MLGraph, compiled: Any, keeps_constants: bool) -> None:
        self.compiled = compiled
        self.order = graph._structure()[1]
        self.digest: str | None = graph._constants_digest
        self.constants: dict[int, np.ndarray] | None = None
        self.graph: weakref.ref[MLGraph] | None = None
        if self.digest is not None:
            return
        if keeps_constants:
            self.constants = graph.constants
        else:
            self.graph = weakref.ref(graph)
            settle = weakref.finalize(graph, _settle, weakref.ref(self), graph.constants,
                                      self.order)
            settle.atexit = False

    def matches(self, digest: str) -> bool:
        if self.digest is None:
            graph = self.graph() if self.graph is not None else None
            if graph is not None:
                self.digest = graph.constants_digest()
            elif self.constants is not None:
                self.digest = constants_digest(self.constants, self.order)
                self.constants = None  # the compiled model keeps what it needs
            else:
                return False
        return self.digest == digest


def _settle(entry_ref: weakref.ref[_Entry], constants: dict[int, np.ndarray],
            order: list[int]) -> None:
    """Its graph is being collected: the entry (if still cached) takes the digest now."""
    entry = entry_ref()
    if entry is not None and entry.digest is None:
        entry.digest = constants_digest(constants, order)


class CompiledCache:
    """Compiled models by (structure key, device, configuration) and constants digest;
    least recently used first, at most ``max_entries`` models. ``keeps_constants``: the
    compiled form shares the graph's arrays, so entries may keep them (see the module
    doc)."""

    def __init__(self, max_entries: int, keeps_constants: bool = True) -> None:
        self.max_entries = max_entries
        self.keeps_constants = keeps_constants
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
            self._buckets.setdefault(key, []).append(
                _Entry(graph, compiled, self.keeps_constants))
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
