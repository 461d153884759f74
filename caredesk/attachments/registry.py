"""Who owns attachments: each owning app registers its kind in its AppConfig.ready(), saying
how to find its object for a person (NotFound when they may not see it) and whether they may
add files to it. So this ground-floor app asks its owners without importing them."""

from collections.abc import Callable
from dataclasses import dataclass

from caredesk.errors import NotFound


@dataclass(frozen=True)
class Owner:
    kind: str
    # (person, id) → the object, or NotFound for one the person may not see
    find: Callable[[object, int], object]
    # (person, object) → may the person add files to it
    may_add: Callable[[object, object], bool]
    # the object → where its page is (a download link's way back)
    page_url: Callable[[object], str]
    # person → may they read the owner's internal files; None when the owner has no internal
    # parts (a ticket): then every file is public to whoever sees the owner
    sees_internal: Callable[[object], bool] | None = None

    def reads_internal(self, person) -> bool:
        return self.sees_internal is not None and self.sees_internal(person)


_owners: dict[str, Owner] = {}


def register(owner: Owner) -> None:
    _owners[owner.kind] = owner


def owner_for(kind: str) -> Owner:
    found = _owners.get(kind)
    if found is None:
        raise NotFound()
    return found


def kinds() -> list[str]:
    return sorted(_owners)
