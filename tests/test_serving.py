"""copsite/serving.py's waitress, in this process, on a tiny app: what reaches the app."""

import http.client
import socket
import threading

import pytest

from copsite.serving import guarded_server


@pytest.fixture
def serve():
    """serve(app) -> port: `app` served by guarded_server on a free port until the test ends."""
    started = []

    def start(app) -> int:
        listener = socket.create_server(("127.0.0.1", 0))
        server = guarded_server(app, listener, threads=2, backlog=16)
        threading.Thread(target=server.run, daemon=True).start()
        started.append(server)
        return listener.getsockname()[1]

    yield start
    for server in started:
        server.close()


def echo_forwarded_proto(environ, start_response):
    body = environ.get("HTTP_X_FORWARDED_PROTO", "none").encode()
    start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", str(len(body)))])
    return [body]


def test_x_forwarded_proto_reaches_django_for_a_tls_proxy(serve):
    # Django decides whether a request came over HTTPS from it (SECURE_PROXY_SSL_HEADER);
    # dropped, every request behind the proxy would be redirected to HTTPS again, forever.
    port = serve(echo_forwarded_proto)
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    connection.request("GET", "/", headers={"X-Forwarded-Proto": "https"})
    assert connection.getresponse().read() == b"https"
    connection.close()
