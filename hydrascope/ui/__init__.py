"""The Streamlit investigation app: pages, components, and the pure builders behind them.

Layers (outermost first): ``app.py`` routes to ``pages/`` scripts, which only arrange
``components/`` and call ``services`` and ``data`` (the read layer by page concern: pure reads
taking a ``Graph``, cached with a TTL). The app's writes (labels, cases, the audit trail) are
``hydrascope.workflow``'s, checked by role and recorded. The pure modules
``graphviews``, ``timeline``, ``pyvis_html``, ``exports`` and ``privacy`` import neither
``streamlit`` nor ``neo4j``, so they are tested on their own.
"""
