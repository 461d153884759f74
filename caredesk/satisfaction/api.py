"""/api/v1 operations of satisfaction."""

from ninja import Router

router = Router(tags=["satisfaction"])
