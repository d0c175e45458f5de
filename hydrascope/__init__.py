"""Hydrascope: expose distillation campaigns (hydra account networks) in a graph of API usage."""

__version__ = "0.1.0"
