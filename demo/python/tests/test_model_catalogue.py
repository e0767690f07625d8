"""The model catalogue and the generation model, without servers."""

from __future__ import annotations

import json
import math
from itertools import cycle

import pytest

from lookout_demo.models import (
    CATALOGUE,
    MODELS,
    count_tokens,
    cost_usd,
    js_round,
    log_normal,
    model,
    parse_catalogue,
    simulate_generation,
)


def test_reads_the_catalogue_models_ts_reads() -> None:
    assert CATALOGUE.parts[-3:] == ("demo", "shared", "models.json")
    raw = json.loads(CATALOGUE.read_text())["models"]
    assert [m.name for m in MODELS] == [m["name"] for m in raw]
    llama = model("nw-llama-3-8b")
    assert llama is not None
    assert (llama.provider, llama.capabilities, llama.output_price_per_1k) == (
        "neuroweaver", ("chat", "classify", "summarize"), 0.0006,
    )
    assert model("gpt-17") is None


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ({"name": "", "provider": "external"}, "/models/0/name must be a non-empty string"),
        ({"name": "m", "provider": "cloud"}, '/models/0/provider must be "neuroweaver" or "external"'),
        ({"name": "m", "provider": "external", "capabilities": ["dance"]}, "/models/0/capabilities must list tasks"),
    ],
)
def test_a_malformed_catalogue_names_the_model_and_field(entry: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_catalogue(json.dumps({"models": [entry]}), "models.json")


def test_counts_tokens_like_javascript_string_length() -> None:
    assert count_tokens("") == 1
    assert count_tokens("abcd") == 1
    assert count_tokens("abcde") == 2
    assert count_tokens("😀😀") == 1  # four UTF-16 units


def test_rounds_halves_up_like_math_round() -> None:
    assert (js_round(0.5), js_round(1.5), js_round(2.5), js_round(-0.5)) == (1, 2, 3, 0)


def test_log_normal_is_box_muller_around_the_median() -> None:
    # u = 1 - 0.5, v = 0.25: cos(π/2) = 0, so the sample is the median itself.
    assert log_normal(60, 0.5, iter([0.5, 0.25]).__next__) == pytest.approx(60)
    z = math.sqrt(-2 * math.log(1 - 0.9)) * math.cos(0)
    assert log_normal(60, 0.5, iter([0.9, 0.0]).__next__) == pytest.approx(60 * math.exp(0.5 * z))


def test_generation_respects_max_tokens_and_scales_latency() -> None:
    llama = model("nw-llama-3-8b")
    assert llama is not None
    median = simulate_generation(llama, 1024, 1, cycle([0.5, 0.25]).__next__)
    assert median.output_tokens == 60
    assert median.latency_ms == pytest.approx(60 + 60 * 4)
    capped = simulate_generation(llama, 5, 1, cycle([0.999, 0.0]).__next__)
    assert capped.output_tokens == 5
    assert simulate_generation(llama, 5, 0, cycle([0.5, 0.25]).__next__).latency_ms == 0


def test_cost_is_rounded_to_eight_decimals() -> None:
    llama = model("nw-llama-3-8b")
    assert llama is not None
    assert cost_usd(llama, 100, 100) == 0.00008
    assert cost_usd(llama, 1, 1) == 8e-7
    assert cost_usd(llama, 1, 0) == 2e-7  # 0.0000002: no float noise beyond the eighth decimal
