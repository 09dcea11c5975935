"""Price a parsed run with the price data bundled in genai-prices.

Each model response is priced on its own (its usage, model, provider and time),
so that price changes and per-request long-context tiers apply as they did.
Nothing here touches the network: genai-prices' ``calc_price`` reads the data
shipped inside the package, and its ``UpdatePrices`` downloader is never started,
so a run prices the same on every machine with the same package version.
"""

import logging
from dataclasses import dataclass, field
from decimal import ROUND_HALF_EVEN, Decimal
from ipaddress import ip_address
from urllib.parse import urlsplit

import genai_prices
from genai_prices.data_snapshot import find_provider_by_id, get_snapshot

logger = logging.getLogger(__name__)

GENAI_PRICES = "genai-prices"
REPORTED = "reported"

# Provider names that frameworks write and genai-prices does not resolve by itself
# (it already maps google-gla, google-vertex, bedrock, xai and the others).
PROVIDER_ALIASES = {"grok": "x-ai"}

LOCAL_HOSTS = {"localhost", "host.docker.internal"}

# A reported cost that differs from the computed one by more than this share is noted.
REPORTED_TOLERANCE = Decimal("0.1")

# The money columns are numeric(20, 10). Every stored amount is rounded here, once, so that
# SQLite and PostgreSQL store the same value. A run that costs a billion dollars has wrong token counts.
COST_PLACES = Decimal("1e-10")
MAX_COST = Decimal(10**9)


@dataclass
class Cost:
    input_cost: Decimal | None = None
    output_cost: Decimal | None = None
    total_cost: Decimal | None = None
    # Why the cost is unknown, or "" when it is known.
    unknown_reason: str = ""
    # GENAI_PRICES, REPORTED, or "" when unknown.
    source: str = ""
    # What the log itself reports (a router's usage cost, the Claude Agent SDK's total_cost_usd).
    reported_cost: Decimal | None = None
    # Sentences for the reader about where the total comes from, the log's own figure when it differs,
    # and any cost figure that was ignored. Empty when genai-prices priced the run at its own date.
    note: str = ""
    # One total per response of run.responses, None where it is unknown; empty for run-level pricing.
    response_costs: list[Decimal | None] = field(default_factory=list)

    @property
    def is_known(self):
        return self.total_cost is not None


class PricingError(Exception):
    """Raised when genai-prices cannot price one usage record; the message names the model and the cause."""


def price_run(run):
    """Return the run's cost, or an unknown cost with the reason.

    Which total is stored when the log reports its own cost:
    - genai-prices fails: the log's figure, and the note keeps genai-prices' reason;
    - the log has timestamps: genai-prices' figure, and the note names the log's figure when it differs;
    - the log has no timestamps, so genai-prices can only use its newest prices: the log's figure when
      the two differ, because the log worked it out when the run was made. The note names both.
    """
    notes = _ignored_cost_notes(run)
    reported = reported_cost(run)
    if reported is not None and not _storable(reported):
        notes.append(f"The log reports a cost of {_usd(reported)} USD, which cannot be right, so it was ignored.")
        reported = None

    try:
        cost, undated = _price(run)
    except PricingError as error:
        cost = _fall_back(str(error), reported)
    else:
        cost = _compare(cost, undated, reported)
    cost.note = " ".join([*notes, cost.note] if cost.note else notes)
    return cost


def reported_cost(run):
    """Return the cost that the log itself reports for the whole run, or None."""
    if run.reported_cost is not None:
        return run.reported_cost
    responses = run.responses
    costs = [message.usage.reported_cost for message in responses if message.usage is not None]
    if responses and len(costs) == len(responses) and all(cost is not None for cost in costs):
        return sum(costs, Decimal(0))
    return run.usage.reported_cost


def _price(run):
    """Return (Cost from genai-prices, whether the prices' date was guessed); raise PricingError."""
    responses = run.responses
    priced = [message for message in responses if _has_usage(message.usage)]
    if priced and len(priced) == len(responses):
        cost, undated = _price_responses(run, responses)
    elif _has_usage(run.usage) and run.usage_complete:
        # The log's own run totals, used when the responses carry no usage of their own.
        cost, undated = _price_run_usage(run)
    elif priced:
        raise PricingError(f"usage missing on {len(responses) - len(priced)} of {len(responses)} responses")
    elif _has_usage(run.usage):
        raise PricingError(_run_usage_fault(run.usage))
    else:
        raise PricingError("the log has no token usage")

    if not _storable(cost.total_cost):
        raise PricingError(
            f"cost of {_usd(cost.total_cost)} USD exceeds the maximum the database stores; "
            "the token counts are probably wrong"
        )
    cost.input_cost = _round(cost.input_cost)
    cost.output_cost = _round(cost.output_cost)
    cost.total_cost = _round(cost.total_cost)
    cost.response_costs = [_round(amount) for amount in cost.response_costs]
    return cost, undated


