"""Reusable pieces of pages; each is a function ``show(..., key=...)``."""
