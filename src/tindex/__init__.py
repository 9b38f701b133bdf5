"""tindex: rank, compare and explain published torture-prevention indices."""

__version__ = "0.1.0"
