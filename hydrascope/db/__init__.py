"""Database access: the only package that imports ``neo4j``."""

from hydrascope.db.graph import Graph, WriteSummary, connect

__all__ = ["Graph", "WriteSummary", "connect"]
