"""Satisfaction surveys, their answers, the follow-ups low scores open, and the running tally
the staff page reads its response rates from.

State changes only through caredesk.satisfaction.services; these classes hold data and
constraints. A survey's link is never stored: only the SHA-256 of its token (tokens.py).
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class SubjectKind(models.TextChoices):
    TICKET = "ticket", _("Ticket")
    COMPLAINT = "complaint", _("Complaint handling")


class Survey(models.Model):
    """One survey sent to one contact about one closed ticket or one closed complaint.

    A ticket is surveyed at most once, and so is a complaint (the partial unique constraints);
    the complaint is named by its id only, so this app needs nothing of caredesk.complaints."""

    subject_kind = models.CharField(_("about"), max_length=10, choices=SubjectKind.choices)
    ticket = models.ForeignKey(
        "tickets.Ticket",
        verbose_name=_("ticket"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="surveys",
    )
    complaint_id = models.BigIntegerField(_("complaint"), null=True, blank=True)
    contact = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("contact"),
        on_delete=models.PROTECT,
        related_name="surveys",
    )
    customer_org = models.ForeignKey(
        "directory.Organisation",
        verbose_name=_("customer"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    # The office whose work is judged: the response rate is counted per office.
    office = models.ForeignKey(
        "directory.Organisation",
        verbose_name=_("office"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    # Whose work it was: the ticket's owner when it closed, or the complaint's handler.
    engineer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("engineer"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    channel = models.CharField(_("channel"), max_length=20)
    token_hash = models.CharField(max_length=64, unique=True)
    sent_at = models.DateTimeField(_("sent at"))
    expires_at = models.DateTimeField(_("link expires at"))
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("satisfaction survey")
        verbose_name_plural = _("satisfaction surveys")
        constraints = [
            models.UniqueConstraint(
                fields=["ticket"],
                condition=Q(subject_kind="ticket"),
                name="one_survey_per_ticket",
            ),
            models.UniqueConstraint(
                fields=["complaint_id"],
                condition=Q(subject_kind="complaint"),
                name="one_survey_per_complaint",
            ),
            models.CheckConstraint(
                condition=Q(subject_kind="complaint", complaint_id__isnull=False)
                | Q(subject_kind="ticket", ticket__isnull=False),
                name="survey_names_its_subject",
            ),
        ]
        indexes = [
            # The staff list, newest first, for an office and overall.
            models.Index(fields=["office", "-id"], name="survey_office"),
            # The cap: the contact's latest survey.
            models.Index(fields=["contact", "-sent_at"], name="survey_contact_sent"),
        ]

    def __str__(self) -> str:
        return f"survey {self.pk} ({self.subject_kind})"

    @property
    def is_answered(self) -> bool:
        return self.answered_at is not None


# The four dimensions every answer scores, 1 (worst) to 5 (best).
DIMENSIONS = ("responsiveness", "attitude", "technical_skill", "communication")
# Each dimension as the survey asks it.
QUESTIONS = {
    "responsiveness": _("How quickly did we respond?"),
    "attitude": _("How was our service attitude?"),
    "technical_skill": _("How good was our technical skill?"),
    "communication": _("How well did we keep you informed?"),
}
LOW_SCORE = 2  # at or below on any dimension (or "not solved"): a follow-up is opened


def _score(label):
    return models.PositiveSmallIntegerField(label)


class Answer(models.Model):
    """The one answer of a survey: the survey is its key, so a second answer cannot exist."""

    survey = models.OneToOneField(
        Survey, primary_key=True, on_delete=models.CASCADE, related_name="answer"
    )
    responsiveness = _score(_("responsiveness"))
    attitude = _score(_("attitude"))
    technical_skill = _score(_("technical skill"))
    communication = _score(_("communication"))
    solved = models.BooleanField(_("problem solved"))
    comment = models.TextField(_("comment"), blank=True)
    low = models.BooleanField(_("low score"), default=False)
    answered_at = models.DateTimeField(_("answered at"))

    class Meta:
        verbose_name = _("survey answer")
        verbose_name_plural = _("survey answers")
        constraints = [
            models.CheckConstraint(
                condition=Q(**{f"{d}__gte": 1, f"{d}__lte": 5}), name=f"answer_{d}_1_to_5"
            )
            for d in DIMENSIONS
        ]

    def __str__(self) -> str:
        return f"answer to survey {self.survey_id}"

    @property
    def scores(self) -> dict[str, int]:
        return {d: getattr(self, d) for d in DIMENSIONS}


class FollowUpStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("follow-up", "Open")
    CLOSED = "closed", _("Closed")
    COMPLAINT = "complaint", _("Turned into a complaint")


class FollowUp(models.Model):
    """A low score's follow-up, for the customer's service manager: closed with a note, or
    turned into a complaint."""

    survey = models.OneToOneField(Survey, on_delete=models.CASCADE, related_name="follow_up")
    manager = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("service manager"),
        on_delete=models.PROTECT,
        related_name="survey_follow_ups",
    )
    status = models.CharField(
        _("status"), max_length=10, choices=FollowUpStatus.choices, default=FollowUpStatus.OPEN
    )
    opened_at = models.DateTimeField(_("opened at"))
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("closed by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    note = models.TextField(_("note"), blank=True)
    complaint_ref = models.CharField(_("complaint"), max_length=40, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("survey follow-up")
        verbose_name_plural = _("survey follow-ups")
        indexes = [models.Index(fields=["status", "-id"], name="follow_up_status")]

    def __str__(self) -> str:
        return f"follow-up of survey {self.survey_id} ({self.status})"

    @property
    def is_open(self) -> bool:
        return self.status == FollowUpStatus.OPEN


class Tally(models.Model):
    """Surveys sent and answered, and the answers' score sums, per office and month: kept in
    the sending and answering transactions, so response rates read a few rows, not every
    survey."""

    office = models.ForeignKey("directory.Organisation", on_delete=models.CASCADE, related_name="+")
    month = models.DateField()  # the first day of the month, Shanghai time
    sent = models.PositiveIntegerField(default=0)
    answered = models.PositiveIntegerField(default=0)
    low = models.PositiveIntegerField(default=0)
    solved = models.PositiveIntegerField(default=0)
    responsiveness = models.PositiveIntegerField(default=0)
    attitude = models.PositiveIntegerField(default=0)
    technical_skill = models.PositiveIntegerField(default=0)
    communication = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("survey tally")
        verbose_name_plural = _("survey tallies")
        constraints = [
            models.UniqueConstraint(fields=["office", "month"], name="one_tally_per_office_month")
        ]

    def __str__(self) -> str:
        return f"{self.office_id} {self.month:%Y-%m}: {self.answered}/{self.sent}"
