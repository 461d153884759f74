"""Tables of handover (its own only: the floors below are read, never written)."""
