"""/api/v1 operations of complaints."""

from ninja import Router

router = Router(tags=["complaints"])
