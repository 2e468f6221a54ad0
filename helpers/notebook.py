"""The one call in every notebook's Setup: quiet TensorFlow, fix seeds, set plotting defaults; show_source;
fresh_model_dir for a training run that starts from scratch.

TensorFlow 2.15 talks a lot: its C++ core prints CUDA-plugin registration errors at import on a machine
without a GPU, and tf.compat.v1 / tf.estimator print deprecation warnings through the absl logger. None
of it is about the learner's code, and all of it would change the stored notebook outputs. ``setup()``
silences it at the source - the C++ log level must be set *before* TensorFlow is imported, so call it
before ``import tensorflow`` - and returns the ``tensorflow`` module.

Taught in ``notebooks/00_start_here.ipynb``; ``fresh_model_dir`` in ``notebooks/02_model_fn_and_estimatorspec.ipynb``.
"""

from __future__ import annotations

import logging
import os
import random
import shutil
import warnings
from pathlib import Path


def quiet_tensorflow() -> None:
    """Silence TensorFlow's C++ logs and Python deprecation chatter (errors that matter still raise)."""
    # 3 = C++ logs of level ERROR and below are dropped; the CUDA-plugin messages are logged as errors.
    # Its "oneDNN custom operations are on" notice is one of these INFO logs. The oneDNN kernels themselves stay on
    # (TensorFlow's default on x86 Linux): they train the post's network about twice as fast as the Eigen kernels
    # that TF_ENABLE_ONEDNN_OPTS=0 falls back to (benchmarks/onednn.py measures it; `make doctor` warns about it).
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    os.environ.setdefault("ABSL_MIN_LOG_LEVEL", "3")
    warnings.filterwarnings("ignore", category=DeprecationWarning)
    warnings.filterwarnings("ignore", category=FutureWarning)
    warnings.filterwarnings("ignore", message=r".*is deprecated.*")
    import tensorflow as tf  # noqa: PLC0415 - must come after the environment variables above

    tf.get_logger().setLevel(logging.ERROR)
    tf.compat.v1.logging.set_verbosity(tf.compat.v1.logging.ERROR)
    try:  # tf.compat.v1 deprecation notices are printed through this module, once per call site
        from tensorflow.python.util import deprecation

        deprecation._PRINT_DEPRECATION_WARNINGS = False
    except ImportError:  # pragma: no cover - private module moved in another TF version
        pass


def set_seeds(seed: int = 42) -> None:
    """Seed Python, NumPy and TensorFlow's global generator."""
    import numpy as np
    import tensorflow as tf

    random.seed(seed)
    np.random.seed(seed)
    tf.random.set_seed(seed)


def plot_defaults() -> None:
    """Small, readable figures that look the same on GitHub and in JupyterLab."""
    import matplotlib

    matplotlib.rcParams.update({"figure.dpi": 80, "figure.figsize": (6, 4), "axes.grid": False,
                                "savefig.bbox": "tight", "image.cmap": "gray_r"})


def setup(seed: int = 42):
    """Quiet TensorFlow, set seeds and plotting defaults; return the tensorflow module."""
    quiet_tensorflow()
    import tensorflow as tf

    set_seeds(seed)
    plot_defaults()
    return tf


def show_source(*objects) -> None:
    """Display the source code of helpers (functions, classes) in the notebook, so it is read where taught."""
    import inspect

    from IPython.display import Markdown, display

    for obj in objects:
        module = inspect.getmodule(obj).__name__.replace(".", "/") + ".py"
        display(Markdown(f"`{module}`\n```python\n{inspect.getsource(obj).rstrip()}\n```"))


def fresh_model_dir(*model_dirs) -> None:
    """Start each model directory from scratch, so a re-run (or Run All twice) trains the same steps again.

    An Estimator resumes from the checkpoint it finds in its model_dir: ``max_steps=300`` on a folder already at
    step 300 trains nothing. Deleting the folder is not quite enough in a kernel that already wrote there:
    TensorFlow caches one event-file writer per folder (``tf.compat.v1.summary.FileWriterCache``) and would go on
    writing into the deleted files, so a second Run All would find no new events. Close the cached writers first,
    then delete.
    """
    import tensorflow as tf

    tf.compat.v1.summary.FileWriterCache.clear()
    for folder in model_dirs:
        shutil.rmtree(Path(folder), ignore_errors=True)
