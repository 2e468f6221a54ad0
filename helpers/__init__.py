"""Helpers for the notebook series on TensorFlow's high-level training API.

One module per idea, each taught in full in a notebook before later notebooks import it:

- ``helpers.notebook``  quiet TensorFlow logs, seeds, plotting defaults (every notebook's Setup)
- ``helpers.data``      loading MNIST from IDX files, Keras' cache, a download or the bundled sample

This package imports nothing heavy at import time: TensorFlow is imported by the modules that need it.
"""
