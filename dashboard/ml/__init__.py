"""The LSTM core: data, windows, model, training; imports neither dash nor plotly.

Only `model`, `train` and `runtime` import TensorFlow, and only job processes import those.
"""
