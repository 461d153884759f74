"""Change requests: the workflow (services), who may do what (policy), the reads (selectors)."""
