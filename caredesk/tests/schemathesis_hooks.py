"""Loaded by the Schemathesis CLI in fuzzing.py's runs (SCHEMATHESIS_HOOKS).

The runs revoke tokens by id (POST /tokens/{token_id}/revoke) and find the ids of live tokens in
GET /tokens; an administrator's run may revoke anyone's. Left alone, a run would revoke a token
the runs call with and spend the rest of its calls on 401s. So a call about to revoke one of
those revokes the run's spare token instead: every other id, valid or not, goes out as drawn.
"""

import os

import schemathesis

REVOKE = "POST /api/v1/tokens/{token_id}/revoke"
KEEP_ENV = "CAREDESK_FUZZ_KEEP_TOKENS"  # comma-separated ids of the tokens the runs call with
SPARE_ENV = "CAREDESK_FUZZ_SPARE_TOKEN"  # the id of this run's spare token

_keep = frozenset(os.environ.get(KEEP_ENV, "").split(",")) - {""}
_spare = os.environ.get(SPARE_ENV, "")


@schemathesis.hook
def before_call(context, case, kwargs):
    if case.operation.label == REVOKE and str(case.path_parameters.get("token_id")) in _keep:
        case.path_parameters["token_id"] = int(_spare)
