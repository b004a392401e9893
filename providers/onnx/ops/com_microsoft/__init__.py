"""ONNX Runtime contrib ops of the ``com.microsoft`` domain that its WebNN EP maps, one module
per op family as in ai.onnx (normalization, rotary embedding, quantization), as ONNX
Runtime's CPU kernels compute them (docs/ContribOperators.md of ONNX Runtime). The registry
finds these modules like the ai.onnx ones; only the domain differs.
"""

#: the domain of every translator in this package
DOMAIN = "com.microsoft"
