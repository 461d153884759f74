"""The declared access matrix: every role × every API operation and page × an object of their
own and another's, with the answer each must get. `test_access_declared.py` generates every cell
from this table and fails when an operation or a page exists that the table does not name.

Roles, in the column order of every row below:
    y      customer contact of the Lakeside branch (org A) — the requester of ticket L
    x      the province contact (Lakeside's parent organisation)
    z      a contact of the other city branch (Hillside)
    o      a contact of another operator (org B) — the requester of ticket N
    dP     a partner engineer with a hand-off of L pending to him
    dA     a partner engineer who accepted a hand-off of L (he owns it)
    dD     a partner engineer who declined a hand-off of L
    dC     a partner engineer whose hand-off of L was cancelled
    dN     a partner engineer with nothing handed to him
    b      engineer.b, L's owner (江南代表处)
    c      engineer.c, a colleague in the same office (the target of L's test hand-off)
    a      manager.a, the office's service manager
    h      hotline.h at HQ, above every office
    admin  the administrator of 江南代表处
    anon   nobody signed in

Objects: "own" is what belongs to org A and the 江南 office (ticket L, the Lakeside map and its
entry, the office's rotation, a message about L); "other" is another operator's (ticket N,
served by a second office and owned by its engineer, org B's map and entry, a message about N).
Operations with no object of their own (lists, reference data, "who am I") have one row.

Answers: the HTTP status. Forbidden objects answer 404 (their existence never leaks); a
visible object the role may not act on answers 403 under /api/ and the page's own refusal on
pages. Pages answer 302 to the sign-in page for nobody, and 302 where a role is sent to its own
home (customers to the portal, staff to the queue).
"""

ROLES = ("y", "x", "z", "o", "dP", "dA", "dD", "dC", "dN", "b", "c", "a", "h", "admin", "anon")


def row(codes: str) -> dict[str, int]:
    values = codes.split()
    assert len(values) == len(ROLES), codes
    return dict(zip(ROLES, (int(v) for v in values), strict=True))


#                        y   x   z   o   dP  dA  dD  dC  dN  b   c   a   h   adm anon
ALL_200 = row("          200 200 200 200 200 200 200 200 200 200 200 200 200 200 401")
ADMIN_201 = row("        403 403 403 403 403 403 403 403 403 403 403 403 403 201 401")
ADMIN_200 = row("        403 403 403 403 403 403 403 403 403 403 403 403 403 200 401")
ADMIN_204 = row("        403 403 403 403 403 403 403 403 403 403 403 403 403 204 401")
OFFICE_200 = row("       403 403 403 403 403 403 403 403 403 200 200 200 200 200 401")
# imports: an upload is the administrator's; anyone else finds no run (404), as on the page
ADMIN_RUN_200 = row("    404 404 404 404 404 404 404 404 404 404 404 404 404 200 401")
STAFF_200 = row("        403 403 403 403 200 200 200 200 200 200 200 200 200 200 401")

# ---- a ticket: L is seen by its customers (y, x), the office's staff, the partner working it.
SEE_L = row("            200 200 404 404 200 200 404 404 404 200 200 200 200 200 401")
SEE_N = row("            404 404 404 200 404 404 404 404 404 404 404 404 200 404 401")
COMMENT_L = row("        201 201 404 404 201 201 404 404 404 201 201 201 201 201 401")
COMMENT_N = row("        404 404 404 201 404 404 404 404 404 404 404 404 201 404 401")
CALL_L = row("           403 403 404 404 201 201 404 404 404 201 201 201 201 201 401")
CALL_N = row("           404 404 404 403 404 404 404 404 404 404 404 404 201 404 401")
# Owner or the office's manager (service manager, admin) — dA owns L in his world.
OWNER_OR_MANAGER_L = row("403 403 404 404 403 200 404 404 404 200 403 200 403 200 401")
OWNER_OR_MANAGER_N = row("404 404 404 403 404 404 404 404 404 404 404 404 403 404 401")
CREATE_BY_OWNER_L = row("403 403 404 404 403 201 404 404 404 201 403 201 403 201 401")
CREATE_BY_OWNER_N = row("404 404 404 403 404 404 404 404 404 404 404 404 403 404 401")
ACK_L = row("            403 403 404 404 403 200 404 404 404 200 403 403 403 403 401")
ACK_N = row("            404 404 404 403 404 404 404 404 404 404 404 404 403 404 401")
CUSTOMER_L = row("       200 200 404 404 403 403 404 404 404 403 403 403 403 403 401")
CUSTOMER_N = row("       404 404 404 200 404 404 404 404 404 404 404 404 403 404 401")
# The ticket's pending hand-off: its target decides (c; dP in his world), its proposer cancels.
TARGET_L = row("         403 403 404 404 200 403 404 404 404 403 200 403 403 403 401")
TARGET_N = row("         404 404 404 403 404 404 404 404 404 404 404 404 403 404 401")
PROPOSER_L = row("       403 403 404 404 403 200 404 404 404 200 403 200 403 200 401")
PROPOSER_N = row("       404 404 404 403 404 404 404 404 404 404 404 404 403 404 401")
# Opening a ticket for org A (own) or org B (other): customers for their own tree, office
# staff for anyone, a partner only for a customer he works for now.
OPEN_A = row("           201 201 403 403 201 201 403 403 403 201 201 201 201 201 401")
OPEN_B = row("           403 403 403 201 403 403 403 403 403 201 201 201 201 201 401")

# ---- a site visit of L (engineer.b's) and of N (its owner's): recorded by its engineer or the
# office's service manager — never by a partner who does not own the ticket now (dA owns L,
# but the visit is b's); cancelled also by the ticket's owner.
VISIT_STEP_L = row("     403 403 404 404 403 403 404 404 404 200 403 200 403 200 401")

# ---- stakeholder maps: office staff read every map, a customer their own tree's.
MAP_A = row("            200 200 404 404 404 404 404 404 404 200 200 200 200 200 401")
MAP_B = row("            404 404 404 200 404 404 404 404 404 200 200 200 200 200 401")
# Map editors (service managers, account heads, administrators): {a} is the success status.
MAP_EDIT_A_SRC = "403 403 404 404 404 404 404 404 404 403 403 {a} 403 {a} 401"
MAP_EDIT_B_SRC = "404 404 404 403 404 404 404 404 404 403 403 {a} 403 {a} 401"


def editor(template: str, status: int) -> dict[str, int]:
    return row(template.replace("{a}", str(status)))


# ---- change requests (caredesk.fieldwork.changes): "own" is engineer.b's change on Lakeside's
# network, linked to L and carried out by b himself; "other" is engineer.e2's on org B's,
# linked to N. Seen like L (but not by a partner with a hand-off merely pending); requested by
# office staff (not the hotline) for any customer; submitted or cancelled by the requester or
# the office's manager; approved by the region's service manager (a), never by the requester;
# started and recorded by the executor.
CHANGE_SEE_OWN = row("       200 200 404 404 404 200 404 404 404 200 200 200 200 200 401")
CHANGE_CREATE = row("        403 403 403 403 403 403 403 403 403 201 201 201 403 201 401")
CHANGE_MANAGE_OWN = row("    403 403 404 404 404 403 404 404 404 200 403 200 403 200 401")
CHANGE_APPROVE_OWN = row("   403 403 404 404 404 403 404 404 404 403 403 200 403 403 401")
CHANGE_EXECUTE_OWN = row("   403 403 404 404 404 403 404 404 404 200 403 403 403 403 401")
PAGE_CHANGE_NEW = row("      404 404 404 404 403 403 403 403 403 200 200 200 403 200 302")
PAGE_CHANGE_OWN = row("      200 200 404 404 404 200 404 404 404 200 200 200 200 200 302")
PAGE_CHANGE_SUBMIT_OWN = row("403 403 404 404 404 403 404 404 404 302 403 302 403 302 302")
PAGE_CHANGE_ACTION_OTHER = row("404 404 404 403 404 404 404 404 404 404 404 404 403 404 302")
# ---- end of change requests

