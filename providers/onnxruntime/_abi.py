"""ctypes declarations of the ONNX Runtime plugin-EP ABI.

Layouts and signatures follow the public headers ``onnxruntime_c_api.h`` and
``onnxruntime_ep_c_api.h`` of ONNX Runtime 1.24 (ORT_API_VERSION 24), the version this EP
claims in every struct it hands to ORT (``ort_version_supported``): ORT then never reads a
member added after 1.24. Each struct declares its full 1.24 layout and ends in NULL padding.

The OrtApi/OrtEpApi tables are read only through the ``OrtApiBase`` ORT hands to
``CreateEpFactories`` (never the wheel's own ``libonnxruntime`` copy, which is a different
instance). Their functions are called through ``PYFUNCTYPE`` prototypes (the GIL is kept for
these short calls); every function returning an ``OrtStatus*`` raises :class:`OrtError` when
ORT reports one.
"""

from __future__ import annotations

import ctypes
from ctypes import (
    CFUNCTYPE,
    POINTER,
    PYFUNCTYPE,
    Structure,
    c_bool,
    c_char_p,
    c_int,
    c_int64,
    c_size_t,
    c_uint32,
    c_void_p,
)
from typing import Any

#: the ORT API version whose struct layouts this module declares and claims
ORT_API_VERSION = 24

# OrtErrorCode
ORT_OK = 0
ORT_FAIL = 1
ORT_INVALID_ARGUMENT = 2
ORT_NOT_IMPLEMENTED = 9

# OrtHardwareDeviceType
HW_CPU = 0

# ONNXType
ONNX_TYPE_TENSOR = 1

# OrtOpAttrType
ATTR_UNDEFINED, ATTR_INT, ATTR_INTS, ATTR_FLOAT, ATTR_FLOATS = 0, 1, 2, 3, 4
ATTR_STRING, ATTR_STRINGS, ATTR_GRAPH, ATTR_TENSOR = 5, 6, 7, 8

# OrtCompiledModelCompatibility
EP_NOT_APPLICABLE = 0

_PTR = 8 if ctypes.sizeof(c_void_p) == 8 else 4


class OrtError(RuntimeError):
    """An OrtStatus returned by an OrtApi/OrtEpApi call."""

    def __init__(self, code: int, message: str) -> None:
        super().__init__(message)
        self.code = code


_P = c_void_p
_PP = POINTER(c_void_p)
_SZ = POINTER(c_size_t)
_S = "status"  # marks functions returning OrtStatus*

