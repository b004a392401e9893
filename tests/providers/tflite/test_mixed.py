"""Models where ops the delegate takes alternate with ops it leaves to TFLite: several WebNN
partitions are formed, TFLite runs the rest in between, and the outputs match the undelegated
interpreter.

The refused ops are ones TFLite runs but the delegate must not take, for reasons under this
package's own control (so the tests do not depend on which ops gain translators later):
float FLOOR_MOD (``std::fmod`` is not expressible exactly), ADD with a fused TANH (TFLite's
kernel ignores it) and int16 tensors (WebNN has none).
"""

from __future__ import annotations

import numpy as np
import pytest
from webnn_providers.testing.tflite_writer import ModelWriter, Quant

from tests.providers.tflite.helpers import check_delegated, not_on_tflite_runtime

RNG = np.random.default_rng(17)
SHAPE = [2, 3, 8]


def floats(shape: list[int], low: float = -4.0, high: float = 4.0) -> np.ndarray:
    return RNG.uniform(low, high, shape).astype(np.float32)


def _scalar(m: ModelWriter, name: str, value: float) -> int:
    return m.constant(name, np.array([value], np.float32))


def test_float_chain_three_partitions() -> None:
    """MUL | FLOOR_MOD | ADD, LOGISTIC | ADD+TANH | SOFTMAX: three WebNN partitions."""
    m = ModelWriter()
    x = m.input("x", SHAPE, "float32")
    t = [m.tensor(f"t{k}", SHAPE, "float32") for k in range(6)]
    m.op("MUL", [x, _scalar(m, "c0", 1.7)], [t[0]])
    m.op("FLOOR_MOD", [t[0], _scalar(m, "c1", 3.0)], [t[1]])          # refused
    m.op("ADD", [t[1], x], [t[2]])
    m.op("LOGISTIC", [t[2]], [t[3]])
    m.op("ADD", [t[3], _scalar(m, "c2", 0.25)], [t[4]],
         fused_activation_function="TANH")                               # refused
    m.op("SOFTMAX", [t[4]], [t[5]], beta=2.0)
    m.output(t[5])
    report = check_delegated(m.finish(), [floats(SHAPE)], delegated=4, partitions=3)
    assert [len(p) for p in report.partitions] == [1, 2, 1]
    refused_ops = sorted(n.op_type for n in report.fallback)
    assert refused_ops == ["ADD", "FLOOR_MOD"]


def test_branches_rejoin() -> None:
    """A refused op on one branch of a diamond: the delegated ops before and after it cannot
    share one partition, the parallel branch joins one of them."""
    m = ModelWriter()
    x = m.input("x", SHAPE, "float32")
    r, a, b, y = (m.tensor(n, SHAPE, "float32") for n in ("r", "a", "b", "y"))
    m.op("RELU6", [x], [r])
    m.op("FLOOR_MOD", [r, _scalar(m, "c", 1.5)], [a])                  # refused
    m.op("TANH", [r], [b])
    m.op("SQUARED_DIFFERENCE", [a, b], [y])
    m.output(y)
    report = check_delegated(m.finish(), [floats(SHAPE)], delegated=3, partitions=2)
    assert report.fallback[0].op_type == "FLOOR_MOD"


def test_partition_output_also_graph_output() -> None:
    """A tensor produced inside a partition is a model output and an input of a refused op."""
    m = ModelWriter()
    x = m.input("x", SHAPE, "float32")
    e, f, g = (m.tensor(n, SHAPE, "float32") for n in ("e", "f", "g"))
    m.op("EXP", [x], [e])
    m.op("FLOOR_MOD", [e, _scalar(m, "c", 0.7)], [f])                  # refused
    m.op("MAXIMUM", [f, e], [g])
    m.output(e, g)
    check_delegated(m.finish(), [floats(SHAPE, -2, 2)], delegated=2, partitions=2)


def test_int16_island() -> None:
    """float ops around a CAST to int16 and back (int16 tensors cannot enter WebNN)."""
    m = ModelWriter()
    x = m.input("x", SHAPE, "float32")
    s = m.tensor("s", SHAPE, "float32")
    i16 = m.tensor("i16", SHAPE, "int16")
    back = m.tensor("back", SHAPE, "float32")
    y = m.tensor("y", SHAPE, "float32")
    m.op("MUL", [x, _scalar(m, "c", 100.0)], [s])
    m.op("CAST", [s], [i16])                                             # refused (int16)
    m.op("CAST", [i16], [back])                                          # refused (int16)
    m.op("SQUARE", [back], [y])
    m.output(y)
    report = check_delegated(m.finish(), [floats(SHAPE)], delegated=2, partitions=2)
    assert all(n.kind == "dtype" for n in report.fallback), report.summary()


@not_on_tflite_runtime("its QUANTIZE kernel only writes int8/uint8 (no int16 island)")
@pytest.mark.parametrize("dtype", ["int8"])  # TFLite cannot requantize int16 to uint8
def test_quantized_chain(dtype: str) -> None:
    """Quantized ADD / LOGISTIC around a requantization through int16, which TFLite runs."""
    zp = 0 if dtype == "int8" else 128
    q = Quant(0.05, zp)
    q_sig = Quant(1 / 256, -128 if dtype == "int8" else 0)
    m = ModelWriter()
    x = m.input("x", SHAPE, dtype, quantization=q)
    a = m.tensor("a", SHAPE, dtype, quantization=Quant(0.1, zp))
    w = m.tensor("w", SHAPE, "int16", quantization=Quant(0.001, 0))
    b = m.tensor("b", SHAPE, dtype, quantization=Quant(0.1, zp))
    y = m.tensor("y", SHAPE, dtype, quantization=q_sig)
    m.op("ADD", [x, x], [a], fused_activation_function="RELU")
    m.op("QUANTIZE", [a], [w])                                           # refused (int16)
    m.op("QUANTIZE", [w], [b])                                           # refused (int16)
    m.op("LOGISTIC", [b], [y])
    m.output(y)
    data = RNG.integers(np.iinfo(dtype).min, np.iinfo(dtype).max + 1, SHAPE).astype(dtype)
    check_delegated(m.finish(), [data], delegated=2, partitions=2)
