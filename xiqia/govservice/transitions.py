"""THE transition table of a case: every (state, action) pair that exists, and who acts.

The services in ``xiqia.govservice.services`` consult this table and nothing else; a pair not
in it is refused. Pauses, resumptions and extensions stop or move the legal clock without
changing the state, so they appear as moves from a state to itself.

Why a table of our own rather than django-fsm-2: the whole machine is one literal that tests
enumerate (every pair not in it must be refused), pages read to offer only the allowed
actions, and the documentation renders; the row lock and the log row are written by one
function (``services._transition``) so no transition can skip them.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from xiqia.govservice.models import CaseState as S


class Side(enum.StrEnum):
    """Which district's staff performs an action."""

    RECEIVING = "receiving"  # the clerks of the window where the case was received
    HANDLING = "handling"  # the reviewers of the district that decides the matter
    APPLICANT = "applicant"  # the applicant, with the case number and verification code


class Action(enum.StrEnum):
    PRECHECK = "precheck"
    REJECT = "reject"
    REQUEST_SUPPLEMENT = "request_supplement"
    RESUBMIT = "resubmit"
    ACCEPT = "accept"
    DISPATCH = "dispatch"
    DELIVER = "deliver"
    PAUSE = "pause"
    RESUME = "resume"
    EXTEND = "extend"
    SCHEDULE_REVIEW = "schedule_review"
    RECORD_REVIEW = "record_review"
    DECIDE = "decide"
    ISSUE_RESULT = "issue_result"
    RECOGNISE = "recognise"
    CLOSE = "close"
    RATE = "rate"
    WITHDRAW = "withdraw"


ACTION_LABELS = {
    Action.PRECHECK: _("Start the pre-check"),
    Action.REJECT: _("Reject"),
    Action.REQUEST_SUPPLEMENT: _("Request supplementary materials"),
    Action.RESUBMIT: _("Supplement received"),
    Action.ACCEPT: _("Accept"),
    Action.DISPATCH: _("Dispatch the materials"),
    Action.DELIVER: _("Confirm delivery"),
    Action.PAUSE: _("Pause the clock"),
    Action.RESUME: _("Resume the clock"),
    Action.EXTEND: _("Extend the time limit"),
    Action.SCHEDULE_REVIEW: _("Schedule the joint review"),
    Action.RECORD_REVIEW: _("Record the joint review"),
    Action.DECIDE: _("Decide"),
    Action.ISSUE_RESULT: _("Issue the result"),
    Action.RECOGNISE: _("Deliver or recognise the result"),
    Action.CLOSE: _("Close"),
    Action.RATE: _("Rate"),
    Action.WITHDRAW: _("Withdraw"),
}


@dataclass(frozen=True)
class Move:
    target: S
    side: Side


# The states in which the legal clock runs (accepted, not yet decided).
CLOCK_STATES = (S.ACCEPTED, S.IN_TRANSIT, S.DELIVERED, S.REVIEW_SCHEDULED, S.REVIEWED)
# Withdrawal is possible until the decision.
OPEN_STATES = (S.RECEIVED, S.PRECHECK, S.SUPPLEMENT, *CLOCK_STATES)

R, H, APPLICANT = Side.RECEIVING, Side.HANDLING, Side.APPLICANT

TABLE: dict[tuple[S, Action], Move] = {
    (S.RECEIVED, Action.PRECHECK): Move(S.PRECHECK, R),
    (S.PRECHECK, Action.REJECT): Move(S.REJECTED, R),
    (S.PRECHECK, Action.REQUEST_SUPPLEMENT): Move(S.SUPPLEMENT, R),
    (S.SUPPLEMENT, Action.RESUBMIT): Move(S.PRECHECK, R),
    (S.PRECHECK, Action.ACCEPT): Move(S.ACCEPTED, R),
    (S.ACCEPTED, Action.DISPATCH): Move(S.IN_TRANSIT, R),
    (S.IN_TRANSIT, Action.DELIVER): Move(S.DELIVERED, H),
    (S.DELIVERED, Action.SCHEDULE_REVIEW): Move(S.REVIEW_SCHEDULED, H),
    (S.REVIEW_SCHEDULED, Action.SCHEDULE_REVIEW): Move(S.REVIEW_SCHEDULED, H),  # rescheduled
    (S.REVIEW_SCHEDULED, Action.RECORD_REVIEW): Move(S.REVIEWED, H),
    (S.REVIEWED, Action.DECIDE): Move(S.DECIDED, H),
    (S.DECIDED, Action.ISSUE_RESULT): Move(S.RESULT_ISSUED, H),
    (S.RESULT_ISSUED, Action.RECOGNISE): Move(S.RECOGNISED, R),
    (S.RECOGNISED, Action.CLOSE): Move(S.CLOSED, R),
    (S.REJECTED, Action.CLOSE): Move(S.CLOSED, R),
    (S.CLOSED, Action.RATE): Move(S.RATED, APPLICANT),
    **{(state, Action.PAUSE): Move(state, H) for state in CLOCK_STATES},
    **{(state, Action.RESUME): Move(state, H) for state in CLOCK_STATES},
    **{(state, Action.EXTEND): Move(state, H) for state in CLOCK_STATES},
    **{(state, Action.WITHDRAW): Move(S.WITHDRAWN, R) for state in OPEN_STATES},
}


def move_for(state: str, action: Action) -> Move | None:
    """Return the move of ``action`` from ``state``, or ``None`` when the table has none."""
    return TABLE.get((S(state), action))


def actions_from(state: str) -> list[Action]:
    """Return the actions the table allows from ``state``, in the table's order."""
    return [action for (source, action) in TABLE if source == state]
