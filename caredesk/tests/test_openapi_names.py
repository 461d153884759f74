"""Every schema the API uses has a component name of its own in the OpenAPI document. Ninja
keeps components in one dict keyed by the class name: two different classes called `Row` (one
in complaints, one in fieldwork, say) leave one of them described by the other's fields, and
pydantic's own clash handling turns names into `module__Name`. Either way the published
contract lies, and nothing else fails."""

import json
import typing
from collections import defaultdict

from pydantic import BaseModel

from caredesk.api import api


def _models_in(annotation, found: set) -> None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        if annotation in found:
            return
        found.add(annotation)
        for field in annotation.model_fields.values():
            _models_in(field.annotation, found)
        return
    for arg in typing.get_args(annotation):
        _models_in(arg, found)


def _every_model() -> set:
    found: set = set()
    for _prefix, router in api._routers:
        for path_view in router.path_operations.values():
            for operation in path_view.operations:
                for model in [*operation.models, *operation.response_models.values()]:
                    _models_in(model, found)
    return found


def test_no_two_schemas_share_a_component_name(db):
    components = set(api.get_openapi_schema()["components"]["schemas"])
    classes_by_name = defaultdict(set)
    for model in _every_model():
        if model.__name__ in components:
            classes_by_name[model.__name__].add(f"{model.__module__}.{model.__qualname__}")
    shared = {name: sorted(c) for name, c in classes_by_name.items() if len(c) > 1}
    assert shared == {}


def test_no_component_name_was_made_unique_by_its_module(db):
    components = api.get_openapi_schema()["components"]["schemas"]
    assert len(components) > 50  # the walk above saw the real document
    assert [name for name in components if "__" in name] == []


def test_the_served_document_has_no_key_twice(client):
    """Ninja keys responses by int and an `openapi_extra` may key them by str: the JSON then
    holds "200" twice, which Swagger UI refuses to render at all ("duplicated mapping key")."""
    repeated = []

    def keep_pairs(pairs):
        keys = [k for k, _ in pairs]
        repeated.extend(k for k in set(keys) if keys.count(k) > 1)
        return dict(pairs)

    res = client.get("/api/v1/openapi.json")
    assert res.status_code == 200
    document = json.loads(res.content, object_pairs_hook=keep_pairs)
    assert document["paths"] and repeated == []
