"""Builder methods: gru, gru_cell, lstm, lstm_cell."""

from __future__ import annotations


class RecurrentOps:
    """Mixin of MLGraphBuilder (to be filled: gru, gru_cell, lstm, lstm_cell)."""
