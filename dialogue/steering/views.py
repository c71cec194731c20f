"""Public pages: the follow-up of a vision, and saying no to feedback mail."""

from __future__ import annotations

import sqlalchemy as sa
from flask import abort, render_template, request, url_for

from dialogue.coding.models import Channel
from dialogue.coding.trace import counts_behind
from dialogue.core.formats import number
from dialogue.core.time import today
from dialogue.extensions import csrf, db, limiter
from dialogue.i18n import _, _p
from dialogue.processes.models import Process
from dialogue.steering import feedback, services
from dialogue.steering.blueprint import bp
from dialogue.steering.chart import line_chart
from dialogue.steering.forms import ConfirmForm
from dialogue.steering.status import Status
from dialogue.vision.models import Vision


def channel_counts(counts: dict[str, int]) -> list[tuple[str, int]]:
    """(label, number) per channel in the order the channels are listed, zeros left out."""
    return [(channel.label, counts[channel.value]) for channel in Channel if counts.get(channel.value)]


def indicator_chart(row: services.IndicatorRow, id_prefix: str = "chart") -> dict | None:
    """What the line-chart macro needs for one indicator: geometry, words and the data table."""
    from dialogue.i18n import _, tr

    indicator = row.indicator
    if indicator is None:
        return None
    measured = indicator.measurements
    unit = indicator.unit
    chart = line_chart([m.period for m in measured], [m.value for m in measured], indicator.target_value, unit)
    title = tr(row.node.title)
    description = _("%(count)d measurements. Target: %(target)s by %(year)d. Status: %(status)s.",
                    count=len(measured), target=f"{number(indicator.target_value)} {unit}".strip(),
                    year=indicator.target_year, status=row.assessment.status.label)
    rows = [[m.period, number(m.value), number(m.value_women), number(m.value_men)] for m in measured]
    value = _("Value (%(unit)s)", unit=unit) if unit else _p("measurement", "Value")
    headers = [_("Period"), value, _("Women"), _("Men")]
    return {"id": f"{id_prefix}-{row.node.id}", "title": title, "description": description, "chart": chart,
            "headers": headers, "rows": rows}


def results_links(process: Process | None, day) -> list[tuple[str, str]]:
    """(label, address) of what came of *process* once its results are out (decided, or published by an
    admin): the vision, what was heard and the follow-up. Nothing before that."""
    if process is None:
        return []
    follow_up = feedback.follow_up_for(process)
    if follow_up is None or not feedback.is_due(follow_up, day):
        return []
    vision = db.session.get(Vision, follow_up.vision_id)
    if vision is None:
        return []
    return [(_("The vision"), url_for("vision.show", slug=vision.slug)),
            (_("What we heard"), url_for("coding.what_we_heard", slug=vision.slug)),
            (_("Follow-up"), url_for("steering.follow_up", slug=vision.slug))]


bp.add_app_template_global(results_links, "results_links")


@bp.route("/vision/<slug>/follow-up")
def follow_up(slug: str):
    """The vision, its goals with indicator status and charts, and how many contributions stand behind
    each part, by channel. Counts only: no names, addresses or quotes.

    :raise 404: unknown vision
    """
    vision = db.session.scalar(sa.select(Vision).where(Vision.slug == slug))
    if vision is None:
        abort(404)
    rows = services.indicator_rows(vision)
    charts = {node_id: indicator_chart(row) for node_id, row in rows.items()}
    goals = services.goals(vision)
    summary = {status: sum(1 for row in rows.values() if row.assessment.status == status) for status in Status}
    return render_template("steering/display/follow_up.html", vision=vision, rows=rows, charts=charts,
                           goals=goals, summary=summary, counts=counts_behind(vision),
                           committees=services.by_committee(vision),
                           channel_counts=channel_counts, statuses=list(Status), today=today())


@bp.route("/feedback/unsubscribe/<token>", methods=["GET", "POST"])
# Only refused tokens count: a mail provider posts many people's one-click unsubscriptions from one
# address, and each of them must get through; guessing at tokens is what the limit stops.
@limiter.limit("20 per minute", deduct_when=lambda response: response.status_code == 400)
@csrf.exempt  # a mail program's one-click POST has neither cookies nor a form token: the signed token is enough
def unsubscribe(token: str):
    """Delete one's address from the feedback list. The page reads the same for any address, still on the
    list or not, so it tells nobody whether an address was on it. A GET changes nothing (mail programs
    open links to check them); the page's button sends a POST with its CSRF token. A mail program's
    one-click unsubscription (RFC 8058) POSTs ``List-Unsubscribe=One-Click`` to the List-Unsubscribe
    address and gets the answer at once, with no page to act on.

    :raise 400: a token we did not sign
    """
    if not feedback.is_ours(token):
        return render_template("steering/display/unsubscribe_invalid.html"), 400
    form = ConfirmForm()
    done = False
    if request.method == "POST":
        if request.form.get("List-Unsubscribe") != "One-Click":
            csrf.protect()  # the page's button
        feedback.unsubscribe(token)
        db.session.commit()
        done = True
    return render_template("steering/display/unsubscribe.html", form=form, done=done)

