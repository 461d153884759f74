"""Files attached to tickets, complaints, changes and visits.

Checked by content, stored outside the web root, served only through a permission check.
"""
