"""Reads the investment pages need beyond ``selectors``: the deal list's stage filter."""

from __future__ import annotations

from django.db.models import Q

from xiqia.investment.models import PIPELINE, STEP_DATE_FIELD, Step


def stage_q(stage: str) -> Q:
    """Return the deals whose last step reached is ``stage`` (a ``Step`` value or "signed")."""
    if stage == Step.TERMINATED:
        return Q(terminated_on__isnull=False)
    q = Q(terminated_on__isnull=True)
    if stage == "signed":
        return q & Q(**{f"{STEP_DATE_FIELD[PIPELINE[0]]}__isnull": True})
    index = PIPELINE.index(Step(stage))
    q &= Q(**{f"{STEP_DATE_FIELD[PIPELINE[index]]}__isnull": False})
    if index + 1 < len(PIPELINE):
        q &= Q(**{f"{STEP_DATE_FIELD[PIPELINE[index + 1]]}__isnull": True})
    return q
