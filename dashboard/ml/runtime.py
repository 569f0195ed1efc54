"""Keras start-up for job processes: quiet logs, thread counts, the device and backend.

Importing this module imports Keras on the backend KERAS_BACKEND names (dashboard.ml.backend
sets it for job processes), and TensorFlow only on that backend. The web process never
imports it; the forkserver of the job manager (and each Celery worker child) imports it
once, so jobs start warm.
"""

from __future__ import annotations

import logging
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras

from dashboard.ml.backend import NAMES, badge_text

log = logging.getLogger(__name__)


def _tensorflow_absent_unless_backend() -> None:
    """On another backend, let Keras take TensorFlow as absent, as on a machine without it.

    Keras imports TensorFlow wherever it is installed, whatever the backend, when it seeds
    (`keras.utils.set_random_seed` seeds tf.random too) or serialises: on JAX that is 2-3 s
    and some hundreds of MB in every job process for nothing, since jobs use no tf.data.
    Keras asks through one lazy module whose availability it caches; it is answered here,
    before anything asks. (`keras.src` is private; Keras is pinned below 4.)
    """
    if keras.backend.backend() == "tensorflow":
        return
    try:
        from keras.src.utils import module_utils
    except ImportError:  # a Keras without it: TensorFlow is imported as before
        return
    lazy = getattr(module_utils, "tensorflow", None)
    if lazy is not None and getattr(lazy, "_available", None) is None:
        lazy._available = False


_tensorflow_absent_unless_backend()


def backend_name() -> str:
    """The Keras backend this process trains on, as people write it: 'TensorFlow', 'JAX'."""
    name = keras.backend.backend()
    return NAMES.get(name, name)


def configure_threads(intra_op: int, inter_op: int) -> None:
    """Set TensorFlow's thread pools; must run before the first op of the process. (JAX
    sizes XLA's own pools from the machine; nothing to set here.)"""
    if keras.backend.backend() != "tensorflow":
        return
    import tensorflow as tf

    try:
        if intra_op:
            tf.config.threading.set_intra_op_parallelism_threads(intra_op)
        if inter_op:
            tf.config.threading.set_inter_op_parallelism_threads(inter_op)
    except RuntimeError:  # already initialised: this process ran ops before
        log.debug("TensorFlow threads already configured in pid %d", os.getpid())


def device_name() -> str:
    """'CPU', or the name of the first GPU the backend sees."""
    if keras.backend.backend() == "jax":
        import jax

        gpus = [d for d in jax.devices() if d.platform == "gpu"]
        return f"GPU: {gpus[0].device_kind}" if gpus else "CPU"
    import tensorflow as tf

    found = tf.config.list_physical_devices("GPU")
    if not found:
        return "CPU"
    details = tf.config.experimental.get_device_details(found[0])
    return f"GPU: {details.get('device_name', found[0].name)}"


def badge() -> str:
    """What the page's device badge says: 'CPU · TensorFlow', 'GPU: NVIDIA H200 · JAX'."""
    return badge_text(device_name(), keras.backend.backend())


__all__ = ["backend_name", "badge", "configure_threads", "device_name", "keras"]