def _has_usage(usage):
    """True when usage gives token counts, or records what is wrong with them; a bad cost figure alone is no usage."""
    return usage is not None and not usage.is_empty


def _run_usage_fault(usage):
    """Return why run-level usage that the log gives cannot be priced (the parser marked it incomplete)."""
    if usage.problem:
        return _count_fault(usage)
    return "the log's run-level token usage covers only part of the run"


def _count_fault(usage):
    # Usage.problem names each fault itself (not a whole number, negative, larger than another count),
    # so the lead-in states only that the counts cannot be used, whatever the fault.
    return f"the token counts cannot be used: {usage.problem}"


def _price_responses(run, responses):
    input_cost = output_cost = Decimal(0)
    response_costs = []
    undated = False
    for number, message in enumerate(responses, start=1):
        timestamp = message.timestamp or run.started_at or run.finished_at
        undated = undated or timestamp is None
        try:
            result = price_usage(
                message.usage,
                model=message.model_name or run.model,
                provider=message.provider_name or run.provider,
                provider_url=message.provider_url or run.provider_url,
                timestamp=timestamp,
            )
        except PricingError as error:
            raise PricingError(f"response {number} of {len(responses)}: {error}") from error
        input_cost += result.input_price
        output_cost += result.output_price
        response_costs.append(result.total_price)

    cost = Cost(
        input_cost=input_cost,
        output_cost=output_cost,
        total_cost=sum(response_costs, Decimal(0)),
        source=GENAI_PRICES,
        response_costs=response_costs,
    )
    return cost, undated


def _price_run_usage(run):
    first = run.responses[0] if run.responses else None
    timestamp = run.started_at or run.finished_at or (first.timestamp if first else None)
    # NOTE: run totals add up the inputs of every request. A long-context tier can therefore
    # apply here although no single request crossed it, which per-response usage avoids.
    result = price_usage(
        run.usage,
        model=run.model or (first.model_name if first else ""),
        provider=run.provider or (first.provider_name if first else ""),
        provider_url=run.provider_url or (first.provider_url if first else ""),
        timestamp=timestamp,
    )
    cost = Cost(
        input_cost=result.input_price,
        output_cost=result.output_price,
        total_cost=result.total_price,
        source=GENAI_PRICES,
    )
    return cost, timestamp is None


def _compare(cost, undated, reported):
    """Choose between genai-prices' total and the log's own figure, and note what the reader should know."""
    computed = cost.total_cost
    if reported is None:
        if undated:
            cost.note = (
                f"The log has no timestamps, so genai-prices priced it at its newest prices ({_usd(computed)} USD); "
                "the cost may differ from what was billed if prices changed since the run."
            )
        return cost

    cost.reported_cost = _round(reported)
    differs = abs(computed - reported) > REPORTED_TOLERANCE * max(reported, computed)
    if undated and differs:
        return Cost(
            total_cost=cost.reported_cost,
            source=REPORTED,
            reported_cost=cost.reported_cost,
            note=(
                f"The total is the {_usd(reported)} USD that the log itself reports. The log has no timestamps, "
                f"so genai-prices could only use its newest prices, which give {_usd(computed)} USD."
            ),
        )
    if undated:
        cost.note = (
            f"The log has no timestamps, so genai-prices priced it at its newest prices ({_usd(computed)} USD), "
            f"which agrees with the {_usd(reported)} USD that the log itself reports."
        )
    elif differs:
        cost.note = (
            f"The log itself reports {_usd(reported)} USD; the total is genai-prices' {_usd(computed)} USD "
            "at the prices in effect when the run was made."
        )
    return cost


def _fall_back(reason, reported):
    """Return the cost when genai-prices failed: the log's own figure with genai-prices' reason, or unknown."""
    if reported is None:
        return Cost(unknown_reason=reason)
    return Cost(
        total_cost=_round(reported),
        source=REPORTED,
        reported_cost=_round(reported),
        note=f"The total is the {_usd(reported)} USD that the log itself reports, because genai-prices "
        f"could not price the run: {reason}.",
    )