#: OrtApi member -> (index in the table, return type, argument types)
_ORT_API: dict[str, tuple[int, Any, tuple[Any, ...]]] = {
    "CreateStatus": (0, _P, (c_int, c_char_p)),
    "GetErrorCode": (1, c_int, (_P,)),
    "GetErrorMessage": (2, c_char_p, (_P,)),
    "GetTensorMutableData": (51, _S, (_P, _PP)),
    "CastTypeInfoToTensorInfo": (55, _S, (_P, _PP)),
    "GetOnnxTypeFromTypeInfo": (56, _S, (_P, POINTER(c_int))),
    "GetTensorElementType": (60, _S, (_P, POINTER(c_int))),
    "GetDimensionsCount": (61, _S, (_P, _SZ)),
    "GetDimensions": (62, _S, (_P, POINTER(c_int64), c_size_t)),
    "GetSymbolicDimensions": (63, _S, (_P, POINTER(c_char_p), c_size_t)),
    "GetTensorTypeAndShape": (65, _S, (_P, _PP)),
    "KernelContext_GetInputCount": (88, _S, (_P, _SZ)),
    "KernelContext_GetOutputCount": (89, _S, (_P, _SZ)),
    "KernelContext_GetInput": (90, _S, (_P, c_size_t, _PP)),
    "KernelContext_GetOutput": (91, _S, (_P, c_size_t, POINTER(c_int64), c_size_t, _PP)),
    "ReleaseStatus": (93, None, (_P,)),
    "ReleaseValue": (96, None, (_P,)),
    "ReleaseTensorTypeAndShapeInfo": (99, None, (_P,)),
    "GetSessionConfigEntry": (238, _S, (_P, c_char_p, c_char_p, _SZ)),
    "ReadOpAttr": (272, _S, (_P, c_int, _P, c_size_t, _SZ)),
    "GetValueInfoName": (289, _S, (_P, POINTER(c_char_p))),
    "GetValueInfoTypeInfo": (290, _S, (_P, _PP)),
    "GetKeyValuePairs": (298, None, (_P, POINTER(POINTER(c_char_p)), POINTER(POINTER(c_char_p)),
                                     _SZ)),
    "ReleaseKeyValuePairs": (300, None, (_P,)),
    "HardwareDevice_Type": (307, c_int, (_P,)),
    "GetEpApi": (317, _P, ()),
    "GetTensorSizeInBytes": (318, _S, (_P, _SZ)),
    "ValueInfo_GetInitializerValue": (326, _S, (_P, _PP)),
    "ValueInfo_IsOptionalGraphInput": (329, _S, (_P, POINTER(c_bool))),
    "ValueInfo_IsConstantInitializer": (331, _S, (_P, POINTER(c_bool))),
    "Graph_GetNumInputs": (338, _S, (_P, _SZ)),
    "Graph_GetInputs": (339, _S, (_P, _PP, c_size_t)),
    "Graph_GetNumOutputs": (340, _S, (_P, _SZ)),
    "Graph_GetOutputs": (341, _S, (_P, _PP, c_size_t)),
    "Graph_GetNumInitializers": (342, _S, (_P, _SZ)),
    "Graph_GetInitializers": (343, _S, (_P, _PP, c_size_t)),
    "Graph_GetNumNodes": (344, _S, (_P, _SZ)),
    "Graph_GetNodes": (345, _S, (_P, _PP, c_size_t)),
    "Graph_GetParentNode": (346, _S, (_P, _PP)),
    "Node_GetId": (348, _S, (_P, _SZ)),
    "Node_GetName": (349, _S, (_P, POINTER(c_char_p))),
    "Node_GetOperatorType": (350, _S, (_P, POINTER(c_char_p))),
    "Node_GetDomain": (351, _S, (_P, POINTER(c_char_p))),
    "Node_GetSinceVersion": (352, _S, (_P, POINTER(c_int))),
    "Node_GetNumInputs": (353, _S, (_P, _SZ)),
    "Node_GetInputs": (354, _S, (_P, _PP, c_size_t)),
    "Node_GetNumOutputs": (355, _S, (_P, _SZ)),
    "Node_GetOutputs": (356, _S, (_P, _PP, c_size_t)),
    "Node_GetNumImplicitInputs": (357, _S, (_P, _SZ)),
    "Node_GetImplicitInputs": (358, _S, (_P, _PP, c_size_t)),
    "Node_GetNumAttributes": (359, _S, (_P, _SZ)),
    "Node_GetAttributes": (360, _S, (_P, _PP, c_size_t)),
    "OpAttr_GetTensorAttributeAsOrtValue": (362, _S, (_P, _PP)),
    "OpAttr_GetType": (363, _S, (_P, POINTER(c_int))),
    "OpAttr_GetName": (364, _S, (_P, POINTER(c_char_p))),
    "Node_GetNumSubgraphs": (365, _S, (_P, _SZ)),
    "GetTensorData": (378, _S, (_P, _PP)),
    "GetSessionOptionsConfigEntries": (379, _S, (_P, _PP)),
    "TensorTypeAndShape_HasShape": (390, c_bool, (_P,)),
}

#: OrtEpApi member -> (index, return type, argument types)
_EP_API: dict[str, tuple[int, Any, tuple[Any, ...]]] = {
    "CreateEpDevice": (0, _S, (_P, _P, _P, _P, _PP)),
    "ReleaseEpDevice": (1, None, (_P,)),
    "EpGraphSupportInfo_AddNodesToFuse": (2, _S, (_P, _PP, c_size_t, _P)),
    "NodeComputeContext_NodeName": (4, c_char_p, (_P,)),
}