# ---- pages (session). 302 = sent elsewhere (home, sign-in, or back to the page after a POST).
#                        y   x   z   o   dP  dA  dD  dC  dN  b   c   a   h   adm anon
PAGE_HOME = row("        302 302 302 302 302 302 302 302 302 302 302 302 302 302 302")
PAGE_STAFF = row("       302 302 302 302 200 200 200 200 200 200 200 200 200 200 302")
PAGE_CUSTOMER = row("    200 200 200 200 302 302 302 302 302 302 302 302 302 302 302")
# The portal lists what the reader may see: staff may look at it too (their own visible tickets).
PAGE_SIGNED_IN = row("   200 200 200 200 200 200 200 200 200 200 200 200 200 200 302")
PAGE_L = row("           200 200 404 404 200 200 404 404 404 200 200 200 200 200 302")
PAGE_N = row("           404 404 404 200 404 404 404 404 404 404 404 404 200 404 302")
PAGE_STAFF_L = row("     404 404 404 404 200 200 404 404 404 200 200 200 200 200 302")
PAGE_STAFF_N = row("     404 404 404 404 404 404 404 404 404 404 404 404 200 404 302")
POST_L = row("           302 302 404 404 302 302 404 404 404 302 302 302 302 302 302")
POST_N = row("           404 404 404 302 404 404 404 404 404 404 404 404 302 404 302")
PAGE_ADMIN_ONLY = row("  404 404 404 404 404 404 404 404 404 404 404 404 404 200 302")
POST_ADMIN_ONLY = row("  404 404 404 404 404 404 404 404 404 404 404 404 404 302 302")
PAGE_MAP_A = row("       200 200 404 404 404 404 404 404 404 200 200 200 200 200 302")
PAGE_MAP_B = row("       404 404 404 200 404 404 404 404 404 200 200 200 200 200 302")
# Roster edits: service managers and administrators; other staff are refused on the form (422)
# or, for a removal, sent back to the page with the refusal as a message; customers have no
# on-call page at all (404).
PAGE_ROSTER_FORM = row(" 404 404 404 404 422 422 422 422 422 422 422 302 422 302 302")
PAGE_ROSTER_POST = row(" 404 404 404 404 302 302 302 302 302 302 302 302 302 302 302")
PAGE_MAP_EDIT_A = row("  403 403 404 404 404 404 404 404 404 403 403 302 403 302 302")
PAGE_MAP_EDIT_B = row("  404 404 404 403 404 404 404 404 404 403 403 302 403 302 302")
# Your own API token (made by the cell) and someone else's: only its owner or an administrator
# may revoke it; for anyone else it does not exist.
ALL_201 = row("          201 201 201 201 201 201 201 201 201 201 201 201 201 201 401")
OWN_TOKEN = ALL_200
OTHER_TOKEN = row("      404 404 404 404 404 404 404 404 404 404 404 404 404 200 401")
PAGE_SIGNED_IN_POST = row("302 302 302 302 302 302 302 302 302 302 302 302 302 302 302")
PAGE_OTHER_TOKEN = row(" 404 404 404 404 404 404 404 404 404 404 404 404 404 302 302")
PAGE_OFFICE = row("      404 404 404 404 404 404 404 404 404 200 200 200 200 200 302")
# The visit page: staff who see the ticket; customers are sent to their ticket page's reports.
PAGE_VISIT_L = row("     302 302 404 404 200 200 404 404 404 200 200 200 200 200 302")
PAGE_VISIT_N = row("     404 404 404 302 404 404 404 404 404 404 404 404 200 404 302")
# Planning (owner or service manager) and recording a step (the visit's engineer or the service
# manager): customers have no such form (404); other staff are refused on the page (403).
PAGE_VISIT_PLAN_FORM_L = row("404 404 404 404 403 200 404 404 404 200 403 200 403 200 302")
PAGE_VISIT_PLAN_L = row("404 404 404 404 403 302 404 404 404 302 403 302 403 302 302")
PAGE_VISIT_STEP_L = row("404 404 404 404 403 403 404 404 404 302 403 302 403 302 302")
PAGE_VISIT_STAFF_N = row("404 404 404 404 404 404 404 404 404 404 404 404 403 404 302")
# The customer confirms the visit report from the portal; staff are refused on the visit page.
PAGE_VISIT_CONFIRM_L = row("302 302 404 404 403 403 404 404 404 403 403 403 403 403 302")
PAGE_VISIT_CONFIRM_N = row("404 404 404 302 404 404 404 404 404 404 404 404 403 404 302")
POST_OFFICE_ADMIN = row("404 404 404 404 404 404 404 404 404 403 403 403 403 302 302")
# Two-step verification is one's own page, for staff only: customers sign in with a password.
PAGE_STAFF_ONLY = row("  404 404 404 404 200 200 200 200 200 200 200 200 200 200 302")
POST_STAFF_ONLY = row("  404 404 404 404 302 302 302 302 302 302 302 302 302 302 302")
# ---- reports: a run is read by its requester and by staff of the same office (engineer.b's
# run: b, c, a, admin — not the hotline at HQ, not a partner, not a customer).
PAGE_REPORT_OWN = row("404 404 404 404 404 404 404 404 404 200 200 200 404 200 302")
PAGE_REPORT_OTHER = row("404 404 404 404 404 404 404 404 404 404 404 404 404 404 302")
REPORT_OWN = row("     404 404 404 404 404 404 404 404 404 200 200 200 404 200 401")
REPORT_OTHER = row("   404 404 404 404 404 404 404 404 404 404 404 404 404 404 401")
REPORTS_200 = row("    404 404 404 404 200 200 200 200 200 200 200 200 200 200 401")
REPORTS_201 = row("    404 404 404 404 201 201 201 201 201 201 201 201 201 201 401")
# ---- end of reports
DJANGO_ADMIN = row("     302 302 302 302 302 302 302 302 302 302 302 302 302 200 302")
PUBLIC = row("           200 200 200 200 200 200 200 200 200 200 200 200 200 200 200")
LOGIN_PAGE = row("       302 302 302 302 302 302 302 302 302 302 302 302 302 302 200")

