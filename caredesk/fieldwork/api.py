"""/api/v1 operations of field work (changes, masks, visits)."""

from ninja import Router

router = Router(tags=["fieldwork"])
