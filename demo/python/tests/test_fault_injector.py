"""FaultInjector as plain logic: no server, a fake sleep and a scripted random()."""

from __future__ import annotations

import asyncio

import pytest

from lookout_demo.faults import NO_FAULTS, FaultError, FaultInjector


def injector(random: float = 0.5) -> tuple[FaultInjector, list[float]]:
    slept: list[float] = []

    async def sleep(seconds: float) -> None:
        slept.append(seconds)

    return FaultInjector(["runawayCost"], ["database", "redis"], random=lambda: random, sleep=sleep), slept


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ([], "body must be a JSON object"),
        (None, "body must be a JSON object"),
        ({"meteor": 1}, 'unknown fault "meteor"; known: latencyMs, errorRate, down, failDependency, primaryOutage, '
         "runawayCost"),
        ({"primaryOutage": True}, 'this service has no "primaryOutage" fault'),
        ({"latencyMs": -1}, "latencyMs must be 0–120000"),
        ({"latencyMs": 120_001}, "latencyMs must be 0–120000"),
        ({"latencyMs": True}, "latencyMs must be 0–120000"),
        ({"errorRate": 1.5}, "errorRate must be 0–1"),
        ({"errorRate": "1"}, "errorRate must be 0–1"),
        ({"failDependency": "relaycore"}, "failDependency must be null or one of database, redis"),
        ({"down": 1}, "down must be true or false"),
        ({"runawayCost": "true"}, "runawayCost must be true or false"),
    ],
)
def test_refuses_an_invalid_update_and_changes_nothing(body: object, message: str) -> None:
    faults, _ = injector()
    faults.update({"latencyMs": 5})
    assert faults.update(body) == message
    assert faults.state == {**NO_FAULTS, "latencyMs": 5}


def test_applies_a_partial_update_and_resets() -> None:
    faults, _ = injector()
    assert faults.update({"errorRate": 0.25, "failDependency": "redis", "runawayCost": True}) is None
    assert faults.update({"latencyMs": 10}) is None
    assert faults.state == {**NO_FAULTS, "latencyMs": 10, "errorRate": 0.25, "failDependency": "redis",
                            "runawayCost": True}
    assert list(faults.state) == list(NO_FAULTS)  # the API's key order
    faults.reset()
    assert faults.state == NO_FAULTS


def test_guard_fails_only_the_named_dependency() -> None:
    faults, _ = injector()
    faults.guard("database")
    faults.update({"failDependency": "database"})
    with pytest.raises(FaultError, match="database unavailable"):
        faults.guard("database")
    faults.guard("redis")
    faults.update({"failDependency": None})
    faults.guard("database")


def test_latency_and_errors_apply_to_api_paths_only() -> None:
    faults, slept = injector(random=0.3)
    faults.update({"latencyMs": 250, "errorRate": 0.4})
    admit = lambda path: asyncio.run(faults.admit(path, lambda: None))  # noqa: E731
    assert admit("/v1/models") == "error"
    assert slept == [0.25]
    for path in ("/health", "/metrics", "/admin/faults", "/health?x=1", "/metrics/"):
        assert admit(path) == "continue"
    assert slept == [0.25]
    assert admit("/healthz") == "error"  # not an operational path
    faults.update({"errorRate": 0.3})
    assert admit("/v1/models") == "continue"  # random() 0.3 is not below 0.3


def test_down_holds_all_but_admin_until_reset_or_lifted() -> None:
    faults, _ = injector()
    released: list[str] = []
    faults.update({"down": True})

    async def admit(path: str) -> str:
        return await faults.admit(path, lambda: released.append(path))

    assert asyncio.run(admit("/v1/models")) == "hang"
    assert asyncio.run(admit("/health")) == "hang"
    assert asyncio.run(admit("/admin/faults")) == "continue"
    faults.update({"latencyMs": 1})  # still down: nothing released
    assert released == []
    faults.update({"down": False})
    assert released == ["/v1/models", "/health"]
    faults.update({"down": True})
    asyncio.run(admit("/v1/deployments"))
    faults.reset()
    assert released == ["/v1/models", "/health", "/v1/deployments"]


def test_a_forgotten_hold_is_not_released() -> None:
    faults, _ = injector()
    faults.update({"down": True})
    released: list[int] = []

    def release() -> None:
        released.append(1)

    asyncio.run(faults.admit("/v1/models", release))
    faults.forget(release)
    faults.reset()
    assert released == []
