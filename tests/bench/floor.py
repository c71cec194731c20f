"""The app with one more route for the questionnaire bench: the floor under a submission.

`gunicorn -c gunicorn.conf.py tests.bench.floor:app`

``POST /bench/floor/<slug>`` goes through what every submission goes through before the app's own
work: Flask-WTF's CSRF check against the session cookie (app-wide, as for the answer view), the answer
view's Flask-Limiter decorator and limit, and the view's read of the questionnaire (``_load(slug,
for_answers=True)``: ORM, questions by selectinload, FOR SHARE on PostgreSQL, BEGIN IMMEDIATE on
SQLite); then it stores nothing and redirects to the receipt as the view does. What a submission
costs above it is the app's work: reading and checking the answers and storing them.
"""

from flask import redirect, url_for

from dialogue import create_app
from dialogue.extensions import limiter
from dialogue.questionnaires import blueprint  # noqa: F401  (first: it imports the views in its own order)
from dialogue.questionnaires.views import _load, answer_limit

app = create_app()


@limiter.limit(answer_limit)
def floor(slug: str):
    _load(slug, for_answers=True)
    return redirect(url_for("questionnaires.received", slug=slug), 303)


app.add_url_rule("/bench/floor/<slug>", "bench_floor", floor, methods=["POST"])
