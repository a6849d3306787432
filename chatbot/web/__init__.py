"""The web side: the candidate chat (Chainlit), invitations and the one ASGI server."""

import sys
import types


def _without_traceloop() -> None:
    """Chainlit imports Literal AI's client for its types, and that client imports Traceloop's
    SDK (OpenTelemetry exporters, gRPC): 68 MB of memory and 1.5 s of start-up in every process,
    for a hosted tracing service this product never calls (candidates' words stay on our
    servers). A stand-in takes the SDK's place before Chainlit is imported; it refuses to start
    tracing and ignores the trace labels Literal AI's steps would set."""

    class Traceloop:
        @staticmethod
        def init(*_args, **_kwargs):
            raise RuntimeError("Traceloop / Literal AI tracing is not part of this product")

        @staticmethod
        def set_association_properties(*_args, **_kwargs) -> None:
            return None

    stand_in = types.ModuleType("traceloop.sdk", _without_traceloop.__doc__)
    stand_in.Traceloop = Traceloop  # type: ignore[attr-defined]
    sys.modules.setdefault("traceloop.sdk", stand_in)


_without_traceloop()
