"""Jobs that connect the pure detector to Neo4j: read the snapshot, write results back, export."""
