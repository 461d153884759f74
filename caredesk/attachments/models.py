"""Stored files and their owners (a kind and an id: this app knows no ticket)."""
