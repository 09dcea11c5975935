"""Price a parsed run with the price data bundled in genai-prices.

Each model response is priced on its own (its usage, model, provider and time),
so that price changes and per-request long-context tiers apply as they did.
Nothing here touches the network: genai-prices' ``calc_price`` reads the data
shipped inside the package, and its ``UpdatePrices`` downloader is never started,
so a run prices the same on every machine with the same package version.
"""

import logging
from dataclasses import dataclass, field
from decimal import Decimal
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
    # Why genai-prices could not price a run whose total comes from the reported cost, or "".
    note: str = ""
    # One total per response of run.responses, None where it is unknown; empty for run-level pricing.
    response_costs: list[Decimal | None] = field(default_factory=list)

    @property
    def is_known(self):
        return self.total_cost is not None


class PricingError(Exception):
    """Raised when genai-prices cannot price one usage record; the message names the model and the cause."""


def price_run(run):
    """Return the run's cost, or an unknown cost with the reason."""
    reported = reported_cost(run)
    responses = run.responses
    priced = [message for message in responses if _has_usage(message.usage)]

    if priced and len(priced) == len(responses):
        return _price_responses(run, responses, reported)
    if not run.usage.is_empty and run.usage_complete:
        # The log's own run totals, used when the responses carry no usage of their own.
        return _price_run_usage(run, reported)
    if priced:
        missing = len(responses) - len(priced)
        return _unknown(f"usage missing on {missing} of {len(responses)} responses", reported)
    return _unknown("the log has no token usage", reported)


def reported_cost(run):
    """Return the cost that the log itself reports for the whole run, or None."""
    if run.reported_cost is not None:
        return run.reported_cost
    responses = run.responses
    costs = [message.usage.reported_cost for message in responses if message.usage is not None]
    if responses and len(costs) == len(responses) and all(cost is not None for cost in costs):
        return sum(costs, Decimal(0))
    return run.usage.reported_cost


def _has_usage(usage):
    return usage is not None and not usage.is_empty


def _price_responses(run, responses, reported):
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
            return _unknown(f"response {number} of {len(responses)}: {error}", reported)
        input_cost += result.input_price
        output_cost += result.output_price
        response_costs.append(result.total_price)

    cost = Cost(
        input_cost=input_cost,
        output_cost=output_cost,
        total_cost=sum(response_costs, Decimal(0)),
        source=GENAI_PRICES,
        reported_cost=reported,
        response_costs=response_costs,
    )
    return _with_note(cost, undated)


def _price_run_usage(run, reported):
    first = run.responses[0] if run.responses else None
    timestamp = run.started_at or run.finished_at or (first.timestamp if first else None)
    # NOTE: run totals add up the inputs of every request. A long-context tier can therefore
    # apply here although no single request crossed it, which per-response usage avoids.
    try:
        result = price_usage(
            run.usage,
            model=run.model or (first.model_name if first else ""),
            provider=run.provider or (first.provider_name if first else ""),
            provider_url=run.provider_url or (first.provider_url if first else ""),
            timestamp=timestamp,
        )
    except PricingError as error:
        return _unknown(str(error), reported)
    cost = Cost(
        input_cost=result.input_price,
        output_cost=result.output_price,
        total_cost=result.total_price,
        source=GENAI_PRICES,
        reported_cost=reported,
    )
    return _with_note(cost, timestamp is None)


def _with_note(cost, undated):
    """Note what a reader of a computed cost should know: missing times, a reported cost that differs."""
    notes = []
    if undated:
        notes.append("the log has no timestamps, so the newest prices in genai-prices were used")
    reported = cost.reported_cost
    if reported is not None and abs(cost.total_cost - reported) > REPORTED_TOLERANCE * max(reported, cost.total_cost):
        notes.append(f"the log reports a cost of {reported} USD")
    cost.note = "; ".join(notes)
    return cost


def _unknown(reason, reported):
    if reported is not None:
        return Cost(
            total_cost=reported,
            source=REPORTED,
            reported_cost=reported,
            note=f"{reason}; the total is the cost the log reports",
        )
    return Cost(unknown_reason=reason)


def price_usage(usage, *, model, provider="", provider_url="", timestamp=None):
    """Price one usage record and return genai-prices' PriceCalculation.

    Raise PricingError when the usage is invalid or genai-prices has no price for the model.
    A timestamp of None prices at the newest prices in the bundled data.
    """
    if usage.problem:
        raise PricingError(f"the token counts are inconsistent: {usage.problem}")
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
