"""Put the access principal in every template, so pages show only what the user may use."""

from typing import Any

from django.http import HttpRequest

from xiqia.accounts.access import principal_for
from xiqia.accounts.policies import may_list_people


def principal(request: HttpRequest) -> dict[str, Any]:
    who = principal_for(getattr(request, "user", None))
    return {"principal": who, "may_list_people": may_list_people(who)}
