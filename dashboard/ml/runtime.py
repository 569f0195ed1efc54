"""TensorFlow start-up for job processes: quiet logs, thread counts, the device in use.

Importing this module imports TensorFlow. The web process never does; the forkserver of
the job manager (and each Celery worker child) imports it once, so jobs start warm.
"""

from __future__ import annotations

import logging
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras
import tensorflow as tf

log = logging.getLogger(__name__)


def configure_threads(intra_op: int, inter_op: int) -> None:
    """Set TensorFlow's thread pools; must run before the first op of the process."""
    try:
        if intra_op:
            tf.config.threading.set_intra_op_parallelism_threads(intra_op)
        if inter_op:
            tf.config.threading.set_inter_op_parallelism_threads(inter_op)
    except RuntimeError:  # already initialised: this process ran ops before
        log.debug("TensorFlow threads already configured in pid %d", os.getpid())


def device_name() -> str:
    """'CPU', or the name of the first GPU that TensorFlow sees."""
    gpus = tf.config.list_physical_devices("GPU")
    if not gpus:
        return "CPU"
    details = tf.config.experimental.get_device_details(gpus[0])
    return f"GPU: {details.get('device_name', gpus[0].name)}"


__all__ = ["configure_threads", "device_name", "keras", "tf"]
