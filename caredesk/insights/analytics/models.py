"""Tables of analytics (its own only: the floors below are read, never written)."""
