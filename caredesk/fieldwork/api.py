"""/api/v1 operations of field work (changes, masks, visits)."""

from ninja import Router

from .api_change_setup import router as change_setup_router
from .api_changes import router as changes_router
from .api_masks import router as masks_router  # masks
from .api_visits import router as visits_router

router = Router(tags=["fieldwork"])
router.add_router("", visits_router)
router.add_router("", changes_router)
router.add_router("", change_setup_router)
router.add_router("", masks_router)  # masks
