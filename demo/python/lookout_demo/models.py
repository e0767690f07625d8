"""The model catalogue the demo shares with RelayCore: demo/shared/models.json, read by demo/shared/models.ts too.

NeuroWeaver serves the ``neuroweaver`` models with these latency and length profiles. Profiles are log-normal
(medians and spreads loosely after public throughput figures for models of these sizes). The functions are the same
as models.ts, number for number: the same Box–Muller sample, rounding and token count.
"""

from __future__ import annotations

import asyncio
import json
import math
import random as _random
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

Task = Literal["chat", "classify", "summarize", "extract"]
TASKS: tuple[Task, ...] = ("chat", "classify", "summarize", "extract")

#: demo/python/lookout_demo/models.py → demo/shared/models.json
CATALOGUE = Path(__file__).resolve().parents[2] / "shared" / "models.json"

_NUMBER_FIELDS = (
    "inputPricePer1k",
    "outputPricePer1k",
    "firstTokenMs",
    "perTokenMs",
    "outputTokensMedian",
    "outputTokensSigma",
)


@dataclass(frozen=True)
class ModelProfile:
    name: str
    provider: Literal["neuroweaver", "external"]
    capabilities: tuple[Task, ...]
    #: USD per 1,000 tokens.
    input_price_per_1k: float
    output_price_per_1k: float
    #: Time to first token, median milliseconds.
    first_token_ms: float
    #: Milliseconds per output token.
    per_token_ms: float
    #: Output tokens: median and log-normal sigma.
    output_tokens_median: float
    output_tokens_sigma: float


@dataclass(frozen=True)
class Generation:
    output_tokens: int
    latency_ms: float


def parse_catalogue(text: str, source: str) -> tuple[ModelProfile, ...]:
    """The catalogue's models, checked field by field (an error names the file, the model's index and the field)."""
    models = json.loads(text).get("models")
    if not isinstance(models, list):
        raise ValueError(f"{source}: /models must be an array")
    profiles = []
    for index, entry in enumerate(models):
        at = f"{source}: /models/{index}"
        if not isinstance(entry, dict):
            raise ValueError(f"{at} must be an object")
        if not isinstance(entry.get("name"), str) or entry["name"] == "":
            raise ValueError(f"{at}/name must be a non-empty string")
        if entry.get("provider") not in ("neuroweaver", "external"):
            raise ValueError(f'{at}/provider must be "neuroweaver" or "external"')
        capabilities = entry.get("capabilities")
        if not isinstance(capabilities, list) or any(c not in TASKS for c in capabilities):
            raise ValueError(f"{at}/capabilities must list tasks from {', '.join(TASKS)}")
        numbers = []
        for field in _NUMBER_FIELDS:
            value = entry.get(field)
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not value >= 0:
                raise ValueError(f"{at}/{field} must be a number ≥ 0")
            numbers.append(value)
        profiles.append(ModelProfile(entry["name"], entry["provider"], tuple(capabilities), *numbers))
    return tuple(profiles)


MODELS: tuple[ModelProfile, ...] = parse_catalogue(CATALOGUE.read_text(encoding="utf-8"), str(CATALOGUE))


def model(name: str) -> ModelProfile | None:
    return next((m for m in MODELS if m.name == name), None)


def js_round(value: float) -> int:
    """Math.round: halves round up (Python's round() would round them to even)."""
    return math.floor(value + 0.5)


def count_tokens(text: str) -> int:
    """Rough token count of a prompt: ~4 characters per token, counted in UTF-16 units as JavaScript's length."""
    return max(1, math.ceil(len(text.encode("utf-16-le")) / 2 / 4))


def _gaussian(random: Callable[[], float]) -> float:
    """A standard normal sample (Box–Muller)."""
    u = 1 - random()
    v = random()
    return math.sqrt(-2 * math.log(u)) * math.cos(2 * math.pi * v)


def log_normal(median: float, sigma: float, random: Callable[[], float] = _random.random) -> float:
    """A log-normal sample with this median and sigma."""
    return median * math.exp(sigma * _gaussian(random))


def simulate_generation(
    profile: ModelProfile,
    max_tokens: int,
    latency_scale: float,
    random: Callable[[], float] = _random.random,
) -> Generation:
    """Output tokens and generation time for one response (latency_scale 0 makes it instant, for benchmarks)."""
    sampled = js_round(log_normal(profile.output_tokens_median, profile.output_tokens_sigma, random))
    output_tokens = max(1, min(max_tokens, sampled))
    first_token_ms = log_normal(profile.first_token_ms, 0.3, random)
    latency_ms = (first_token_ms + output_tokens * profile.per_token_ms) * latency_scale
    return Generation(output_tokens, latency_ms)


def cost_usd(profile: ModelProfile, input_tokens: int, output_tokens: int) -> float:
    cost = (input_tokens * profile.input_price_per_1k + output_tokens * profile.output_price_per_1k) / 1000
    return js_round(cost * 1e8) / 1e8


async def sleep(ms: float) -> None:
    await asyncio.sleep(max(0.0, ms) / 1000)
