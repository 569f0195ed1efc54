"""The train.py that LSTM Lab exports (a template; see dashboard/ml/export.py)."""

from __future__ import annotations

import argparse
import logging
import os
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")  # quiet TensorFlow's start-up messages
HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))  # LSTM Lab's own modules ship beside this script, in dashboard/

# --- settings (written by LSTM Lab) ---
CONFIG: dict[str, Any] = {}
DATA_FILE = "data.csv"
COLUMNS = ["value"]  # the target (or class label) first, then the input columns
BACKEND = "tensorflow"  # the Keras backend the run trained on
APP_SCORES: dict[str, float | str] = {}  # what LSTM Lab measured on the test part
# --- end of settings ---

log = logging.getLogger("train")


def load_values(path: Path) -> np.ndarray:
    """The columns the run used, as floats (target or label first)."""
    frame = pd.read_csv(path)
    missing = [c for c in COLUMNS if c not in frame.columns]
    if missing:
        sys.exit(f"{path} has no column(s) {missing}: is it the file the run used?")
    return frame[COLUMNS].to_numpy(dtype=np.float64)


def shown(value: float | str | None) -> str:
    """A score as the table prints it: 6 significant digits, text as it is, "-" if none."""
    if value is None:
        return "-"
    return value if isinstance(value, str) else f"{value:.6g}"


def score_table(scores: dict[str, float | str], app_scores: dict[str, float | str]) -> list[str]:
    """The test scores of this run next to LSTM Lab's, one score a line, columns split by
    " | " (the model, each baseline, the strongest baseline and the skill over it)."""
    names = [*scores, *[name for name in app_scores if name not in scores]]
    width = max([len(name) for name in names] + [10])
    mine = [shown(scores.get(name)) for name in names]
    wide = max([len(cell) for cell in mine] + [8])
    lines = [f"{'test part':<{width}} | {'this run':<{wide}} | LSTM Lab"]
    for name, cell in zip(names, mine, strict=True):
        lines.append(f"{name:<{width}} | {cell:<{wide}} | {shown(app_scores.get(name))}")
    return lines


def main(argv: list[str] | None = None) -> dict[str, float | str]:
    """Train as the run did, with the app's own code; print the test scores next to the
    app's and return them."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--data", default=DATA_FILE, help="the data file (default: %(default)s)")
    parser.add_argument("--epochs", type=int, help="override the number of epochs")
    parser.add_argument("--save", help="write the trained model to this .keras file")
    parser.add_argument(
        "--backend",
        choices=["tensorflow", "jax"],
        default=BACKEND,
        help="the Keras backend (default: %(default)s, the one the run trained on)",
    )
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s", stream=sys.stdout)
    os.environ["KERAS_BACKEND"] = args.backend  # read once, when Keras is first imported

    from dashboard.ml.config import TrainConfig
    from dashboard.ml.evaluate import headline_scores
    from dashboard.ml.runtime import keras
    from dashboard.ml.train import EpochUpdate, train

    log.info("Keras backend: %s", keras.backend.backend())
    config = TrainConfig.from_dict({**CONFIG, "epochs": args.epochs or CONFIG.get("epochs")})
    path = Path(args.data)
    values = load_values(path if path.is_absolute() else HERE / path)

    def report(update: EpochUpdate) -> None:
        if update.predictions is None and update.batch is None:  # once per epoch
            losses = "  ".join(f"{k} {v[-1]:.6g}" for k, v in update.history.items())
            log.info("Epoch %d/%d  %s", update.epoch, update.epochs, losses)

    result = train(
        config,
        values,
        on_epoch=report,
        on_model=(lambda model: model.save(args.save)) if args.save else None,
    )
    log.info("%s", result.message)
    scores = headline_scores(result.scores)
    for line in score_table(scores, APP_SCORES):
        log.info("%s", line)
    future = result.extras.get("future")
    if future is not None:
        log.info("forecast past the last row: %s", np.round(np.ravel(future), 4).tolist())
    return scores


if __name__ == "__main__":
    main()
