"""Tables of cases (its own only: the floors below are read, never written)."""