class _Table:
    """Callable members of one ORT function table."""

    def __init__(self, address: int, members: dict[str, tuple[int, Any, tuple[Any, ...]]],
                 check: Any) -> None:
        if not address:
            raise OrtError(ORT_FAIL, "ONNX Runtime returned no API table")
        self.address = address
        for name, (index, restype, argtypes) in members.items():
            fn_address = c_void_p.from_address(address + index * _PTR).value
            if not fn_address:
                raise OrtError(ORT_FAIL, f"ONNX Runtime's API table has no {name}")
            status = restype == _S
            proto = PYFUNCTYPE(_P if status else restype, *argtypes)
            fn = proto(fn_address)
            if status:
                fn.errcheck = check
            setattr(self, name, fn)


class OrtApi(_Table):
    """The OrtApi table (only the members this EP uses), plus the OrtEpApi as ``.ep``."""

    def __init__(self, address: int) -> None:
        super().__init__(address, _ORT_API, self._check)
        self.ep = _Table(self.GetEpApi(), _EP_API, self._check)

    def _check(self, status: int | None, func: Any, args: Any) -> None:
        if status:
            code = self.GetErrorCode(status)
            message = (self.GetErrorMessage(status) or b"").decode("utf-8", "replace")
            self.ReleaseStatus(status)
            raise OrtError(code, message)

    def status(self, code: int, message: str) -> int:
        """A new OrtStatus* for returning an error to ORT."""
        return self.CreateStatus(code, message.encode("utf-8", "replace")) or 0

    def config_entries(self, session_options: int) -> dict[str, str]:
        """Every session configuration entry (key -> value)."""
        kvp = c_void_p()
        self.GetSessionOptionsConfigEntries(session_options, ctypes.byref(kvp))
        try:
            keys = POINTER(c_char_p)()
            values = POINTER(c_char_p)()
            count = c_size_t()
            self.GetKeyValuePairs(kvp, ctypes.byref(keys), ctypes.byref(values),
                                  ctypes.byref(count))
            return {keys[i].decode(): (values[i] or b"").decode() for i in range(count.value)}
        finally:
            self.ReleaseKeyValuePairs(kvp)


def get_api(api_base: int, version: int = ORT_API_VERSION) -> int:
    """OrtApiBase::GetApi(version) -> const OrtApi* (0 when ORT is older than ``version``)."""
    get = CFUNCTYPE(c_void_p, c_uint32)(c_void_p.from_address(api_base).value)
    return get(version) or 0


# --- callback prototypes (ORT -> Python) ------------------------------------------------
# Pointers are c_void_p; OrtStatus* results are returned as integers (0 = success).
_STATUS = c_void_p

CreateEpFactoriesFn = CFUNCTYPE(_STATUS, c_char_p, _P, _P, _PP, c_size_t, _SZ)
ReleaseEpFactoryFn = CFUNCTYPE(_STATUS, _P)

# OrtEpFactory
FactoryGetStringFn = CFUNCTYPE(c_void_p, _P)  # const char* (const OrtEpFactory*)
GetSupportedDevicesFn = CFUNCTYPE(_STATUS, _P, _PP, c_size_t, _PP, c_size_t, _SZ)
CreateEpFn = CFUNCTYPE(_STATUS, _P, _PP, _PP, c_size_t, _P, _P, _PP)
ReleaseEpFn = CFUNCTYPE(None, _P, _P)
GetVendorIdFn = CFUNCTYPE(c_uint32, _P)
ValidateCompatibilityFn = CFUNCTYPE(_STATUS, _P, _PP, c_size_t, c_char_p, POINTER(c_int))
FactoryCreateAllocatorFn = CFUNCTYPE(_STATUS, _P, _P, _P, _PP)
ReleaseAllocatorFn = CFUNCTYPE(None, _P, _P)
CreateDataTransferFn = CFUNCTYPE(_STATUS, _P, _PP)
IsStreamAwareFn = CFUNCTYPE(c_bool, _P)
FactoryCreateSyncStreamFn = CFUNCTYPE(_STATUS, _P, _P, _P, _PP)
IncompatibilityDetailsFn = CFUNCTYPE(_STATUS, _P, _P, _P)
CreateResourceImporterFn = CFUNCTYPE(_STATUS, _P, _P, _PP)
GetNumCustomOpDomainsFn = CFUNCTYPE(_STATUS, _P, _SZ)
GetCustomOpDomainsFn = CFUNCTYPE(_STATUS, _P, _PP, c_size_t)

