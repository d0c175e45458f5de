"""The analyst's workflow: who is acting and what they may do (``identity``), the append-only
record of what they did (``audit``), and the cases they work (``cases``).

Every write an analyst can cause goes through these modules, from the app and the command line
alike, so a permission is checked and a decision recorded in one place, not per page.
"""
