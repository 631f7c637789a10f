"""This computer only: the app started with the README's command listens on 127.0.0.1 and nowhere
else, and the project's Streamlit settings send nothing off the machine."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import tomllib
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def listening_addresses(port: int) -> set[str]:
    """Local addresses in LISTEN state on `port`, read from /proc (IPv4 and IPv6)."""
    found = set()
    for table, width in (("/proc/net/tcp", 8), ("/proc/net/tcp6", 32)):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            local, state = line.split()[1], line.split()[3]
            address, port_hex = local.split(":")
            if state != "0A" or int(port_hex, 16) != port:  # 0A = LISTEN
                continue
            raw = bytes.fromhex(address)
            if width == 8:
                found.add(socket.inet_ntop(socket.AF_INET, raw[::-1]))
            else:
                words = b"".join(raw[i : i + 4][::-1] for i in range(0, 16, 4))
                found.add(socket.inet_ntop(socket.AF_INET6, words))
    return found


def test_the_readme_command_listens_on_loopback_only() -> None:
    readme = (ROOT / "README.md").read_text()
    assert "streamlit run app.py" in readme
    port = free_port()
    env = {**os.environ, "ILIACUS_HISTORY": str(ROOT / ".pytest-history-unused.sqlite")}
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "app.py", "--server.headless", "true",
         "--server.port", str(port)],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        addresses: set[str] = set()
        while time.monotonic() < deadline and not addresses:
            time.sleep(0.5)
            addresses = listening_addresses(port)
            assert proc.poll() is None, "the app exited"
        assert addresses == {"127.0.0.1"}, f"listening on {addresses}"
        # the server also serves files (pictures, downloads): a broken web stack answers 500
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/favicon.png", timeout=5) as r:
                    assert r.status == 200
                    break
            except urllib.error.HTTPError:
                raise
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.5)
    finally:
        proc.terminate()
        proc.wait(timeout=20)


def test_the_streamlit_settings_keep_everything_here() -> None:
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    assert config["server"]["address"] == "127.0.0.1"
    assert config["browser"]["gatherUsageStats"] is False
    assert config["client"]["toolbarMode"] == "viewer"  # no Deploy button
    assert 0 < config["server"]["maxUploadSize"] <= 200
