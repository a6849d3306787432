"""What the offline chat server loads: no model client, no tracing SDK (memory and privacy)."""

import json
import subprocess
import sys

LOADED = """
import json, sys
import chatbot.web.chat  # Chainlit and the chat's handlers, as `screening serve` imports them
tracing = sys.modules["traceloop.sdk"]
try:
    tracing.Traceloop.init(app_name="x")
    started = True
except RuntimeError:
    started = False
print(json.dumps({
    "modules": sorted(sys.modules),
    "stand_in": getattr(tracing, "__file__", None) is None,
    "tracing_started": started,
}))
"""


def test_the_chat_loads_no_model_client_and_no_tracing_sdk():
    out = subprocess.run(
        [sys.executable, "-c", LOADED], capture_output=True, text=True, check=True, timeout=120
    )
    loaded = json.loads(out.stdout.strip().splitlines()[-1])
    assert "chainlit" in loaded["modules"]
    assert loaded["stand_in"] and not loaded["tracing_started"]
    heavy = ("openai", "langchain_core", "tiktoken", "grpc", "opentelemetry.exporter")
    assert not [m for m in loaded["modules"] if m.startswith(heavy)]
