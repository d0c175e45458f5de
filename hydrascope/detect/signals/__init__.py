"""Detection signals: each a pure function, DataFrame or sparse matrix in, DataFrame out."""
