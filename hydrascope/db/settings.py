"""The Neo4j connection settings in force: the environment's server, else the local one.

Here, not in ``hydrascope.config``, because the local server's URI and password come from
``hydrascope.db.local``, which itself reads the config: keeping this one step above both removes
the import cycle between them.
"""

from __future__ import annotations

import os

from hydrascope.config import Neo4jSettings
from hydrascope.db.local import LocalServer


def neo4j_settings() -> Neo4jSettings:
    """The connection settings in force (environment first, then the local server)."""
    database = os.environ.get("NEO4J_DATABASE", "neo4j")
    uri = os.environ.get("NEO4J_URI")
    if uri:
        return Neo4jSettings(
            uri=uri,
            user=os.environ.get("NEO4J_USER", "neo4j"),
            password=os.environ.get("NEO4J_PASSWORD", ""),
            database=database,
            local=False,
        )
    server = LocalServer()
    return Neo4jSettings(
        uri=server.bolt_uri,
        user="neo4j",
        password=server.read_password(),
        database=database,
        local=True,
    )
