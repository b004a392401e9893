"""The TFLite delegate C ABI in ctypes (``tensorflow/lite/core/c/common.h``).

Layouts are x86-64/aarch64 LP64 and identical in tflite-runtime 2.14 and ai-edge-litert 2.x
(checked at run time; see the delegate's tests). Only the members the delegate uses are
typed; every struct is declared to its full size so that copies by value (the
registration passed to ``ReplaceNodeSubsetsWithDelegateKernels``) carry every byte.
"""

from __future__ import annotations

import ctypes
from ctypes import (
    CFUNCTYPE,
    POINTER,
    Structure,
    c_bool,
    c_char_p,
    c_float,
    c_int,
    c_int32,
    c_int64,
    c_size_t,
    c_uint64,
    c_void_p,
)

import numpy as np

# TfLiteStatus
OK = 0
ERROR = 1

# TfLiteAllocationType
MMAP_RO = 1
ARENA_RW = 2
ARENA_RW_PERSISTENT = 3
DYNAMIC = 4
PERSISTENT_RO = 5
#: allocation types whose data is fixed when the delegate is applied (model constants)
CONSTANT_ALLOCATIONS = (MMAP_RO, PERSISTENT_RO)

# TfLiteDelegateFlags
DELEGATE_FLAGS_ALLOW_DYNAMIC_TENSORS = 1

# TfLiteQuantizationType
AFFINE_QUANTIZATION = 1

#: TfLiteType -> (name, numpy dtype or None)
TFLITE_TYPES: dict[int, tuple[str, np.dtype | None]] = {
    0: ("NOTYPE", None),
    1: ("FLOAT32", np.dtype(np.float32)),
    2: ("INT32", np.dtype(np.int32)),
    3: ("UINT8", np.dtype(np.uint8)),
    4: ("INT64", np.dtype(np.int64)),
    5: ("STRING", None),
    6: ("BOOL", np.dtype(np.bool_)),
    7: ("INT16", np.dtype(np.int16)),
    8: ("COMPLEX64", None),
    9: ("INT8", np.dtype(np.int8)),
    10: ("FLOAT16", np.dtype(np.float16)),
    11: ("FLOAT64", np.dtype(np.float64)),
    12: ("COMPLEX128", None),
    13: ("UINT64", np.dtype(np.uint64)),
    14: ("RESOURCE", None),
    15: ("VARIANT", None),
    16: ("UINT32", np.dtype(np.uint32)),
    17: ("UINT16", np.dtype(np.uint16)),
    18: ("INT4", None),
    19: ("BFLOAT16", None),
}

#: TfLiteType -> WebNN data type (bool travels as uint8 0/1, as in WebNN's logical ops)
TFLITE_TO_WEBNN = {1: "float32", 2: "int32", 3: "uint8", 4: "int64", 6: "uint8", 9: "int8",
                   10: "float16", 13: "uint64", 16: "uint32"}


class TfLiteIntArray(Structure):
    _fields_ = [("size", c_int)]  # followed by int data[size]


class TfLiteFloatArray(Structure):
    _fields_ = [("size", c_int)]  # followed by float data[size]


class TfLiteAffineQuantization(Structure):
    _fields_ = [("scale", c_void_p), ("zero_point", c_void_p),
                ("quantized_dimension", c_int32)]


class TfLiteQuantization(Structure):
    _fields_ = [("type", c_int), ("params", c_void_p)]


class TfLiteQuantizationParams(Structure):
    _fields_ = [("scale", c_float), ("zero_point", c_int32)]


class TfLiteTensor(Structure):
    _fields_ = [
        ("type", c_int),                        # 0
        ("data", c_void_p),                     # 8
        ("dims", c_void_p),                     # 16 TfLiteIntArray*
        ("params", TfLiteQuantizationParams),   # 24
        ("allocation_type", c_int),             # 32
        ("bytes", c_size_t),                    # 40
        ("allocation", c_void_p),               # 48
        ("name", c_char_p),                     # 56
        ("delegate", c_void_p),                 # 64
        ("buffer_handle", c_int),               # 72
        ("data_is_stale", c_bool),              # 76
        ("is_variable", c_bool),                # 77
        ("quantization", TfLiteQuantization),   # 80
        ("sparsity", c_void_p),                 # 96
        ("dims_signature", c_void_p),           # 104
    ]


class TfLiteNode(Structure):
    _fields_ = [
        ("inputs", c_void_p), ("outputs", c_void_p), ("intermediates", c_void_p),
        ("temporaries", c_void_p), ("user_data", c_void_p), ("builtin_data", c_void_p),
        ("custom_initial_data", c_void_p), ("custom_initial_data_size", c_int),
        ("delegate", c_void_p), ("might_have_side_effect", c_bool),
    ]


# kernel callbacks (TfLiteRegistration)
InitFn = CFUNCTYPE(c_void_p, c_void_p, c_void_p, c_size_t)
FreeFn = CFUNCTYPE(None, c_void_p, c_void_p)
PrepareFn = CFUNCTYPE(c_int, c_void_p, c_void_p)
InvokeFn = CFUNCTYPE(c_int, c_void_p, c_void_p)


class TfLiteRegistration(Structure):
    _fields_ = [
        ("init", InitFn), ("free", FreeFn), ("prepare", PrepareFn), ("invoke", InvokeFn),
        ("profiling_string", c_void_p), ("builtin_code", c_int32), ("custom_name", c_char_p),
        ("version", c_int), ("registration_external", c_void_p), ("async_kernel", c_void_p),
        ("inplace_operator", c_uint64),
    ]


