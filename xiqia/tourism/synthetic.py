"""Synthetic resident ID numbers for demo data, tests and benchmarks. They are NOT real people.

Each number is built from a real GB/T 2260 region code, a birth date and a sequence number, and
ends in the correct ISO 7064 check digit, so it passes the same validation as a real one
(``personal.validate``). Nothing in them refers to a living person: the sequence numbers
are drawn from a seeded generator.
"""

from __future__ import annotations

import datetime
import random
from functools import lru_cache

from stdnum.cn import ric

# Region codes of Jiulongpo and Xindu today, the older prefixes that people born there before
# the renumbering still carry (the reason the prefix never decides residency), and a few other
# districts. A number is drawn again until stdnum's ``ric.is_valid`` accepts it: it wants the
# code in force in the birth year, stricter than our rule (in force on or after the birth date,
# ``personal.address_code_in_force_since``), so every number drawn passes ours too.
SYNTHETIC_PREFIXES = ("500107", "510114", "510213", "510125", "500112", "500103", "510104")


def synthetic_id_number(region_code: str, birth: datetime.date, sequence: int) -> str:
    """Return an 18-character ID number with a valid check digit for the given parts."""
    body = f"{region_code}{birth:%Y%m%d}{sequence % 1000:03d}"
    return body + ric.calc_check_digit(body + "0")


def synthetic_people(rng: random.Random, count: int) -> list[str]:
    """Return ``count`` distinct synthetic ID numbers drawn from ``rng``."""
    seen: set[str] = set()
    people: list[str] = []
    start = datetime.date(1950, 1, 1).toordinal()
    span = datetime.date(2005, 12, 31).toordinal() - start
    while len(people) < count:
        number = synthetic_id_number(
            rng.choice(SYNTHETIC_PREFIXES),
            datetime.date.fromordinal(start + rng.randrange(span)),
            rng.randrange(1000),
        )
        if number not in seen and _in_force(number[:6], number[6:12]) and ric.is_valid(number):
            seen.add(number)
            people.append(number)
    return people


@lru_cache(maxsize=4096)
def _in_force(region_code: str, year_month: str) -> bool:
    """Return whether stdnum knows the region code for births in that month (cheap pre-check)."""
    return ric.is_valid(
        synthetic_id_number(
            region_code, datetime.date(int(year_month[:4]), int(year_month[4:]), 15), 0
        )
    )
