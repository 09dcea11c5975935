"""The dashboard page: totals, charts and breakdowns for a time range, each figure linked to its runs."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.views.decorators.http import require_safe

from logs_app.dashboard.forms import DashboardForm
from logs_app.dashboard.page import page_context
from logs_app.dashboard.queries import build_dashboard


@require_safe
@login_required
def dashboard(request):
    form = DashboardForm(request.GET or None)
    time_range, run_filter = form.selection()
    context = page_context(build_dashboard(time_range, run_filter))
    return render(request, "dashboard/dashboard.html", {**context, "form": form})
