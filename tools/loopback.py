"""What the loopback stand-ins under tools/ share."""

from __future__ import annotations

from http.server import HTTPServer


def serve_until_interrupted(server: HTTPServer) -> None:
    """Serve until the process is interrupted or terminated, then close the socket."""
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
