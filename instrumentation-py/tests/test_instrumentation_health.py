"""The health monitor's state machine: unknown until checked, slow is degraded, a hang is unhealthy from its
timeout on without waiting for it, no overlapping runs, and the service's own status combined in."""

from __future__ import annotations

import asyncio

from lookout_instrumentation import DependencyCheck, HealthMonitor, RequestWindow


def test_states() -> None:
    async def scenario() -> None:
        monitor = HealthMonitor("1.0.0", RequestWindow())
        started = asyncio.Event()
        release = asyncio.Event()
        calls = {"hanging": 0}

        async def hanging() -> None:
            calls["hanging"] += 1
            started.set()
            await release.wait()

        async def slow() -> None:
            await asyncio.sleep(0.05)

        async def fine() -> None:
            return None

        monitor.add(DependencyCheck(name="database", check=fine))
        monitor.add(DependencyCheck(name="redis", check=slow, slow_s=0.01))
        monitor.add(DependencyCheck(name="relaycore", check=hanging, critical=False, timeout_s=0.1))
        assert monitor.report()["dependencies"]["database"]["status"] == "unhealthy"  # not checked yet
        await monitor.refresh()  # returns once the hanging check passed its timeout
        report = monitor.report()
        assert report["dependencies"]["database"]["status"] == "healthy"
        assert report["dependencies"]["redis"]["status"] == "degraded"
        assert report["dependencies"]["relaycore"]["status"] == "unhealthy"
        assert report["status"] == "degraded"  # the unhealthy one is not critical
        await monitor.refresh()
        assert calls["hanging"] == 1  # still running: not started a second time
        monitor.self_status = lambda: "unhealthy"
        assert monitor.report()["status"] == "unhealthy"
        release.set()
        await asyncio.sleep(0.01)
        monitor.self_status = None
        await monitor.refresh()
        assert monitor.report()["dependencies"]["relaycore"]["status"] == "healthy"
        assert monitor.errors() == {}

    asyncio.run(scenario())


def test_the_window_counts_the_last_minute() -> None:
    now = [1_000.0]
    window = RequestWindow(lambda: now[0])
    window.record(10, False)
    window.record(30, True)
    assert window.summary() == {"requestsPerMinute": 2, "errorRate": 0.5, "avgResponseTime": 20.0}
    now[0] += 61
    assert window.summary()["requestsPerMinute"] == 0