# ---- satisfaction: a survey link is public (no sign-in; each cell answers its own survey);
# staff of the office read surveys; a follow-up of L's survey (for manager.a) is closed by him
# or an administrator of the office, refused to other staff, unseen by customers and partners.
PUBLIC_201 = row("       201 201 201 201 201 201 201 201 201 201 201 201 201 201 201")
FOLLOW_UP_L = row("      404 404 404 404 404 404 404 404 404 403 403 200 403 200 401")
FOLLOW_UP_N = row("      404 404 404 404 404 404 404 404 404 404 404 404 403 404 401")
PAGE_FOLLOW_UP_L = row(" 404 404 404 404 404 404 404 404 404 403 403 302 403 302 302")
PAGE_FOLLOW_UP_N = row(" 404 404 404 404 404 404 404 404 404 404 404 404 403 404 302")

# ---- complaints (caredesk.complaints): complaint CL is about ticket L, handled by manager.a
# and registered by hotline.h; CN is about ticket N, handled by N's service manager. Customers
# see their tree's; a partner only one about work he owns now (dA); the hotline what it
# registered; office staff their office's. The handler (or an admin of the office) acts; the
# agent who registered it may also record a withdrawal; the handler's manager (here: an admin)
# approves a high-severity response, never the handler.
#                        y   x   z   o   dP  dA  dD  dC  dN  b   c   a   h   adm anon
SEE_CP_L = row("         200 200 404 404 404 200 404 404 404 200 200 200 200 200 401")
SEE_CP_N = row("         404 404 404 200 404 404 404 404 404 404 404 404 200 404 401")
HANDLE_CP_L_SRC = "      403 403 404 404 404 403 404 404 404 403 403 {a} 403 {a} 401"
HANDLE_CP_N_SRC = "      404 404 404 403 404 404 404 404 404 404 404 404 403 404 401"
WITHDRAW_CP_L = row("    403 403 404 404 404 403 404 404 404 403 403 200 200 200 401")
WITHDRAW_CP_N = row("    404 404 404 403 404 404 404 404 404 404 404 404 200 404 401")
APPROVE_CP_L = row("     403 403 404 404 404 403 404 404 404 403 403 403 403 200 401")
# The complainant's own answer to the sent response: y is CL's complainant (CL brought to
# "responded"); o is CN's, which is only acknowledged — nothing awaits an answer (409).
ANSWER_CP_L = row("      200 403 404 404 404 403 404 404 404 403 403 403 403 403 401")
ANSWER_CP_N = row("      404 404 404 409 404 404 404 404 404 404 404 404 403 404 401")
PAGE_ANSWER_CP_L = row(" 302 403 404 404 404 403 404 404 404 403 403 403 403 403 302")
PAGE_ANSWER_CP_N = row(" 404 404 404 409 404 404 404 404 404 404 404 404 403 404 302")
# Registering about ticket L (own) or N (other, which only the hotline at HQ sees: for the
# others the ticket named in the body does not exist, 422).
CREATE_CP_A = row("      403 403 403 403 403 403 403 403 403 201 201 201 201 201 401")
CREATE_CP_B = row("      403 403 403 403 403 403 403 403 403 422 422 422 201 422 401")
# Pages: the queue and a person's history for office staff (the hotline sees its own); the
# complaint page for whoever sees it; the hotline registration page for the hotline and office.
PAGE_CP_L = row("        200 200 404 404 404 200 404 404 404 200 200 200 200 200 302")
PAGE_CP_N = row("        404 404 404 200 404 404 404 404 404 404 404 404 200 404 302")
PAGE_CP_STAFF = row("    404 404 404 404 200 200 200 200 200 200 200 200 200 200 302")
PAGE_CP_OFFICE = row("   404 404 404 404 404 404 404 404 404 200 200 200 200 200 302")
POST_CP_L_SRC = "        404 404 404 404 404 403 404 404 404 403 403 {a} 403 {a} 302"
POST_CP_N = row("        404 404 404 404 404 404 404 404 404 404 404 404 403 404 302")
POST_CP_CREATE = row("   404 404 404 404 404 404 404 404 404 302 302 302 302 302 302")
# attachments: adding a file to a complaint or a change follows seeing it
ADD_FILE_CP_L = row("    201 201 404 404 404 201 404 404 404 201 201 201 201 201 401")
ADD_FILE_CP_N = row("    404 404 404 201 404 404 404 404 404 404 404 404 201 404 401")
ADD_FILE_CHANGE_OWN = row("201 201 404 404 404 201 404 404 404 201 201 201 201 201 401")
POST_FILE_CP_L = row("   302 302 404 404 404 302 404 404 404 302 302 302 302 302 302")
POST_FILE_CP_N = row("   404 404 404 302 404 404 404 404 404 404 404 404 302 404 302")
POST_FILE_CHANGE_OWN = row("302 302 404 404 404 302 404 404 404 302 302 302 302 302 302")


def handle_cp(template: str, status: int) -> dict[str, int]:
    return row(template.replace("{a}", str(status)))


# ---- masks: alarm-masking rules under an alarm-masking change — own: Lakeside's, executed by
# partner.d (every dX: it is his change, not a ticket's), requested by engineer.b; other: org
# B's, requested and executed by engineer.e2. Staff see the rules of the changes they see
# (requested in their office: hotline.h at HQ sees both), a partner his changes', customers
# their tree's; the executor, the requester and managers make and remove them.
#                        y   x   z   o   dP  dA  dD  dC  dN  b   c   a   h   adm anon
MASK_SEE_OWN = row("     200 200 404 404 200 200 200 200 200 200 200 200 200 200 401")
MASK_SEE_OTHER = row("   404 404 404 200 404 404 404 404 404 404 404 404 200 404 401")
MASK_MAKE_OWN = row("    403 403 404 404 201 201 201 201 201 201 403 201 403 201 401")
MASK_MAKE_OTHER = row("  404 404 404 403 404 404 404 404 404 404 404 404 403 404 401")
MASK_REMOVE_OWN = row("  403 403 404 404 200 200 200 200 200 200 403 200 403 200 401")
MASK_REMOVE_OTHER = row("404 404 404 403 404 404 404 404 404 404 404 404 403 404 401")
MASK_FOREIGN = row("     403 403 403 403 403 403 403 403 403 200 200 200 200 200 401")
PAGE_MASK_OWN = row("    200 200 404 404 200 200 200 200 200 200 200 200 200 200 302")
PAGE_MASK_OTHER = row("  404 404 404 200 404 404 404 404 404 404 404 404 200 404 302")
PAGE_MASK_REMOVE_OWN = row("403 403 404 404 302 302 302 302 302 302 403 302 403 302 302")
PAGE_MASK_REMOVE_OTHER = row("404 404 404 403 404 404 404 404 404 404 404 404 403 404 302")


