"""CNN Explorer: see every idea of an introductory CNN lecture happen on your own picture."""

__version__ = "0.1.0"
