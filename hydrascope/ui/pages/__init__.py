"""Page scripts run by ``st.navigation`` in ``app.py``; thin: layout and calls, no Cypher."""
