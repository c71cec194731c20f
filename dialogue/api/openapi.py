"""/api/v1/openapi.json: the OpenAPI 3.1 document, put together from small per-endpoint dicts."""

from __future__ import annotations

from flask import jsonify

from dialogue.api.auth import rate_limited
from dialogue.api.blueprint import bp
from dialogue.api.paging import DEFAULT_LIMIT, MAX_LIMIT
from dialogue.core.ids import MAX_ID
from dialogue.core.respondents import GROUPS
from dialogue.filters import CHANNELS, CODING_STATES

STR, INT, BOOL = {"type": "string"}, {"type": "integer"}, {"type": "boolean"}
MOMENT = {"type": ["string", "null"], "format": "date-time"}
OPT_INT, OPT_STR = {"type": ["integer", "null"]}, {"type": ["string", "null"]}
#: an id in an address or a query string: what core.ids accepts (a larger number is a 404 or a 400)
ID = {"type": "integer", "minimum": 1, "maximum": MAX_ID}
TRANSLATED = {"type": "object", "additionalProperties": {"type": "string"},
              "description": "The text per language code (sv, da, en)."}


def _object(properties: dict) -> dict:
    return {"type": "object", "required": list(properties), "properties": properties}


def _list_of(schema: dict) -> dict:
    return _object({"data": {"type": "array", "items": schema}, "next_cursor": OPT_STR,
                    "next": {**OPT_STR, "description": "The address of the next page; null on the last."}})


QUESTIONNAIRE = _object({"id": INT, "slug": STR, "process_id": OPT_INT, "title": TRANSLATED, "state": STR,
                         "opens_at": MOMENT, "closes_at": MOMENT, "languages": {"type": "array", "items": STR},
                         "created_at": MOMENT})
QUESTION = _object({"id": INT, "position": INT, "page": INT, "type": STR, "text": TRANSLATED, "required": BOOL,
                    "hidden": BOOL, "allow_other": BOOL, "scale_max": OPT_INT,
                    "options": {"type": "array", "items": _object({"value": STR, "label": TRANSLATED})}})
ANSWER = _object({"question_id": INT, "question": STR, "type": STR,
                  "value": {"description": "The stored value: text, an option value, a list of them, a number."},
                  "other_text": STR, "labels": {"type": "array", "items": STR}})
RESPONSE = _object({"id": INT, "questionnaire_id": INT, "submitted_at": MOMENT, "updated_at": MOMENT,
                    "channel": {"enum": ["web", "paper"]}, "language": STR, "locality_id": OPT_INT,
                    "locality": OPT_STR, "elsewhere": BOOL, "respondent_group": STR, "age_band": STR,
                    "answers": {"type": "array", "items": ANSWER}})
CODE = _object({"node_id": INT, "excerpt_start": OPT_INT, "excerpt_end": OPT_INT, "from_suggestion": BOOL,
                "coded_at": MOMENT})
CONTRIBUTION = _object({"id": INT, "channel": STR, "text": STR, "language": STR, "locality_id": OPT_INT,
                        "respondent_group": STR, "created_at": MOMENT, "questionnaire_id": OPT_INT,
                        "question_id": OPT_INT, "event_id": OPT_INT, "note_kind": STR,
                        "codes": {"type": "array", "items": CODE}})
EVENT = _object({"id": INT, "process_id": OPT_INT, "kind": STR, "state": STR, "title": TRANSLATED,
                 "description": TRANSLATED, "locality_id": OPT_INT, "venue": STR, "address": STR,
                 "starts_at": MOMENT, "ends_at": MOMENT, "capacity": OPT_INT,
                 "registrations": _object({s: INT for s in ("confirmed", "waitlisted", "attended", "cancelled")})})
VISION = _object({"id": INT, "slug": STR, "name": TRANSLATED,
                  "adopted_on": {"type": ["string", "null"], "format": "date"}})
NODE = {**_object({"id": INT, "kind": STR, "title": TRANSLATED, "text": TRANSLATED, "position": INT,
                   "archived": BOOL, "children": {"type": "array", "items": {"$ref": "#/components/schemas/Node"}}})}
ERROR = _object({"error": {"type": "object", "required": ["status", "message"],
                           "properties": {"status": INT, "message": STR, "parameter": STR}}})


def _query(name: str, schema: dict, description: str) -> dict:
    # the server reads an empty value (limit=) as one left out, as a form's empty choice
    return {"name": name, "in": "query", "required": False, "allowEmptyValue": True, "schema": schema,
            "description": description + " Empty is the same as left out."}


