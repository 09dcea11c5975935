"""Rule-based evaluation checks of a parsed run.

Each check is a small function registered with @check(name); run_checks(run) returns
one CheckResult per registered check. The names are stored in eval_checks.check_name,
which existing dashboards query, so keep them stable.
"""

# Importing the check modules registers their checks, in this order.
from . import instruction_checks, answer, tools, response_checks  # noqa: F401, I001
from .registry import CHECKS, CheckResult, check, run_checks

__all__ = ["CHECKS", "CheckResult", "check", "run_checks"]
