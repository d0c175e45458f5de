"""Ingest: warehouse exports (the data contract) into the Hydrascope graph.

Read (``readers``) → validate (``validate``) → store raw events (``store``) → aggregate
(``aggregate``) → write to Neo4j (``sources``, batched ``UNWIND ... MERGE``) → clean up, all driven
by ``ingest.run.run_ingest`` under a lock (``lock``). See ``docs/ingest.md``.
"""