# ---- handover ----
# The shift hand-over report (caredesk.insights.handover) — own: Lakeside's (org A, served by
# 江南), other: org B's. Staff read the report of a customer their office serves (hotline.h at
# HQ: both); a partner only where work is handed to him (L's hand-off pending or accepted);
# customers never (404: it is the vendor's shift talking to the next). A notice is read and
# acknowledged by its recipients only (own: engineer.b and the duty contact customer.y;
# other: engineer.e2 and customer.o). Schedules are kept by managers of the scope.
#                        y   x   z   o   dP  dA  dD  dC  dN  b   c   a   h   adm anon
HANDOVER_OWN = row("     404 404 404 404 200 200 404 404 404 200 200 200 200 200 401")
HANDOVER_OTHER = row("   404 404 404 404 404 404 404 404 404 404 404 404 200 404 401")
PAGE_HANDOVER_OWN = row("404 404 404 404 200 200 404 404 404 200 200 200 200 200 302")
PAGE_HANDOVER_OTHER = row("404 404 404 404 404 404 404 404 404 404 404 404 200 404 302")
PAGE_HANDOVER_STAFF = row("404 404 404 404 200 200 200 200 200 200 200 200 200 200 302")
NOTICE_OWN = row("       200 404 404 404 404 404 404 404 404 200 404 404 404 404 401")
NOTICE_OTHER = row("     404 404 404 200 404 404 404 404 404 404 404 404 404 404 401")
PAGE_NOTICE_OWN = row("  200 404 404 404 404 404 404 404 404 200 404 404 404 404 302")
PAGE_NOTICE_OTHER = row("404 404 404 200 404 404 404 404 404 404 404 404 404 404 302")
PAGE_ACK_OWN = row("     302 404 404 404 404 404 404 404 404 302 404 404 404 404 302")
PAGE_ACK_OTHER = row("   404 404 404 302 404 404 404 404 404 404 404 404 404 404 302")
SCHEDULE_MAKE_OWN = row("404 404 404 404 403 403 404 404 404 403 403 201 403 201 401")
SCHEDULE_MAKE_OTHER = row("404 404 404 404 404 404 404 404 404 404 404 404 403 404 401")
SCHEDULE_EDIT_OWN = row("404 404 404 404 403 403 404 404 404 403 403 200 403 200 401")
SCHEDULE_EDIT_OTHER = row("404 404 404 404 404 404 404 404 404 404 404 404 403 404 401")
# ---- end of handover ----
# ---- early warning (caredesk.insights.risk) — own: an alert on ticket L (to manager.a), other:
# one on N. Staff list the scores of the tickets they see (partners too: filtered); customers
# never (404: a score says what we think of them). An alert is acknowledged by its service
# manager or a manager of the ticket's office (admin); other readers of the ticket get 403.
#                        y   x   z   o   dP  dA  dD  dC  dN  b   c   a   h   adm anon
RISK_LIST = row("        404 404 404 404 200 200 200 200 200 200 200 200 200 200 401")
RISK_ACK_OWN = row("     404 404 404 404 403 403 404 404 404 403 403 200 403 200 401")
RISK_ACK_OTHER = row("   404 404 404 404 404 404 404 404 404 404 404 404 403 404 401")
PAGE_RISK = row("        404 404 404 404 200 200 200 200 200 200 200 200 200 200 302")
PAGE_RISK_ACK_OWN = row("404 404 404 404 403 403 404 404 404 403 403 302 403 302 302")
PAGE_RISK_ACK_OTHER = row("404 404 404 404 404 404 404 404 404 404 404 404 403 404 302")
# ---- end of early warning ----
# ---- learning cases (caredesk.insights.cases): "own" is a draft case of the 江南 office (from
# ticket L), "other" one of the second office (from ticket N). Office staff read their office's
# (hotline.h at HQ both); customers and partners never (404); the office's service manager or
# admin generates (from a closed complaint: CL / CN closed in the cell), edits and publishes.
#                        y   x   z   o   dP  dA  dD  dC  dN  b   c   a   h   adm anon
CASE_SEE_OWN = row("     404 404 404 404 404 404 404 404 404 200 200 200 200 200 401")
CASE_SEE_OTHER = row("   404 404 404 404 404 404 404 404 404 404 404 404 200 404 401")
CASE_WRITE_OWN = row("   404 404 404 404 404 404 404 404 404 403 403 200 403 200 401")
CASE_WRITE_OTHER = row(" 404 404 404 404 404 404 404 404 404 404 404 404 403 404 401")
CASE_MAKE_OWN = row("    404 404 404 404 404 404 404 404 404 403 403 201 403 201 401")
CASE_PAGE_OWN = row("    404 404 404 404 404 404 404 404 404 200 200 200 200 200 302")
CASE_PAGE_OTHER = row("  404 404 404 404 404 404 404 404 404 404 404 404 200 404 302")
CASE_PAGE_LIST = row("   404 404 404 404 404 404 404 404 404 200 200 200 200 200 302")
CASE_POST_OWN = row("    404 404 404 404 404 404 404 404 404 403 403 302 403 302 302")
CASE_POST_OTHER = row("  404 404 404 404 404 404 404 404 404 404 404 404 403 404 302")
# The "similar cases" block of a complaint page: whoever sees the complaint (the list is
# empty for customers and partners).
CASE_SIMILAR_OWN = row(" 200 200 404 404 404 200 404 404 404 200 200 200 200 200 302")
CASE_SIMILAR_OTHER = row("404 404 404 200 404 404 404 404 404 404 404 404 200 404 302")
# ---- end of learning cases


