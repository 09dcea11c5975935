"""The check registry: CheckResult, the @check decorator and run_checks."""

import logging
from dataclasses import dataclass

logger = logging.getLogger(__name__)

# Check name -> function(run) -> CheckResult, in registration order.
CHECKS = {}


@dataclass
class CheckResult:
    name: str
    # None when the check does not apply to the run.
    passed: bool | None
    score: float | None
    # Human-readable; for a check that does not apply, the reason.
    details: str


def check(name):
    """Register the decorated function as the check `name`; the function may return a result without the name."""

    def register(function):
        if name in CHECKS:
            modules = f"{CHECKS[name].__module__} and {function.__module__}"
            raise ValueError(f"check {name!r} is registered twice, in {modules}")
        CHECKS[name] = function
        return function

    return register


def passed(details, score=1.0):
    return CheckResult(name="", passed=True, score=score, details=details)


def failed(details, score=0.0):
    return CheckResult(name="", passed=False, score=score, details=details)


def not_applicable(details):
    return CheckResult(name="", passed=None, score=None, details=details)


def run_checks(run):
    """Return one result per registered check; a check that raises becomes a failed result."""
    results = []
    for name, function in CHECKS.items():
        try:
            result = function(run)
        except Exception as error:  # noqa: BLE001 - one broken check must not hide the others' results
            logger.exception("check %s raised on run %r (%s)", name, run.agent_name, run.log_format)
            result = failed(f"the check raised {type(error).__name__}: {error}", score=None)
        result.name = name
        results.append(result)
    return results
