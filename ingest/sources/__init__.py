"""One module per table or table group, each with the same verbs: get → transform → load → cleanup."""
