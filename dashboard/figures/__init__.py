"""Figure builders: plain data in, plotly figures out; no Dash, no side effects.

common: the shared scaffold (fonts, colours, empty chart); downsample: the one reduction of
long series; training, data, runs: the charts of those tabs.
"""
