"""The learning-case library: customer voice, event replay and lessons, anonymised."""