# TfLiteContext members (called from Python)
GetExecutionPlanFn = CFUNCTYPE(c_int, c_void_p, POINTER(c_void_p))
GetNodeAndRegistrationFn = CFUNCTYPE(c_int, c_void_p, c_int, POINTER(c_void_p),
                                     POINTER(c_void_p))
ReplaceNodeSubsetsFn = CFUNCTYPE(c_int, c_void_p, TfLiteRegistration, c_void_p, c_void_p)
ResizeTensorFn = CFUNCTYPE(c_int, c_void_p, c_void_p, c_void_p)
#: ``void ReportError(TfLiteContext*, const char* format, ...)`` called as (ctx, "%s", msg)
ReportErrorFn = CFUNCTYPE(None, c_void_p, c_char_p, c_char_p)
PreviewPartitioningFn = CFUNCTYPE(c_int, c_void_p, c_void_p, POINTER(c_void_p), POINTER(c_int))


class TfLiteContext(Structure):
    _fields_ = [
        ("tensors_size", c_size_t),                                  # 0
        ("GetExecutionPlan", GetExecutionPlanFn),                    # 8
        ("tensors", c_void_p),                                       # 16
        ("impl_", c_void_p),                                         # 24
        ("ResizeTensor", ResizeTensorFn),                            # 32
        ("ReportError", c_void_p),                                   # 40 (variadic)
        ("AddTensors", c_void_p),                                    # 48
        ("GetNodeAndRegistration", GetNodeAndRegistrationFn),        # 56
        ("ReplaceNodeSubsetsWithDelegateKernels", ReplaceNodeSubsetsFn),  # 64
        ("recommended_num_threads", c_int),                          # 72
        ("GetExternalContext", c_void_p),                            # 80
        ("SetExternalContext", c_void_p),                            # 88
        ("allow_fp32_relax_to_fp16", c_bool),                        # 96
        ("profiler", c_void_p),                                      # 104
        ("AllocatePersistentBuffer", c_void_p),                      # 112
        ("AllocateBufferForEval", c_void_p),                         # 120
        ("RequestScratchBufferInArena", c_void_p),                   # 128
        ("GetScratchBuffer", c_void_p),                              # 136
        ("ResizeTensorExplicit", c_void_p),                          # 144
        ("PreviewDelegatePartitioning", PreviewPartitioningFn),      # 152
    ]


# TfLiteDelegate
DelegatePrepareFn = CFUNCTYPE(c_int, c_void_p, c_void_p)


class TfLiteDelegate(Structure):
    _fields_ = [
        ("data_", c_void_p), ("Prepare", DelegatePrepareFn),
        ("CopyFromBufferHandle", c_void_p), ("CopyToBufferHandle", c_void_p),
        ("FreeBufferHandle", c_void_p), ("flags", c_int64),
        ("opaque_delegate_builder", c_void_p),
    ]


class TfLiteDelegateParams(Structure):
    _fields_ = [("delegate", c_void_p), ("nodes_to_replace", c_void_p),
                ("input_tensors", c_void_p), ("output_tensors", c_void_p)]


SIZES = {TfLiteTensor: 112, TfLiteNode: 80, TfLiteRegistration: 88, TfLiteDelegate: 56}
for _struct, _size in SIZES.items():
    assert ctypes.sizeof(_struct) == _size, (_struct.__name__, ctypes.sizeof(_struct))
assert TfLiteContext.ReplaceNodeSubsetsWithDelegateKernels.offset == 64
assert TfLiteContext.PreviewDelegatePartitioning.offset == 152


def int_array(address: int | None) -> list[int]:
    """The entries of a ``TfLiteIntArray*`` (empty for NULL)."""
    if not address:
        return []
    size = TfLiteIntArray.from_address(address).size
    if size <= 0:
        return []
    return list((c_int * size).from_address(address + ctypes.sizeof(c_int)))


def float_array(address: int | None) -> list[float]:
    """The entries of a ``TfLiteFloatArray*`` (empty for NULL)."""
    if not address:
        return []
    size = TfLiteFloatArray.from_address(address).size
    if size <= 0:
        return []
    return list((c_float * size).from_address(address + ctypes.sizeof(c_int)))


def tensor_at(context: TfLiteContext, index: int) -> TfLiteTensor:
    """The ``TfLiteTensor`` ``index`` of ``context`` (a view, not a copy)."""
    if not 0 <= index < context.tensors_size:
        raise IndexError(f"tensor index {index} out of range [0, {context.tensors_size})")
    return TfLiteTensor.from_address(context.tensors + index * ctypes.sizeof(TfLiteTensor))


_LIBC = ctypes.CDLL(None)
_LIBC.malloc.restype = c_void_p
_LIBC.malloc.argtypes = [c_size_t]


def new_int_array(values: list[int] | tuple[int, ...]) -> int:
    """A ``TfLiteIntArray`` allocated with the C library's ``malloc`` (the runtime takes
    ownership and frees it, as with ``TfLiteIntArrayCreate``)."""
    address = _LIBC.malloc(ctypes.sizeof(c_int) * (1 + len(values)))
    if not address:
        raise MemoryError("malloc failed for a TfLiteIntArray")
    array = (c_int * (1 + len(values))).from_address(address)
    array[0] = len(values)
    for i, v in enumerate(values):
        array[i + 1] = v
    return address


def int_array_buffer(values: list[int]) -> ctypes.Array:
    """A ``TfLiteIntArray`` in Python-owned memory (keep the result alive while used)."""
    return (c_int * (1 + len(values)))(len(values), *values)
