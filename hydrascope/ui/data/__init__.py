"""The app's read layer, one module per page concern.

- ``overview``: freshness, campaigns and their activity, model releases, top evidence;
- ``clusters``: the cluster list, a cluster's summary, members, network, skeleton, activity;
- ``lookup``: search, a node's detail, its ego network;
- ``exports``: the ban list (``hydrascope.jobs.export.ban_list``, shared with the command line)
  and a cluster's shareable infrastructure;
- ``labels``: triage labels — ``set_triage_label``, the label write (through
  ``hydrascope.workflow.decisions``), which clears the caches — and the recent labels;
- ``common``: the cache TTL, row and frame helpers, Cypher fragments shared by the above.

Each read is a pure function ``read_*(graph, ...)`` (a ``Graph`` in, plain values and DataFrames
out, through read transactions with a timeout) wrapped by a thin ``st.cache_data(ttl=...)``
function under the name pages call; the graph is passed to the wrapper as ``_graph`` (not hashed:
one driver per process).

The app's writes are the analyst's workflow (``hydrascope.workflow``: labels, cases, the audit
trail), authorised by role and recorded; the pages call it directly or through ``labels``.
"""
