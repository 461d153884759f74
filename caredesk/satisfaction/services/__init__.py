"""The verbs of satisfaction surveys — the only code that changes their state.

- sending.py     the closure events schedule a timer; send_ticket_survey and
                 send_complaint_survey decide at its moment and send (link, outbox, tally)
- answering.py   answer_survey: the one POST of a link; a low score opens a follow-up
- follow_ups.py  close_follow_up, record_complaint
- tallies.py     the per-office monthly counts kept beside sending and answering
"""

from .answering import SurveyAlreadyAnswered, SurveyExpired, answer_survey, is_low, manager_for
from .follow_ups import FollowUpNotOpen, close_follow_up, record_complaint
from .sending import send_complaint_survey, send_ticket_survey

__all__ = [
    "FollowUpNotOpen",
    "SurveyAlreadyAnswered",
    "SurveyExpired",
    "answer_survey",
    "close_follow_up",
    "is_low",
    "manager_for",
    "record_complaint",
    "send_complaint_survey",
    "send_ticket_survey",
]