# OrtEp
EpGetNameFn = CFUNCTYPE(c_void_p, _P)
GetCapabilityFn = CFUNCTYPE(_STATUS, _P, _P, _P)
CompileFn = CFUNCTYPE(_STATUS, _P, _PP, _PP, c_size_t, _PP, _PP)
ReleaseNodeComputeInfosFn = CFUNCTYPE(None, _P, _PP, c_size_t)
GetCompatibilityInfoFn = CFUNCTYPE(c_void_p, _P, _P)
IsConcurrentRunSupportedFn = CFUNCTYPE(_STATUS, _P, POINTER(c_bool))

# OrtNodeComputeInfo
CreateStateFn = CFUNCTYPE(_STATUS, _P, _P, _PP)
ComputeFn = CFUNCTYPE(_STATUS, _P, _P, _P)
ReleaseStateFn = CFUNCTYPE(None, _P, _P)

_PADDING = 16  # NULL pointers after the declared members


class OrtEpFactory(Structure):
    """``struct OrtEpFactory`` as of ORT 1.24."""

    _fields_ = [
        ("ort_version_supported", c_uint32),
        # 1.22
        ("GetName", FactoryGetStringFn),
        ("GetVendor", FactoryGetStringFn),
        ("GetSupportedDevices", GetSupportedDevicesFn),
        ("CreateEp", CreateEpFn),
        ("ReleaseEp", ReleaseEpFn),
        # 1.23
        ("GetVendorId", GetVendorIdFn),
        ("GetVersion", FactoryGetStringFn),
        ("ValidateCompiledModelCompatibilityInfo", ValidateCompatibilityFn),
        ("CreateAllocator", FactoryCreateAllocatorFn),
        ("ReleaseAllocator", ReleaseAllocatorFn),
        ("CreateDataTransfer", CreateDataTransferFn),
        ("IsStreamAware", IsStreamAwareFn),
        ("CreateSyncStreamForDevice", FactoryCreateSyncStreamFn),
        # 1.24
        ("GetHardwareDeviceIncompatibilityDetails", IncompatibilityDetailsFn),
        ("CreateExternalResourceImporterForDevice", CreateResourceImporterFn),
        ("GetNumCustomOpDomains", GetNumCustomOpDomainsFn),
        ("GetCustomOpDomains", GetCustomOpDomainsFn),
        ("_padding", c_void_p * _PADDING),
    ]


class OrtEp(Structure):
    """``struct OrtEp`` as of ORT 1.24 (optional members left NULL)."""

    _fields_ = [
        ("ort_version_supported", c_uint32),
        # 1.22/1.23
        ("GetName", EpGetNameFn),
        ("GetCapability", GetCapabilityFn),
        ("Compile", CompileFn),
        ("ReleaseNodeComputeInfos", ReleaseNodeComputeInfosFn),
        ("GetPreferredDataLayout", c_void_p),
        ("ShouldConvertDataLayoutForOp", c_void_p),
        ("SetDynamicOptions", c_void_p),
        ("OnRunStart", c_void_p),
        ("OnRunEnd", c_void_p),
        ("CreateAllocator", c_void_p),
        ("CreateSyncStreamForDevice", c_void_p),
        ("GetCompiledModelCompatibilityInfo", GetCompatibilityInfoFn),
        # 1.24
        ("GetKernelRegistry", c_void_p),
        ("IsConcurrentRunSupported", IsConcurrentRunSupportedFn),
        ("_padding", c_void_p * _PADDING),
    ]


class OrtNodeComputeInfo(Structure):
    """``struct OrtNodeComputeInfo`` (unchanged since 1.23)."""

    _fields_ = [
        ("ort_version_supported", c_uint32),
        ("CreateState", CreateStateFn),
        ("Compute", ComputeFn),
        ("ReleaseState", ReleaseStateFn),
        ("_padding", c_void_p * _PADDING),
    ]


class OrtNodeFusionOptions(Structure):
    """``struct OrtNodeFusionOptions`` (1.23)."""

    _fields_ = [
        ("ort_version_supported", c_uint32),
        ("drop_constant_initializers", c_bool),
        ("_padding", c_void_p * _PADDING),
    ]
