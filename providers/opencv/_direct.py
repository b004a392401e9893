"""The direct path of a model WebNN takes whole: ``forward`` runs the compiled partition on
the blobs ``setInput`` stored, without OpenCV's forward pass.

When one partition holds every node, OpenCV's net is a data layer, one Python layer and
identity layers for the outputs: all it would add is its own fixed cost (about 20 us a
call) and three passes over each input (``setInput``'s copy, the data layer's conversion,
the Python bridge's copy), 10-15% of a 2 ms model. The direct path keeps OpenCV's
semantics and costs one pass:

- ``setInput(blob, name, scalefactor, mean)`` snapshots the blob as OpenCV does, applying
  OpenCV's data-layer arithmetic ``blob * scalefactor - mean[c] * scalefactor`` per
  channel ``c`` (one value for every channel when the means are equal), into a buffer
  bound to OpenVINO once;
- ``forward()``, ``forward(name)``, ``forward(names)`` return new arrays shaped as
  OpenCV's own forward returns them (OpenCV 4 shows a 1-D tensor as ``[n, 1]``).

Anything else (a blob that is not float32 of the model input's rank or is 1-D or 3-D,
which cv2 reads as a column or an image with channels; an unknown name; a layer inside the
partition) returns None from :meth:`DirectRunner.forward`, and the net
runs OpenCV's forward instead, which is always correct.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

import numpy as np

from ._layer import Partition


class DirectRunner:
    """Runs ``partition`` (which holds every node of the model) on stored inputs."""

    def __init__(self, partition: Partition, graph_inputs: Sequence[str],
                 layer_values: dict[str, str], last_layer: str, *,
                 scaled_inputs: bool = True) -> None:
        self.partition = partition
        #: OpenCV 4's setInput scales and subtracts means; OpenCV 5's refuses both
        self._scaled_inputs = scaled_inputs
        self._graph_inputs = list(graph_inputs)
        #: OpenCV layer name -> the value its first output is (outputs of the partition)
        self._layer_values = layer_values
        self._last_layer = last_layer
        self._ranks = {name: len(partition.graph.values[name].shape or ())
                       for name in partition.inputs}
        self._inputs: dict[str, np.ndarray | None] = {}
        #: inputs stored here since OpenCV's net last received them (see :meth:`sync`)
        self._pending: set[str] = set()
        self._output_index = {name: k for k, name in enumerate(partition.outputs)}
        #: seconds of the last direct forward (getPerfProfile)
        self.last_seconds: float | None = None

    def set_input(self, blob: Any, name: str = "", scalefactor: float = 1.0,
                  mean: Any = None) -> bool:
        """Store the input as OpenCV's data layer would feed it; False when the direct
        path cannot take it (OpenCV's own setInput must then run)."""
        name = name or (self._graph_inputs[0] if self._graph_inputs else "")
        self._pending.discard(name)
        if name not in self._ranks:
            return False
        # cv2 reads a 1-D array as a column and a 3-D one as an image with channels:
        # those (and other element types) take OpenCV's own path
        if not isinstance(blob, np.ndarray) or blob.dtype != np.float32 or \
                blob.ndim != self._ranks[name] or blob.ndim in (1, 3) or blob.size == 0:
            self._inputs[name] = None
            return False
        means = _means(mean)
        if not self._scaled_inputs and (means is None or any(means) or
                                        float(scalefactor) != 1.0):
            self._inputs[name] = None  # OpenCV 5 refuses them: let it say so
            return False
        if means is None or (any(means) and (blob.ndim < 2 or blob.shape[1] > 4)):
            self._inputs[name] = None  # OpenCV refuses it: let it say so
            return False
        buffer = self._inputs.get(name)
        if buffer is None or buffer.shape != blob.shape:
            buffer = np.empty(blob.shape, np.float32)
        scale = float(scalefactor)
        if not any(means):
            if scale == 1.0:
                np.copyto(buffer, blob)
            else:
                np.multiply(blob, np.float32(scale), out=buffer)
        elif len(set(means[:min(4, blob.shape[1])])) == 1:
            _scale_shift(blob, buffer, scale, means[0])
        else:
            for c in range(blob.shape[1]):
                _scale_shift(blob[:, c], buffer[:, c], scale, means[c])
        self._inputs[name] = buffer
        self._pending.add(name)
        return True

    def sync(self, net: Any) -> None:
        """Give OpenCV's net the inputs stored here (as stored: scaled, mean removed),
        before it runs a forward the direct path did not answer."""
        for name in sorted(self._pending):
            net.setInput(self._inputs[name], name)
        self._pending.clear()

    def forward(self, names: Any = None) -> Any:
        """OpenCV's forward result for ``names`` (None, a layer name or a sequence of
        them), or None when the direct path cannot answer it."""
        single = names is None or isinstance(names, str)
        if not single and not (isinstance(names, (list, tuple))
                               and all(isinstance(n, str) for n in names)):
            return None  # another forward form: OpenCV's
        wanted = [names or self._last_layer] if single else list(names)
        values = [self._layer_values.get(n) for n in wanted]
        if None in values:
            return None
        arrays = [self._inputs.get(n) for n in self.partition.inputs]
        if any(a is None for a in arrays):
            return None
        start = time.perf_counter()
        results = self.partition.run(arrays, stable=True)  # type: ignore[arg-type]
        # new plain arrays, as OpenCV's; the partition's results already have OpenCV's
        # shapes (a 1-D output as [n, 1])
        outputs = [np.array(results[self._output_index[v]], copy=True) for v in values]
        self.last_seconds = time.perf_counter() - start
        return outputs[0] if single else tuple(outputs)


def _means(mean: Any) -> list[float] | None:
    """OpenCV's ``mean`` Scalar as four floats (None when it is not a Scalar)."""
    if mean is None:
        return [0.0] * 4
    try:
        values = [float(v) for v in (mean if isinstance(mean, (tuple, list, np.ndarray))
                                     else [mean])]
    except (TypeError, ValueError):
        return None
    if len(values) > 4:
        return None
    return values + [0.0] * (4 - len(values))


def _scale_shift(src: np.ndarray, dst: np.ndarray, scale: float, mean: float) -> None:
    """``dst = src * scale + (-mean * scale)`` in float32, as OpenCV's convertTo."""
    np.multiply(src, np.float32(scale), out=dst)
    np.add(dst, np.float32(-mean * scale), out=dst)
