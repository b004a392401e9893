"""WebNN provider for opencv (see the project issues; not implemented yet)."""