def _ignored_cost_notes(run):
    """Return a sentence for each cost figure the parser found in the log and set aside (Usage.cost_problem)."""
    usages = [run.usage] + [message.usage for message in run.responses if message.usage is not None]
    found = []
    for usage in usages:
        for problem in usage.cost_problem.split("; "):
            if problem and problem not in found:
                found.append(problem)
    return [f"The log's own cost figure was ignored: {problem}." for problem in found]


def _storable(amount):
    """Return whether the money columns can hold the amount: finite, not negative, below MAX_COST."""
    return amount.is_finite() and Decimal(0) <= amount < MAX_COST


def _round(amount):
    return amount.quantize(COST_PLACES, rounding=ROUND_HALF_EVEN)


def _usd(amount):
    """Format an amount for a note: plain digits to at most ten decimal places, or an exponent when huge."""
    if not amount.is_finite():
        return str(amount)
    if abs(amount) >= MAX_COST * 10**9:
        return f"{amount:.3E}"
    return f"{_round(amount).normalize():f}"


def price_usage(usage, *, model, provider="", provider_url="", timestamp=None):
    """Price one usage record and return genai-prices' PriceCalculation.

    Raise PricingError when the usage is invalid or genai-prices has no price for the model.
    A timestamp of None prices at the newest prices in the bundled data.
    """
    if usage.problem:
        raise PricingError(_count_fault(usage))
    if usage.input_tokens is None or usage.output_tokens is None:
        missing = "input" if usage.input_tokens is None else "output"
        raise PricingError(f"the usage has no {missing} token count")
    if not model:
        raise PricingError("the log names no model")
    if provider_url and _is_local(provider_url):
        raise PricingError(
            f"model {model!r} was served from the local endpoint {provider_url}; genai-prices has no price for it"
        )

    prices_usage = genai_prices.Usage(
        input_tokens=usage.input_tokens,
        output_tokens=usage.output_tokens,
        cache_read_tokens=usage.cache_read_tokens,
        cache_write_tokens=usage.cache_write_tokens,
        output_reasoning_tokens=usage.reasoning_tokens,
    )
    first_lookup_error = None
    for model_ref, lookup in _candidates(model, provider, provider_url):
        try:
            return genai_prices.calc_price(prices_usage, model_ref, genai_request_timestamp=timestamp, **lookup)
        except LookupError as error:
            first_lookup_error = first_lookup_error or error
        except ValueError as error:
            raise PricingError(f"genai-prices rejected the usage of model {model!r}: {error}") from error

    where = f"provider {provider!r}" if provider else "no provider"
    if provider_url:
        where += f" at {provider_url}"
    raise PricingError(f"genai-prices has no price for model {model!r} ({where}): {first_lookup_error}")


def _candidates(model, provider, provider_url):
    """Yield (model_ref, lookup kwargs) pairs to try, the most specific first."""
    refs = [model]
    colon_provider = ""
    prefix, colon, rest = model.partition(":")
    # pydantic-ai's "provider:model" form, e.g. google-gla:gemini-2.0-flash-lite; a colon
    # after a router's vendor path (google/gemma-3-27b-it:free) is a variant, not a provider.
    if colon and rest and "/" not in prefix and _known_provider(prefix):
        colon_provider = prefix
        refs.append(rest)
    for ref in list(refs):
        vendor, slash, bare = ref.partition("/")
        if slash and bare:
            refs.append(bare)

    lookups = []
    if provider_url:
        lookups.append({"provider_api_url": provider_url})
    for name in (provider, colon_provider):
        if name:
            lookups.append({"provider_id": PROVIDER_ALIASES.get(name.lower(), name)})
    if not lookups:
        lookups.append({})

    for lookup in lookups:
        for ref in refs:
            yield ref, lookup


def _known_provider(name):
    name = PROVIDER_ALIASES.get(name.lower(), name)
    return find_provider_by_id(get_snapshot().providers, name) is not None


def _is_local(url):
    host = urlsplit(url if "//" in url else f"//{url}").hostname or ""
    if host in LOCAL_HOSTS:
        return True
    try:
        address = ip_address(host)
    except ValueError:
        return False
    return address.is_loopback or address.is_private or address.is_unspecified
