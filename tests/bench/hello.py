"""The baseline: a bare Flask app with one route, served like the real app.

`gunicorn -c gunicorn.conf.py tests.bench.hello:app`
"""

from flask import Flask

app = Flask(__name__)


@app.route("/")
def hello() -> str:
    return "hello"
