"""WebNN provider for tflite (see the project issues; not implemented yet)."""
