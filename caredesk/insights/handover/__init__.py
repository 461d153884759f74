"""The shift hand-over report: what the incoming shift must know about a customer's network."""