# Every API operation: (method, path template) → (call name, own answers, other answers|None).
API = {
    ("GET", "/api/v1/me"): ("me", ALL_200, None),
    ("GET", "/api/v1/people"): ("people", ALL_200, None),
    ("GET", "/api/v1/organisations"): ("organisations", ALL_200, None),
    ("POST", "/api/v1/organisations"): ("create_organisation", ADMIN_201, None),
    ("GET", "/api/v1/products"): ("products", ALL_200, None),
    ("POST", "/api/v1/products"): ("create_product", ADMIN_201, None),
    ("GET", "/api/v1/regions"): ("regions", ALL_200, None),
    ("POST", "/api/v1/regions"): ("create_region", ADMIN_201, None),
    ("GET", "/api/v1/responsibilities"): ("responsibilities", ALL_200, None),
    ("POST", "/api/v1/responsibilities"): ("create_cell", ADMIN_201, None),
    ("PUT", "/api/v1/responsibilities/{cell_id}"): ("update_cell", ADMIN_200, None),
    ("DELETE", "/api/v1/responsibilities/{cell_id}"): ("delete_cell", ADMIN_204, None),
    ("GET", "/api/v1/role-assignments"): ("role_assignments", OFFICE_200, None),
    ("POST", "/api/v1/role-assignments"): ("create_assignment", ADMIN_201, None),
    ("DELETE", "/api/v1/role-assignments/{assignment_id}"): ("delete_assignment", ADMIN_204, None),
    ("GET", "/api/v1/tokens"): ("tokens", ALL_200, None),
    ("POST", "/api/v1/tokens"): ("create_token", ALL_201, None),
    ("POST", "/api/v1/tokens/{token_id}/revoke"): ("revoke_token", OWN_TOKEN, OTHER_TOKEN),
    ("POST", "/api/v1/tickets"): ("create_ticket", OPEN_A, OPEN_B),
    ("GET", "/api/v1/tickets"): ("list_tickets", ALL_200, None),
    ("GET", "/api/v1/tickets/{ticket_id}"): ("get_ticket", SEE_L, SEE_N),
    ("PATCH", "/api/v1/tickets/{ticket_id}"): ("patch", OWNER_OR_MANAGER_L, OWNER_OR_MANAGER_N),
    ("POST", "/api/v1/tickets/{ticket_id}/acknowledge"): ("acknowledge", ACK_L, ACK_N),
    ("POST", "/api/v1/tickets/{ticket_id}/comments"): ("comment", COMMENT_L, COMMENT_N),
    ("POST", "/api/v1/tickets/{ticket_id}/calls"): ("call", CALL_L, CALL_N),
    ("POST", "/api/v1/tickets/{ticket_id}/conclusion"): (
        "conclusion",
        CREATE_BY_OWNER_L,
        CREATE_BY_OWNER_N,
    ),
    ("POST", "/api/v1/tickets/{ticket_id}/resolve"): (
        "resolve",
        OWNER_OR_MANAGER_L,
        OWNER_OR_MANAGER_N,
    ),
    ("POST", "/api/v1/tickets/{ticket_id}/confirm"): ("confirm", CUSTOMER_L, CUSTOMER_N),
    ("POST", "/api/v1/tickets/{ticket_id}/reopen"): ("reopen", CUSTOMER_L, CUSTOMER_N),
    ("POST", "/api/v1/tickets/{ticket_id}/handoffs"): (
        "propose",
        CREATE_BY_OWNER_L,
        CREATE_BY_OWNER_N,
    ),
    ("GET", "/api/v1/handoffs"): ("my_handoffs", ALL_200, None),
    ("POST", "/api/v1/handoffs/{handoff_id}/accept"): ("accept", TARGET_L, TARGET_N),
    ("POST", "/api/v1/handoffs/{handoff_id}/decline"): ("decline", TARGET_L, TARGET_N),
    ("POST", "/api/v1/handoffs/{handoff_id}/cancel"): ("cancel", PROPOSER_L, PROPOSER_N),
    ("GET", "/api/v1/tickets/{ticket_id}/clocks"): ("clocks", SEE_L, SEE_N),
    ("GET", "/api/v1/oncall"): ("oncall", STAFF_200, None),
    ("GET", "/api/v1/calendars"): ("calendars", ADMIN_200, None),
    ("POST", "/api/v1/calendars"): ("create_calendar", ADMIN_201, None),
    ("POST", "/api/v1/calendars/{calendar_id}/days"): ("calendar_days", ADMIN_200, None),
    ("GET", "/api/v1/sla-policies"): ("sla_policies", ADMIN_200, None),
    ("POST", "/api/v1/sla-policies"): ("create_sla", ADMIN_201, None),
    ("PUT", "/api/v1/sla-policies/{policy_id}"): ("update_sla", ADMIN_200, None),
    ("DELETE", "/api/v1/sla-policies/{policy_id}"): ("delete_sla", ADMIN_204, None),
    ("GET", "/api/v1/escalation-policies"): ("escalation_policies", ADMIN_200, None),
    ("POST", "/api/v1/escalation-policies"): ("create_chain", ADMIN_201, None),
    ("PUT", "/api/v1/escalation-policies/{policy_id}"): ("update_chain", ADMIN_200, None),
    ("DELETE", "/api/v1/escalation-policies/{policy_id}"): ("delete_chain", ADMIN_204, None),
    ("GET", "/api/v1/tickets/{ticket_id}/visits"): ("visits", SEE_L, SEE_N),
    ("POST", "/api/v1/tickets/{ticket_id}/visits"): (
        "plan_visit",
        CREATE_BY_OWNER_L,
        CREATE_BY_OWNER_N,
    ),
    ("GET", "/api/v1/visits/{visit_id}"): ("visit", SEE_L, SEE_N),
    ("POST", "/api/v1/visits/{visit_id}/travel"): (
        "visit_travel",
        VISIT_STEP_L,
        OWNER_OR_MANAGER_N,
    ),
    ("POST", "/api/v1/visits/{visit_id}/arrive"): (
        "visit_arrive",
        VISIT_STEP_L,
        OWNER_OR_MANAGER_N,
    ),
    ("POST", "/api/v1/visits/{visit_id}/leave"): ("visit_leave", VISIT_STEP_L, OWNER_OR_MANAGER_N),
    ("POST", "/api/v1/visits/{visit_id}/cancel"): (
        "visit_cancel",
        OWNER_OR_MANAGER_L,
        OWNER_OR_MANAGER_N,
    ),
    ("POST", "/api/v1/visits/{visit_id}/confirm"): ("visit_confirm", CUSTOMER_L, CUSTOMER_N),
    # ---- change requests ----
    ("GET", "/api/v1/changes"): ("changes", ALL_200, None),
    ("POST", "/api/v1/changes"): ("create_change", CHANGE_CREATE, None),
    ("GET", "/api/v1/changes/{change_id}"): ("change", CHANGE_SEE_OWN, SEE_N),
    ("POST", "/api/v1/changes/{change_id}/submit"): (
        "change_submit",
        CHANGE_MANAGE_OWN,
        OWNER_OR_MANAGER_N,
    ),
    ("POST", "/api/v1/changes/{change_id}/approve"): (
        "change_approve",
        CHANGE_APPROVE_OWN,
        OWNER_OR_MANAGER_N,
    ),
    ("POST", "/api/v1/changes/{change_id}/reject"): (
        "change_reject",
        CHANGE_APPROVE_OWN,
        OWNER_OR_MANAGER_N,
    ),
    ("POST", "/api/v1/changes/{change_id}/start"): (
        "change_start",
        CHANGE_EXECUTE_OWN,
        OWNER_OR_MANAGER_N,
    ),
    ("POST", "/api/v1/changes/{change_id}/verify"): (
        "change_verify",
        CHANGE_EXECUTE_OWN,
        OWNER_OR_MANAGER_N,
    ),
    ("POST", "/api/v1/changes/{change_id}/complete"): (
        "change_complete",
        CHANGE_EXECUTE_OWN,
        OWNER_OR_MANAGER_N,
    ),
    ("POST", "/api/v1/changes/{change_id}/rollback"): (
        "change_rollback",
        CHANGE_MANAGE_OWN,
        OWNER_OR_MANAGER_N,
    ),
    ("POST", "/api/v1/changes/{change_id}/cancel"): (
        "change_cancel",
        CHANGE_MANAGE_OWN,
        OWNER_OR_MANAGER_N,
    ),
    ("GET", "/api/v1/change-templates"): ("change_templates", OFFICE_200, None),
    ("POST", "/api/v1/change-templates"): ("publish_template", ADMIN_201, None),
    ("GET", "/api/v1/blackout-windows"): ("blackouts", OFFICE_200, None),
    ("POST", "/api/v1/blackout-windows"): ("declare_blackout", ADMIN_201, None),
    # ---- end of change requests ----
    ("GET", "/api/v1/customers/{org_id}/stakeholders"): ("map", MAP_A, MAP_B),
    ("POST", "/api/v1/customers/{org_id}/stakeholders"): (
        "map_add",
        editor(MAP_EDIT_A_SRC, 201),
        editor(MAP_EDIT_B_SRC, 201),
    ),
    ("PATCH", "/api/v1/stakeholders/{entry_id}"): (
        "map_change",
        editor(MAP_EDIT_A_SRC, 200),
        editor(MAP_EDIT_B_SRC, 200),
    ),
    ("DELETE", "/api/v1/stakeholders/{entry_id}"): (
        "map_remove",
        editor(MAP_EDIT_A_SRC, 204),
        editor(MAP_EDIT_B_SRC, 204),
    ),
    # complaints
    ("GET", "/api/v1/complaints"): ("list_complaints", ALL_200, None),
    ("POST", "/api/v1/complaints"): ("create_complaint", CREATE_CP_A, CREATE_CP_B),
    ("GET", "/api/v1/complaints/{complaint_id}"): ("get_complaint", SEE_CP_L, SEE_CP_N),
    ("POST", "/api/v1/complaints/{complaint_id}/acknowledge"): (
        "cp_acknowledge",
        handle_cp(HANDLE_CP_L_SRC, 200),
        handle_cp(HANDLE_CP_N_SRC, 200),
    ),
    ("POST", "/api/v1/complaints/{complaint_id}/extend"): (
        "cp_extend",
        handle_cp(HANDLE_CP_L_SRC, 200),
        handle_cp(HANDLE_CP_N_SRC, 200),
    ),
    ("POST", "/api/v1/complaints/{complaint_id}/callback"): (
        "cp_callback",
        handle_cp(HANDLE_CP_L_SRC, 200),
        handle_cp(HANDLE_CP_N_SRC, 200),
    ),
    ("POST", "/api/v1/complaints/{complaint_id}/root-cause"): (
        "cp_root_cause",
        handle_cp(HANDLE_CP_L_SRC, 200),
        handle_cp(HANDLE_CP_N_SRC, 200),
    ),
    ("POST", "/api/v1/complaints/{complaint_id}/notes"): (
        "cp_note",
        handle_cp(HANDLE_CP_L_SRC, 200),
        handle_cp(HANDLE_CP_N_SRC, 200),
    ),
    ("POST", "/api/v1/complaints/{complaint_id}/actions"): (
        "cp_action",
        handle_cp(HANDLE_CP_L_SRC, 201),
        handle_cp(HANDLE_CP_N_SRC, 201),
    ),
    ("POST", "/api/v1/complaints/{complaint_id}/actions/{action_id}/verify"): (
        "cp_verify",
        handle_cp(HANDLE_CP_L_SRC, 200),
        handle_cp(HANDLE_CP_N_SRC, 200),
    ),
    ("POST", "/api/v1/complaints/{complaint_id}/respond"): (
        "cp_respond",
        handle_cp(HANDLE_CP_L_SRC, 200),
        handle_cp(HANDLE_CP_N_SRC, 200),
    ),
    ("POST", "/api/v1/complaints/{complaint_id}/approve"): (
        "cp_approve",
        APPROVE_CP_L,
        handle_cp(HANDLE_CP_N_SRC, 200),
    ),
    ("POST", "/api/v1/complaints/{complaint_id}/withdraw"): (
        "cp_withdraw",
        WITHDRAW_CP_L,
        WITHDRAW_CP_N,
    ),
    ("POST", "/api/v1/complaints/{complaint_id}/close"): (
        "cp_close",
        handle_cp(HANDLE_CP_L_SRC, 200),
        handle_cp(HANDLE_CP_N_SRC, 200),
    ),
    ("POST", "/api/v1/complaints/{complaint_id}/reopen"): (
        "cp_reopen",
        handle_cp(HANDLE_CP_L_SRC, 200),
        handle_cp(HANDLE_CP_N_SRC, 200),
    ),
    ("POST", "/api/v1/complaints/{complaint_id}/answer"): ("cp_answer", ANSWER_CP_L, ANSWER_CP_N),
    ("GET", "/api/v1/complaint-categories"): ("complaint_categories", ALL_200, None),
    ("GET", "/api/v1/complaint-lookup"): ("complaint_lookup", OFFICE_200, None),
    # satisfaction
    ("GET", "/api/v1/surveys/{token}"): ("survey_link", PUBLIC, PUBLIC),
    ("POST", "/api/v1/surveys/{token}"): ("survey_answer", PUBLIC_201, PUBLIC_201),
    ("GET", "/api/v1/surveys"): ("surveys", OFFICE_200, None),
    ("GET", "/api/v1/survey-follow-ups"): ("survey_follow_ups", OFFICE_200, None),
    ("POST", "/api/v1/survey-follow-ups/{follow_up_id}/close"): (
        "survey_follow_up_close",
        FOLLOW_UP_L,
        FOLLOW_UP_N,
    ),
    # masks
    ("GET", "/api/v1/masks"): ("masks", ALL_200, None),
    ("POST", "/api/v1/masks"): ("mask_create", MASK_MAKE_OWN, MASK_MAKE_OTHER),
    ("GET", "/api/v1/masks/unauthorised"): ("masks_unauthorised", MASK_FOREIGN, None),
    ("GET", "/api/v1/masks/{mask_id}"): ("mask", MASK_SEE_OWN, MASK_SEE_OTHER),
    ("POST", "/api/v1/masks/{mask_id}/remove"): (
        "mask_remove",
        MASK_REMOVE_OWN,
        MASK_REMOVE_OTHER,
    ),
    # ---- exports: the list's rows as a file, for whoever reads the list ----
    ("GET", "/api/v1/tickets/export"): ("api_ticket_export", ALL_200, None),
    ("GET", "/api/v1/complaints/export"): ("api_complaint_export", ALL_200, None),
    ("GET", "/api/v1/masks/export"): ("api_mask_export", ALL_200, None),
    ("GET", "/api/v1/surveys/export"): ("api_survey_export", OFFICE_200, None),
    # ---- end of exports ----
    # ---- imports ----
    ("POST", "/api/v1/imports"): ("api_import_upload", ADMIN_201, None),
    ("GET", "/api/v1/imports"): ("api_imports", ADMIN_200, None),
    ("GET", "/api/v1/imports/{run_id}"): ("api_import_run", ADMIN_RUN_200, None),
    ("POST", "/api/v1/imports/{run_id}/confirm"): ("api_import_confirm", ADMIN_RUN_200, None),
    # ---- end of imports ----
    # ---- handover ----
    ("GET", "/api/v1/handover"): ("handover", HANDOVER_OWN, HANDOVER_OTHER),
    ("GET", "/api/v1/handover/notices/{notice_id}"): ("handover_notice", NOTICE_OWN, NOTICE_OTHER),
    ("POST", "/api/v1/handover/notices/{notice_id}/acknowledge"): (
        "handover_acknowledge",
        NOTICE_OWN,
        NOTICE_OTHER,
    ),
    ("GET", "/api/v1/handover/schedules"): ("handover_schedules", ALL_200, None),
    ("POST", "/api/v1/handover/schedules"): (
        "handover_schedule_create",
        SCHEDULE_MAKE_OWN,
        SCHEDULE_MAKE_OTHER,
    ),
    ("PUT", "/api/v1/handover/schedules/{schedule_id}"): (
        "handover_schedule_update",
        SCHEDULE_EDIT_OWN,
        SCHEDULE_EDIT_OTHER,
    ),
    # ---- end of handover ----
    # ---- reports ----
    ("POST", "/api/v1/reports"): ("report_create", REPORTS_201, None),
    ("GET", "/api/v1/reports"): ("report_list", REPORTS_200, None),
    ("GET", "/api/v1/reports/{run_id}"): ("report_get", REPORT_OWN, REPORT_OTHER),
    ("GET", "/api/v1/reports/{run_id}/files/{kind}"): ("report_file", REPORT_OWN, REPORT_OTHER),
    # ---- end of reports ----
    # ---- early warning ----
    ("GET", "/api/v1/risk"): ("risk_list", RISK_LIST, None),
    ("POST", "/api/v1/risk/alerts/{alert_id}/acknowledge"): (
        "risk_acknowledge",
        RISK_ACK_OWN,
        RISK_ACK_OTHER,
    ),
    # ---- end of early warning ----
    # ---- learning cases ----
    ("GET", "/api/v1/cases"): ("cases", ALL_200, None),
    ("POST", "/api/v1/cases"): ("case_generate", CASE_MAKE_OWN, CASE_WRITE_OTHER),
    ("GET", "/api/v1/cases/{case_id}"): ("case", CASE_SEE_OWN, CASE_SEE_OTHER),
    ("PATCH", "/api/v1/cases/{case_id}"): ("case_edit", CASE_WRITE_OWN, CASE_WRITE_OTHER),
    ("POST", "/api/v1/cases/{case_id}/publish"): (
        "case_publish",
        CASE_WRITE_OWN,
        CASE_WRITE_OTHER,
    ),
    # ---- end of learning cases ----
    # ---- attachments: one row per owner kind — a file follows its owner's visibility ----
    ("GET", "/api/v1/owners/{owner_kind}/{owner_id}/attachments"): [
        ("list_attachments", SEE_L, SEE_N),
        ("list_attachments_complaint", SEE_CP_L, SEE_CP_N),
        ("list_attachments_change", CHANGE_SEE_OWN, SEE_N),
        ("list_attachments_visit", SEE_L, SEE_N),
    ],
    ("POST", "/api/v1/owners/{owner_kind}/{owner_id}/attachments"): [
        ("upload_attachment", COMMENT_L, COMMENT_N),
        ("upload_attachment_complaint", ADD_FILE_CP_L, ADD_FILE_CP_N),
        ("upload_attachment_change", ADD_FILE_CHANGE_OWN, COMMENT_N),
        ("upload_attachment_visit", COMMENT_L, COMMENT_N),
    ],
    ("GET", "/api/v1/attachments/{attachment_id}"): [
        ("download_attachment", SEE_L, SEE_N),
        ("download_attachment_complaint", SEE_CP_L, SEE_CP_N),
        ("download_attachment_change", CHANGE_SEE_OWN, SEE_N),
        ("download_attachment_visit", SEE_L, SEE_N),
    ],
    # ---- end of attachments ----
}

