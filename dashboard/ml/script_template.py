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
APP_SCORES: dict[str, float] = {}  # what LSTM Lab measured on the test part
# --- end of settings ---

log = logging.getLogger("train")


def load_values(path: Path) -> np.ndarray:
    """The columns the run used, as floats (target or label first)."""
    frame = pd.read_csv(path)
    missing = [c for c in COLUMNS if c not in frame.columns]
    if missing:
        sys.exit(f"{path} has no column(s) {missing}: is it the file the run used?")
    return frame[COLUMNS].to_numpy(dtype=np.float64)


def main(argv: list[str] | None = None) -> dict[str, float]:
    """Train as the run did, with the app's own code; print the test scores next to the
    app's and return them."""
    from dashboard.ml.config import TrainConfig
    from dashboard.ml.evaluate import headline_scores
    from dashboard.ml.train import EpochUpdate, train

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--data", default=DATA_FILE, help="the data file (default: %(default)s)")
    parser.add_argument("--epochs", type=int, help="override the number of epochs")
    parser.add_argument("--save", help="write the trained model to this .keras file")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s", stream=sys.stdout)
    config = TrainConfig.from_dict({**CONFIG, "epochs": args.epochs or CONFIG.get("epochs")})
    path = Path(args.data)
    values = load_values(path if path.is_absolute() else HERE / path)

    def report(update: EpochUpdate) -> None:
        if update.predictions is None:
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
    log.info("this run:         %s", "  ".join(f"{k} {v:.6g}" for k, v in scores.items()))
    if APP_SCORES:
        log.info("LSTM Lab measured: %s", "  ".join(f"{k} {v:.6g}" for k, v in APP_SCORES.items()))
    future = result.extras.get("future")
    if future is not None:
        log.info("forecast past the last row: %s", np.round(np.ravel(future), 4).tolist())
    return scores


if __name__ == "__main__":
    main()
