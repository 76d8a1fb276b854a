"""Tiny WSGI app for scripts/gunicorn.sh: logs through gunicorn's error logger."""

import logging

log = logging.getLogger("gunicorn.error")


def app(environ, start_response):
    rid = environ.get("HTTP_X_REQUEST_ID", "-")
    path = environ["PATH_INFO"]
    if path == "/boom":
        raise RuntimeError(f"inventory unreachable request_id={rid}")
    log.info("handling %s request_id=%s", path, rid)
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [b"ok\n"]
