"""Operands every host translator makes the same way: constants and input descriptors.

Constants go to the builder by reference (``constant(..., copy=False)``): a support check's
scratch builder copies no weights, and a built graph copies only those over host memory it
does not own (WebNN's builder decides at ``build``); translators never write an array after
handing it over.

WebNN has no bool and no empty tensors (WebNN §api-mloperanddescriptor: every dimension is a
positive integer), so both host models' booleans travel as uint8 0/1 and an empty constant or
input refuses the node (the host runs it).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

import webnn_core as webnn

from .errors import Unsupported


def new_constant(builder: webnn.MLGraphBuilder, array: np.ndarray | Any,
                 data_type: str | None = None) -> webnn.MLOperand:
    """A WebNN constant holding ``array`` (converted to ``data_type`` when given; a 0-d
    array stays 0-d, as ``np.ascontiguousarray`` would not keep it)."""
    array = np.asarray(array)
    if data_type is not None:
        array = array.astype(webnn.MLOperandDescriptor(data_type, ()).numpy_dtype)
    return builder.constant(np.require(array, requirements="C"), copy=False)


def constant_operand(builder: webnn.MLGraphBuilder, value: np.ndarray, data_type: str | None,
                     *, is_bool: bool, label: str, what: str) -> webnn.MLOperand:
    """The WebNN constant for a host constant ``value`` (``what`` describes it in reasons,
    ``label`` is the node reading it): refused when its element type has no WebNN data type
    (``data_type`` None) or when it is empty; a bool becomes uint8 0/1."""
    if data_type is None:
        raise Unsupported(f"{label}: constant {what} has no WebNN data type", "dtype")
    if value.size == 0:
        raise Unsupported(f"{label}: empty constant {what}", "shape")
    array = value.astype(np.uint8) if is_bool else value
    return builder.constant(np.require(array, requirements="C"), copy=False)


def descriptor(data_type: str | None, shape: Sequence[int], what: str
               ) -> webnn.MLOperandDescriptor:
    """The descriptor of a graph input ``what``: refused without a WebNN data type, and for
    an empty (0) or unknown (negative) dimension."""
    if data_type is None:
        raise Unsupported(f"{what} has no WebNN data type", "dtype")
    if any(d <= 0 for d in shape):
        raise Unsupported(f"{what}: empty or unknown dimension in shape {list(shape)}",
                          "shape")
    return webnn.MLOperandDescriptor(data_type, tuple(shape))
