"""Lookout's instrumentation for Python (FastAPI) services: `instrument(app)`; see instrument.py and
docs/instrumentation.md. The twin of the Node package @lookout/instrumentation, built from the same contract."""

from .ai import AiCall, AiOutcome, UserIdHasher, record_ai_call
from .config import InstrumentationConfigError, Settings
from .contract import CONTRACT as contract
from .health import DependencyCheck, HealthMonitor, HealthStatus
from .http import UNMATCHED_ROUTE, MetricsMiddleware, bearer_matches
from .instrument import Instrumentation, instrument
from .logs import JsonFormatter, trace_fields
from .metrics import ServiceMetrics, method_label
from .window import RequestWindow

__version__ = "0.1.0"
__all__ = [
    "AiCall",
    "AiOutcome",
    "DependencyCheck",
    "HealthMonitor",
    "HealthStatus",
    "Instrumentation",
    "InstrumentationConfigError",
    "JsonFormatter",
    "MetricsMiddleware",
    "RequestWindow",
    "ServiceMetrics",
    "Settings",
    "UNMATCHED_ROUTE",
    "UserIdHasher",
    "bearer_matches",
    "contract",
    "instrument",
    "method_label",
    "record_ai_call",
    "trace_fields",
]
