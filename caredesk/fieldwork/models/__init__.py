"""Field work's tables, one module per idea (changes, masks, visits), all re-exported here so
Django finds them."""

from .changes import (  # noqa: F401
    ACTIVE_STATUSES,
    CUSTOMER_APPROVAL_RISKS,
    FINAL_STATUSES,
    BlackoutWindow,
    ChangeKind,
    ChangeModel,
    ChangeRequest,
    ChangeRisk,
    ChangeStatus,
    ChangeTarget,
    ChangeTemplate,
    ChangeTicket,
)

# masks: alarm-masking rules and what the reconciler finds in Alertmanager.
from .masks import (  # noqa: F401
    SYNC_PENDING_Q,
    ForeignSilence,
    MaskedElement,
    MaskingLimit,
    MaskingRule,
    MaskStatus,
    ReconcileRun,
    SyncState,
)
from .visits import NEEDS_NEXT_STEP, Visit, VisitResult, VisitStatus  # noqa: F401
