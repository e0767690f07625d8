"""Lookout's demo stand-ins for AutoMatrix (workflows) and NeuroWeaver (model serving), on FastAPI under uvicorn.

Each service module builds its app with ``create_app(settings)`` and runs it with ``main()``; ``python -m
lookout_demo.automatrix`` and ``python -m lookout_demo.neuroweaver`` are the entry points. The HTTP APIs, fault knobs,
schema, Redis keys and metrics are those of the Fastify stand-ins they replaced, so RelayCore (demo/relaycore/), the
load generator (demo/loadgen/) and the synthetic flows (synthetics/flows/) call them unchanged.
"""
