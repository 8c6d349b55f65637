"""The claim API's tests again, every one through the Redis gate (xiqia/tourism/gate.py).

Same requests, same answers: the gate changes what a claim costs, never what it says.
"""

from __future__ import annotations

import pytest

from tests.tourism.test_api import *  # noqa: F403 (the tests, collected again here)
from tests.tourism.test_api_hot_path import *  # noqa: F403

pytestmark = pytest.mark.usefixtures("gate_on")
