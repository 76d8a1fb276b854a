"""The Flask app flask.sh serves: a warning with the id, and a view that raises."""

from flask import Flask, request

app = Flask(__name__)


@app.get("/")
def index():
    app.logger.warning("order received request_id=%s", request.args.get("request_id"))
    return "ok"


@app.get("/boom")
def boom():
    raise RuntimeError("boom request_id=" + request.args["request_id"])
