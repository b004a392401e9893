"""Build hook for the one piece of C in the package; everything else is in pyproject.toml.

``webnn_providers/onnxruntime/_webnn_ep*.so`` is the shared library ONNX Runtime loads as the
WebNN plugin execution provider: a small trampoline (no ORT or Python headers) forwarding
ORT's ``CreateEpFactories``/``ReleaseEpFactory`` to Python ctypes callbacks. It is built as
an extension module only to let setuptools compile and place it; Python never imports it.
"""

from setuptools import Extension, setup

setup(
    ext_modules=[
        Extension(
            "webnn_providers.onnxruntime._webnn_ep",
            sources=["providers/onnxruntime/_trampoline.c"],
            extra_compile_args=["-O2", "-fvisibility=hidden"],
        )
    ]
)
