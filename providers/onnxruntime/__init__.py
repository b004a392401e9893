"""WebNN provider for onnxruntime (see the project issues; not implemented yet)."""
