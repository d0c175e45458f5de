"""The analyst Cypher library (``queries/*.cypher``) and the guarded way to run it.

The app and the command line call these functions, never the driver, so both get the same
guard rails: ``list_queries``, ``get_query``, ``run_query`` (library), ``run_adhoc`` and
``preview_cost`` (an analyst's own Cypher), ``suggest_values`` (parameter pickers).
"""

from queries.library import CATEGORIES, ParamSpec, QuerySpec, get_query, list_queries
from queries.runner import (
    DEFAULT_LIMIT,
    DEFAULT_TIMEOUT,
    CostPreview,
    QueryResult,
    preview_cost,
    run_adhoc,
    run_query,
    suggest_values,
)

__all__ = [
    "CATEGORIES",
    "DEFAULT_LIMIT",
    "DEFAULT_TIMEOUT",
    "CostPreview",
    "ParamSpec",
    "QueryResult",
    "QuerySpec",
    "get_query",
    "list_queries",
    "preview_cost",
    "run_adhoc",
    "run_query",
    "suggest_values",
]
