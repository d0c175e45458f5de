"""The graph model as code: declarations (``model``), generated Cypher (``cypher``), docs (``docs``)."""

from hydrascope.schema.model import NODES, RELATIONSHIPS, NodeType, Prop, RelType

__all__ = ["NODES", "RELATIONSHIPS", "NodeType", "Prop", "RelType"]