# Every page: URL name (the resolver's, in the `web` namespace) → the calls made of it, each
# (call name, own answers, other answers|None). POST-only pages are called with a valid form.
PAGES = {
    "home": [("page_home", PAGE_HOME, None)],
    "healthz": [("page_healthz", PUBLIC, None)],
    # ---- operations ----
    # Readiness says nothing of anyone's data (the call keeps a worker's heartbeat fresh);
    # the metrics answer this machine (the test client's 127.0.0.1), and 404 elsewhere or
    # without the token when one is set (runtime/tests/test_observability.py).
    "readyz": [("page_readyz", PUBLIC, None)],
    "metrics": [("page_metrics", PUBLIC, None)],
    # Imports from a spreadsheet: administrators only; for anyone else the pages do not exist.
    "imports": [
        ("page_imports", PAGE_ADMIN_ONLY, None),
        ("page_import_upload", POST_ADMIN_ONLY, None),
    ],
    "import_run": [("page_import_run", PAGE_ADMIN_ONLY, None)],
    "import_progress": [("page_import_progress", PAGE_ADMIN_ONLY, None)],
    "import_confirm": [("page_import_confirm", POST_ADMIN_ONLY, None)],
    # ---- end of operations ----
    "login": [("page_login", LOGIN_PAGE, None)],
    "logout": [("page_logout", PAGE_HOME, None)],
    "set_language": [("page_lang", PAGE_HOME, None)],
    "queue": [("page_queue", PAGE_STAFF, None)],
    "record_call": [("page_record_call", PAGE_STAFF, None)],
    "ticket": [("page_ticket", PAGE_L, PAGE_N)],
    "handoff_form": [("page_handoff_form", PAGE_STAFF_L, PAGE_STAFF_N)],
    "ticket_action": [("page_comment", POST_L, POST_N)],
    "handoff_action": [("page_accept", POST_L, POST_N)],
    "oncall": [("page_oncall", PAGE_STAFF, None)],
    "add_override": [("page_add_override", PAGE_ROSTER_FORM, None)],
    "remove_override": [("page_remove_override", PAGE_ROSTER_POST, None)],
    "edit_rotation": [("page_edit_rotation", PAGE_ROSTER_FORM, None)],
    "portal": [("page_portal", PAGE_SIGNED_IN, None)],
    "portal_new": [("page_portal_new", PAGE_CUSTOMER, None)],
    "notify_dead": [("page_dead", PAGE_ADMIN_ONLY, None)],
    "notify_retry_selected": [("page_retry_selected", POST_ADMIN_ONLY, None)],
    "notify_message": [("page_message", PAGE_ADMIN_ONLY, PAGE_ADMIN_ONLY)],
    "notify_retry": [("page_retry", POST_ADMIN_ONLY, POST_ADMIN_ONLY)],
    "customers": [("page_customers", PAGE_STAFF, None)],
    "stakeholders": [("page_map", PAGE_MAP_A, PAGE_MAP_B)],
    "stakeholder_add": [("page_map_add", PAGE_MAP_EDIT_A, PAGE_MAP_EDIT_B)],
    "stakeholder_edit": [("page_map_edit", PAGE_MAP_EDIT_A, PAGE_MAP_EDIT_B)],
    "stakeholder_remove": [("page_map_remove", PAGE_MAP_EDIT_A, PAGE_MAP_EDIT_B)],
    "role_assignments": [("page_roles", PAGE_OFFICE, None)],
    "api_tokens": [("page_tokens", PAGE_SIGNED_IN, None)],
    "revoke_api_token": [("page_revoke_token", PAGE_SIGNED_IN_POST, PAGE_OTHER_TOKEN)],
    "add_assignment": [("page_role_add", POST_OFFICE_ADMIN, None)],
    "remove_assignment": [("page_role_remove", POST_OFFICE_ADMIN, None)],
    # The code step of signing in: nothing to ask without a password step just done (to the
    # sign-in page), and nothing for the signed-in (home).
    "login_code": [("page_login_code", PAGE_HOME, None)],
    "two_step": [("page_two_step", PAGE_STAFF_ONLY, None)],
    "two_step_setup": [("page_two_step_setup", POST_STAFF_ONLY, None)],
    # Confirmed with the app's code: the recovery codes on the answer (200).
    "two_step_confirm": [("page_two_step_confirm", PAGE_STAFF_ONLY, None)],
    "two_step_recovery_codes": [("page_two_step_recovery_codes", PAGE_STAFF_ONLY, None)],
    "two_step_turn_off": [("page_two_step_turn_off", POST_STAFF_ONLY, None)],
    # Someone's lost phone (own office's engineer.c, another office's engineer.e3): admins only.
    "two_step_reset": [("page_two_step_reset", POST_ADMIN_ONLY, POST_ADMIN_ONLY)],
    "visit_plan": [
        ("page_visit_plan_form", PAGE_VISIT_PLAN_FORM_L, PAGE_VISIT_STAFF_N),
        ("page_visit_plan", PAGE_VISIT_PLAN_L, PAGE_VISIT_STAFF_N),
    ],
    "visit_page": [("page_visit", PAGE_VISIT_L, PAGE_VISIT_N)],
    # masks
    "masks": [("page_masks", PAGE_SIGNED_IN, None)],
    "mask_upload": [("page_mask_upload", PAGE_STAFF_ONLY, None)],
    "mask_page": [("page_mask", PAGE_MASK_OWN, PAGE_MASK_OTHER)],
    "mask_remove": [("page_mask_remove", PAGE_MASK_REMOVE_OWN, PAGE_MASK_REMOVE_OTHER)],
    "visit_action": [
        ("page_visit_arrive", PAGE_VISIT_STEP_L, PAGE_VISIT_STAFF_N),
        ("page_visit_confirm", PAGE_VISIT_CONFIRM_L, PAGE_VISIT_CONFIRM_N),
    ],
    # complaints
    "complaint_queue": [("page_cp_queue", PAGE_CP_STAFF, None)],
    "complaint_new": [
        ("page_cp_new", PAGE_CP_OFFICE, None),
        ("page_cp_register", POST_CP_CREATE, None),
    ],
    "complaint_history": [("page_cp_history", PAGE_CP_OFFICE, None)],
    "complaint_page": [("page_cp", PAGE_CP_L, PAGE_CP_N)],
    "complaint_action": [("page_cp_acknowledge", handle_cp(POST_CP_L_SRC, 302), POST_CP_N)],
    "complaint_verify": [("page_cp_verify", handle_cp(POST_CP_L_SRC, 302), POST_CP_N)],
    "complaint_answer": [("page_cp_answer", PAGE_ANSWER_CP_L, PAGE_ANSWER_CP_N)],
    # satisfaction
    "survey_page": [
        ("page_survey", PUBLIC, PUBLIC),
        ("page_survey_answer", PUBLIC, PUBLIC),
    ],
    "surveys": [("page_surveys", PAGE_OFFICE, None)],
    "survey_follow_ups": [("page_survey_follow_ups", PAGE_OFFICE, None)],
    "survey_follow_up_action": [
        ("page_survey_follow_up_close", PAGE_FOLLOW_UP_L, PAGE_FOLLOW_UP_N)
    ],
    # ---- learning cases ----
    "case_library": [("page_cases", CASE_PAGE_LIST, None)],
    "case_page": [
        ("page_case", CASE_PAGE_OWN, CASE_PAGE_OTHER),
        ("page_case_edit", CASE_POST_OWN, CASE_POST_OTHER),
    ],
    "case_publish": [("page_case_publish", CASE_POST_OWN, CASE_POST_OTHER)],
    "case_generate": [("page_case_generate", CASE_POST_OWN, CASE_POST_OTHER)],
    "case_similar": [("page_case_similar", CASE_SIMILAR_OWN, CASE_SIMILAR_OTHER)],
    # ---- end of learning cases ----
    # ---- change requests ----
    "change_list": [("page_changes", PAGE_SIGNED_IN, None)],
    "change_new": [("page_change_new", PAGE_CHANGE_NEW, None)],
    "change_page": [("page_change", PAGE_CHANGE_OWN, PAGE_N)],
    "change_action": [("page_change_submit", PAGE_CHANGE_SUBMIT_OWN, PAGE_CHANGE_ACTION_OTHER)],
    # ---- end of change requests ----
    # ---- handover ----
    "handover": [("page_handover", PAGE_HANDOVER_OWN, PAGE_HANDOVER_OTHER)],
    "handover_print": [("page_handover_print", PAGE_HANDOVER_OWN, PAGE_HANDOVER_OTHER)],
    "handover_schedules": [("page_handover_schedules", PAGE_HANDOVER_STAFF, None)],
    "handover_notice": [("page_handover_notice", PAGE_NOTICE_OWN, PAGE_NOTICE_OTHER)],
    "handover_notice_acknowledge": [("page_handover_acknowledge", PAGE_ACK_OWN, PAGE_ACK_OTHER)],
    # ---- end of handover ----
    # ---- early warning ----
    "risk": [("page_risk", PAGE_RISK, None)],
    "risk_alert_acknowledge": [("page_risk_acknowledge", PAGE_RISK_ACK_OWN, PAGE_RISK_ACK_OTHER)],
    # ---- end of early warning ----
    # ---- analytics ----
    # Staff read the figures of their office; a partner engineer his own work's; customers 404.
    "analytics_dashboard": [("page_analytics", PAGE_STAFF_ONLY, None)],
    "analytics_download": [("page_analytics_xlsx", PAGE_STAFF_ONLY, None)],
    # Report runs: own is engineer.b's (江南: its office's staff read it), other is engineer.e2's.
    "analytics_reports": [
        ("page_reports", PAGE_STAFF_ONLY, None),
        ("page_report_build", POST_STAFF_ONLY, None),
    ],
    "analytics_report": [("page_report", PAGE_REPORT_OWN, PAGE_REPORT_OTHER)],
    "analytics_report_progress": [("page_report_progress", PAGE_REPORT_OWN, PAGE_REPORT_OTHER)],
    "analytics_report_file": [("page_report_file", PAGE_REPORT_OWN, PAGE_REPORT_OTHER)],
    # ---- end of analytics ----
    # ---- attachments: whoever sees the owner (ticket, complaint, change, visit) reads and adds
    # its files; a visit's are its ticket's readers', customers included
    "upload": [
        ("page_attachment_upload", POST_L, POST_N),
        ("page_attachment_upload_complaint", POST_FILE_CP_L, POST_FILE_CP_N),
        ("page_attachment_upload_change", POST_FILE_CHANGE_OWN, POST_N),
        ("page_attachment_upload_visit", POST_L, POST_N),
    ],
    "download": [
        ("page_attachment_download", PAGE_L, PAGE_N),
        ("page_attachment_download_complaint", PAGE_CP_L, PAGE_CP_N),
        ("page_attachment_download_change", PAGE_CHANGE_OWN, PAGE_N),
        ("page_attachment_download_visit", PAGE_L, PAGE_N),
    ],
    "preview": [
        ("page_attachment_preview", PAGE_L, PAGE_N),
        ("page_attachment_preview_complaint", PAGE_CP_L, PAGE_CP_N),
        ("page_attachment_preview_change", PAGE_CHANGE_OWN, PAGE_N),
        ("page_attachment_preview_visit", PAGE_L, PAGE_N),
    ],
    # ---- end of attachments ----
    # ---- exports: the list as the reader sees it (a customer's queue export is the portal's) ----
    "queue_export": [("page_queue_export", PAGE_SIGNED_IN, None)],
    "portal_export": [("page_portal_export", PAGE_SIGNED_IN, None)],
    "complaint_export": [("page_cp_export", PAGE_CP_STAFF, None)],
    "mask_export": [("page_mask_export", PAGE_SIGNED_IN, None)],
    "survey_export": [("page_survey_export", PAGE_OFFICE, None)],
    # ---- end of exports ----
}

# Outside the table, on purpose: Django's own admin (its permission is `is_staff`, checked by
# Django; its index is in the table as DJANGO_ADMIN), the OpenAPI document and its viewer.
OTHER_PREFIXES = ("admin/", "api/", "i18n/")
DJANGO_ADMIN_CALLS = [("page_django_admin", DJANGO_ADMIN, None)]
