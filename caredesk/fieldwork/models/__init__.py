"""Field work's tables, one module per idea (changes, masks, visits), all re-exported here so
Django finds them."""

from .visits import NEEDS_NEXT_STEP, Visit, VisitResult, VisitStatus  # noqa: F401
