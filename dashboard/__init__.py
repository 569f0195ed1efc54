"""LSTM Lab: try LSTM settings in the browser and watch the model learn."""

__version__ = "0.1.0"
