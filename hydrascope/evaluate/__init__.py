"""Evaluation against the simulator's truth: metrics, baselines and the runner.

``metrics`` and ``baselines`` are pure (DataFrames in, numbers out); only ``runner`` reads files
and, through ``hydrascope.jobs``, the graph. The detector itself never sees any of this.
"""
