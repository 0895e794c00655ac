"""The shopassist CLI and settings: the composition root."""
