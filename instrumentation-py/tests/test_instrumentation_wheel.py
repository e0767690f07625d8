"""The package as a team installs it: the wheel built from this folder, installed into a fresh virtual environment
outside the repository (its dependencies from the pinned, hashed python/requirements.lock, from PyPI), and a FastAPI
app there instrumented by it and served by uvicorn — /metrics, /health and the contract file checked over HTTP."""

from __future__ import annotations

import json
import subprocess
import sys
import time
import urllib.error
import urllib.request
import zipfile
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1]
REPO = PACKAGE.parent
TOKEN = "wheel-test-metrics-token-0123"
APP = '''
import json, os, socket, uvicorn
from fastapi import FastAPI
from importlib import resources
from lookout_instrumentation import instrument

app = FastAPI()
inst = instrument(app, service_name="orders")

@app.get("/orders/{order_id}")
async def order(order_id: str) -> dict:
    return {"id": order_id}

@app.get("/contract")
async def contract() -> dict:
    return json.loads(resources.files("lookout_instrumentation").joinpath("contract.json").read_text())

# The server's own socket on port 0, its number written for the test: no port is chosen and released first.
sock = socket.socket()
sock.bind(("127.0.0.1", 0))
open(os.environ["PORT_FILE"], "w").write(str(sock.getsockname()[1]))
uvicorn.Server(uvicorn.Config(app, log_config=None)).run(sockets=[sock])
'''


def _get(url: str, headers: dict[str, str] | None = None) -> tuple[int, str]:
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=5) as answer:
            return answer.status, answer.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def test_the_wheel_installs_and_instruments_an_app_outside_the_repository(tmp_path: Path) -> None:
    dist = tmp_path / "dist"
    subprocess.run(
        [sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", str(dist), str(PACKAGE)],
        check=True,
        capture_output=True,
    )
    (wheel,) = dist.glob("lookout_instrumentation-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
        packaged = json.loads(archive.read("lookout_instrumentation/contract.json"))
    assert "lookout_instrumentation/py.typed" in names
    assert not [n for n in names if "/tests/" in n or n.startswith("tests/")]
    assert packaged == json.loads((REPO / "instrumentation" / "contract.json").read_text())

    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    python = str(venv / "bin" / "python")
    lock = str(REPO / "python" / "requirements.lock")
    pip = [python, "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
    subprocess.run([*pip, "--require-hashes", "--no-deps", "-r", lock], check=True, capture_output=True)
    subprocess.run([*pip, "--no-deps", str(wheel)], check=True, capture_output=True)
    project = tmp_path / "orders"
    project.mkdir()
    (project / "app.py").write_text(APP)

    port_file = tmp_path / "port"
    env = {"PATH": "/usr/bin:/bin", "PORT_FILE": str(port_file), "LOOKOUT_METRICS_TOKEN": TOKEN}
    env["OTEL_TRACES_EXPORTER"] = "none"
    server = subprocess.Popen([python, "app.py"], cwd=project, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        base = ""
        for _ in range(300):
            assert server.poll() is None, server.stdout.read().decode() if server.stdout else ""
            if port_file.exists() and port_file.read_text():
                base = f"http://127.0.0.1:{port_file.read_text()}"
                try:
                    if _get(f"{base}/health")[0] == 200:
                        break
                except OSError:
                    pass
            time.sleep(0.1)
        assert _get(f"{base}/orders/A-1001")[0] == 200
        assert _get(f"{base}/metrics")[0] == 401
        status, text = _get(f"{base}/metrics", {"authorization": f"Bearer {TOKEN}"})
        assert status == 200
        assert 'http_requests_total{method="GET",route="/orders/{order_id}",status_code="200"} 1.0' in text
        assert "A-1001" not in text
        assert json.loads(_get(f"{base}/contract")[1]) == packaged
        # Imported from the fresh environment, not from the repository.
        location = subprocess.run(
            [python, "-c", "import lookout_instrumentation; print(lookout_instrumentation.__file__)"],
            cwd=project, capture_output=True, text=True, env=env, check=True,
        ).stdout
        assert location.startswith(str(venv))
    finally:
        server.terminate()
        server.wait(timeout=10)
