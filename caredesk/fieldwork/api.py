"""/api/v1 operations of field work (changes, masks, visits)."""

from ninja import Router

from .api_visits import router as visits_router

router = Router(tags=["fieldwork"])
router.add_router("", visits_router)
