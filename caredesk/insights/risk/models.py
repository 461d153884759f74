"""Tables of risk (its own only: the floors below are read, never written)."""
