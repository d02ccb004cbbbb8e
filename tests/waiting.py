"""Waiting in tests on what the system does, never for a fixed time: poll a condition until it holds."""
from __future__ import annotations

import time


def until(check, timeout: float = 30.0, what: str = "condition", every: float = 0.1):
    """``check()``'s first truthy value, polled every ``every`` seconds; AssertionError naming ``what`` once
    ``timeout`` seconds have passed without it."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(every)
    raise AssertionError(f"{what} not reached in {timeout:g} s")