DATE = {"type": "string", "format": "date", "pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2}$"}
PAGING = [
    _query("limit", {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT, "default": DEFAULT_LIMIT},
           "Rows per page."),
    _query("cursor", STR,
           "The next_cursor of the page before; leave out for the first page. It is signed: a cursor this "
           "API did not give out (made by hand, or from another server) is refused with a 400 naming it."),
]
FILTERS = {
    "questionnaire": _query("questionnaire", STR,
                            "A questionnaire's id or address (slug); one that does not exist is a 400."),
    "date_from": _query("date_from", DATE, "From this local date (YYYY-MM-DD, from 1900-01-01 to 2999-12-31)."),
    "date_to": _query("date_to", DATE,
                      "Up to and including this local date (the same range); before date_from is a 400."),
    "locality": _query("locality", ID, "A locality's id; one that does not exist is a 400."),
    "group": _query("group", {"type": "string", "enum": list(GROUPS)}, "A respondent group."),
    "channel": _query("channel", {"type": "string", "enum": list(CHANNELS)}, "A channel."),
    "node": _query("node", ID, "A building block's id (coded to it); one that does not exist is a 400."),
    "coding_state": _query("coding_state", {"type": "string", "enum": list(CODING_STATES)}, "Coded or not coded."),
}


def _operation(summary: str, schema: dict, parameters: list, *, not_found: bool = False) -> dict:
    def reply(description: str, body: dict) -> dict:
        return {"description": description, "content": {"application/json": {"schema": body}}}

    failed = {"$ref": "#/components/schemas/Error"}
    responses = {
        "200": reply("OK", schema),
        "400": reply("A parameter is wrong; error.parameter names it (\"path\" for a NUL in the address). Also "
                     "for a cursor this API did not give out, a questionnaire, locality or building block that "
                     "does not exist, and date_to before date_from.", failed),
        "401": {**reply("No valid token: missing, wrong, revoked, or its user deactivated.", failed),
                "headers": {"WWW-Authenticate": {"required": True, "schema": {"type": "string",
                                                                               "pattern": "^Bearer "}}}},
        "403": reply("The token's user may not read this.", failed),
        "429": reply("Too many requests with this token.", failed),
    }
    if not_found:
        responses["404"] = reply("No such thing (or an id too large to be one).", failed)
    return {"get": {"summary": summary, "parameters": parameters, "responses": responses}}


def document() -> dict:
    f = FILTERS
    response_filters = [f[n] for n in ("questionnaire", "date_from", "date_to", "locality", "group", "channel")]
    return {
        "openapi": "3.1.0",
        "info": {"title": "dialogue read API", "version": "1",
                 "description": "Read-only: GET (and HEAD, OPTIONS); any other method is a 405 with Allow. "
                                "Holds no names or e-mail addresses. Analyst or admin tokens for responses "
                                "and contributions; any staff token for the rest. Every error is JSON (the "
                                "Error schema). Labels and messages are in the language Accept-Language asks "
                                "for (of those the municipality offers); replies that hold them say "
                                "Vary: Accept-Language."},
        "servers": [{"url": "/"}],
        "security": [{"bearer": []}],
        "paths": {
            "/api/v1/questionnaires": _operation("Questionnaires", _list_of(QUESTIONNAIRE), PAGING),
            "/api/v1/questionnaires/{questionnaire_id}": _operation(
                "A questionnaire with its questions",
                {**QUESTIONNAIRE, "required": [*QUESTIONNAIRE["required"], "questions"],
                 "properties": {**QUESTIONNAIRE["properties"], "questions": {"type": "array", "items": QUESTION}}},
                [{"name": "questionnaire_id", "in": "path", "required": True, "schema": ID}], not_found=True),
            "/api/v1/responses": _operation("Responses with their answers (analysts)", _list_of(RESPONSE),
                                            PAGING + response_filters),
            "/api/v1/contributions": _operation("Contributions with their active codes (analysts)",
                                                _list_of(CONTRIBUTION), PAGING + list(f.values())),
            "/api/v1/events": _operation("Events, with numbers of sign-ups only", _list_of(EVENT), PAGING),
            "/api/v1/visions": _operation("Visions", _list_of(VISION), PAGING),
            "/api/v1/visions/{slug}": _operation(
                "A vision with its tree of nodes",
                {**VISION, "required": [*VISION["required"], "nodes"],
                 "properties": {**VISION["properties"],
                                "nodes": {"type": "array", "items": {"$ref": "#/components/schemas/Node"}}}},
                [{"name": "slug", "in": "path", "required": True, "schema": {"type": "string", "minLength": 1,
                                                                             "pattern": "^[A-Za-z0-9_-]+$"}}],
                not_found=True),
        },
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer",
                                           "description": "A token an administrator created at /staff/api-tokens."}},
            "schemas": {"Node": NODE, "Error": ERROR},
        },
    }


@bp.route("/api/v1/openapi.json")
@rate_limited
def openapi():
    return jsonify(document())
