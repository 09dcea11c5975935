"""Pages: the run list, a run's detail, its raw JSON, and the feedback post.

Every view requires a logged-in user; queries live on LLMLogQuerySet and in filters.py.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST, require_safe
from django_filters.views import FilterView
from django_tables2 import LazyPaginator, SingleTableMixin

from logs_app import display, search
from logs_app.feedback import save_feedback_form
from logs_app.filters import LLMLogFilter
from logs_app.forms import FeedbackForm
from logs_app.markdown import render_markdown
from logs_app.models import LLMLog
from logs_app.tables import PAGE_SIZES, LLMLogTable

# Above this many matches the list shows "More than N runs" instead of counting every row.
COUNT_CAP = 1000


class LogListView(LoginRequiredMixin, SingleTableMixin, FilterView):
    table_class = LLMLogTable
    filterset_class = LLMLogFilter
    template_name = "logs/list.html"
    paginator_class = LazyPaginator

    def get_queryset(self):
        return LLMLog.objects.list_columns()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        matching = _count_matches(self.filterset, self.object_list)
        context.update(
            matching=matching,
            count_capped=matching > COUNT_CAP,
            count_cap=COUNT_CAP,
            page_sizes=PAGE_SIZES,
            filtered=_has_active_filter(self.filterset),
            # Queried only when nothing matched, to tell an empty database apart from filters that match nothing.
            has_any_runs=matching > 0 or LLMLog.objects.exists(),
        )
        return context


def _active_filters(filterset):
    cleaned = getattr(filterset.form, "cleaned_data", {})
    return {name: value for name, value in cleaned.items() if value not in (None, "")}


def _has_active_filter(filterset):
    return bool(_active_filters(filterset))


def _count_matches(filterset, queryset):
    # A frequent word alone matches more than COUNT_CAP runs; other filters could narrow it, so they are counted.
    active = _active_filters(filterset)
    if filterset.is_valid() and active.keys() == {"q"} and search.is_common(active["q"]):
        return COUNT_CAP + 1
    return queryset.count_up_to(COUNT_CAP)


def _detail_context(log, form):
    return {
        "log": log,
        "form": form,
        "cost": display.cost_breakdown(log),
        "duration": display.format_duration_ms(log.duration_ms),
        "tokens": [
            ("Input", display.format_tokens(log.total_input_tokens)),
            ("Output", display.format_tokens(log.total_output_tokens)),
            ("Cached (read)", display.format_tokens(log.cache_read_tokens)),
            ("Reasoning", display.format_tokens(log.reasoning_tokens)),
        ],
        "reported_cost": None if log.reported_cost is None else display.format_money(log.reported_cost),
        "answer_html": render_markdown(log.assistant_answer),
        "timeline": display.timeline_rows(log.timeline),
        "checks": list(log.checks.all()),
        "feedback_list": list(log.feedback.select_related("user")),
    }


def _get_log(pk):
    # raw_json can be megabytes; only the download view reads it.
    return get_object_or_404(LLMLog.objects.defer("raw_json"), pk=pk)


@require_safe
@login_required
def log_detail(request, pk):
    log = _get_log(pk)
    return render(request, "logs/detail.html", _detail_context(log, FeedbackForm()))


@require_POST
@login_required
def log_feedback(request, pk):
    log = _get_log(pk)
    form = FeedbackForm(request.POST)
    if not form.is_valid():
        return render(request, "logs/detail.html", _detail_context(log, form), status=400)

    save_feedback_form(log, form, user=request.user)
    messages.success(request, "Thanks, your feedback on this run was saved.")
    return redirect(f"{log.get_absolute_url()}#feedback")


@require_safe
@login_required
def log_raw_json(request, pk):
    log = get_object_or_404(LLMLog.objects.only("pk", "raw_json"), pk=pk)
    response = HttpResponse(log.raw_json, content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="run-{log.pk}.json"'
    return response
