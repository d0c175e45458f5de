"""The Streamlit investigation app: pages, components, and the pure builders behind them.

Layers (outermost first): ``app.py`` routes to ``pages/`` scripts, which only arrange
``components/`` and call ``repository`` (all the app's Cypher, cached with a TTL). The pure modules
``graphviews``, ``timeline``, ``pyvis_html``, ``exports`` and ``privacy`` import neither
``streamlit`` nor ``neo4j``, so they are tested on their own.
"""
