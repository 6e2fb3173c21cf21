"""The computing core: pure NumPy + OpenCV, no Qt. Importable and testable headless."""
