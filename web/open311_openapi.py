"""The OpenAPI 3.1 description of /open311/v2/ (served at /open311/v2/openapi.json).

Written by hand beside the routes (`web.open311`) so that it says what GeoReport v2 means here:
services are issue categories, a request is an issue, `status_notes` the four-step stage.
`tests/test_open311.py` validates it with openapi-spec-validator and checks that every route
is in it.
"""

from __future__ import annotations

from typing import Any

from geo.schema import CATEGORIES, REPORT_CHARS
from yishi.services.open311 import MAX_REQUESTS, SPEC, WINDOW_DAYS, endpoint_url

_REF = "#/components/schemas/"


def _ref(name: str) -> dict[str, str]:
    return {"$ref": _REF + name}


def _text(description: str, **extra: Any) -> dict[str, Any]:
    return {"type": ["string", "null"], "description": description, **extra}


_FORMAT = {"name": "format", "in": "path", "required": True, "description": "json or xml",
           "schema": {"type": "string", "enum": ["json", "xml"]}}
_LANG = {"name": "lang", "in": "query", "required": False,
         "description": "zh (default) or en; also `locale`, else the Accept-Language header",
         "schema": {"type": "string"}}
_JURISDICTION = {"name": "jurisdiction_id", "in": "query", "required": False,
                 "description": "Ignored: this endpoint serves one jurisdiction", "schema": {"type": "string"}}


def _content(schema: str) -> dict[str, Any]:
    return {"application/json": {"schema": _ref(schema)}, "text/xml": {"schema": _ref(schema)}}


def _ok(description: str, schema: str) -> dict[str, Any]:
    return {"description": description, "content": _content(schema)}


def _errors(*statuses: int) -> dict[str, Any]:
    said = {400: "Bad input, or the service cannot answer now", 403: "Missing, unknown or revoked api_key",
            404: "No such resource (or format)", 429: "Too many calls; see Retry-After"}
    return {str(s): {"description": said[s], "content": _content("Errors")} for s in statuses}


def _get(summary: str, schema: str, *, params: list[dict[str, Any]] = (), errors: tuple[int, ...] = (400, 404),
         description: str = "") -> dict[str, Any]:
    return {"get": {"summary": summary, "description": description,
                    "parameters": [_FORMAT, _LANG, _JURISDICTION, *params],
                    "responses": {"200": _ok(summary, schema), **_errors(*errors)}}}


def _schemas() -> dict[str, Any]:
    service = {"type": "object", "xml": {"name": "service"},
               "required": ["service_code", "service_name", "metadata", "type"],
               "properties": {
                   "service_code": {"type": "string", "enum": list(CATEGORIES.codes),
                                    "description": "An issue category"},
                   "service_name": {"type": "string", "description": "The category in the language asked for"},
                   "description": {"type": "string"},
                   "metadata": {"type": "boolean", "description": "Always false: no attributes"},
                   "type": {"type": "string", "enum": ["realtime"]},
                   "keywords": {"type": "string", "description": "The category in Chinese and English"},
                   "group": {"type": "string", "description": "The focus area the category implies"}}}
    request = {"type": "object", "xml": {"name": "request"},
               "required": ["service_request_id", "status", "service_code", "requested_datetime"],
               "properties": {
                   "service_request_id": {"type": "string", "description": "The issue id, e.g. I0067"},
                   "status": {"type": "string", "enum": ["open", "closed"],
                              "description": "closed: done, closed, or a report declined or merged"},
                   "status_notes": _text("The four-step stage in Chinese and English (\"开好会 / Meeting "
                                         "held\"); a declined report's public reason"),
                   "service_name": {"type": "string"},
                   "service_code": {"type": "string", "enum": list(CATEGORIES.codes)},
                   "description": _text("The issue's title and description"),
                   "agency_responsible": _text("The responsible unit"),
                   "service_notice": _text("Not given"),
                   "requested_datetime": {"type": "string", "format": "date-time"},
                   "updated_datetime": {"type": ["string", "null"], "format": "date-time",
                                        "description": "The latest step of the issue's timeline"},
                   "expected_datetime": {"type": ["string", "null"], "format": "date-time",
                                         "description": "The issue's due date"},
                   "address": _text("The compound and community the point falls in"),
                   "address_id": _text("The compound's id, else the community's"),
                   "zipcode": _text("Not given"),
                   "lat": {"type": "number"}, "long": {"type": "number"},
                   "media_url": _text("Not given")}}
    posted = {"type": "object", "xml": {"name": "request"},
              "required": ["service_request_id", "token"],
              "properties": {
                  "service_request_id": {"type": "string"},
                  "token": {"type": "string", "description": "The resident's tracking code: follow the "
                                                             "request with it (tokens/{token}), and rate "
                                                             "the result once it is done"},
                  "service_notice": {"type": "string"}}}
    token = {"type": "object", "xml": {"name": "request"}, "required": ["service_request_id", "token"],
             "properties": {"service_request_id": {"type": "string"}, "token": {"type": "string"}}}
    error = {"type": "object", "xml": {"name": "error"}, "required": ["code", "description"],
             "properties": {"code": {"type": "integer", "description": "The HTTP status"},
                            "description": {"type": "string"}}}
    endpoint = {"type": "object", "xml": {"name": "endpoint"},
                "properties": {"specification": {"type": "string"}, "url": {"type": "string"},
                               "changeset": {"type": "string"}, "type": {"type": "string"},
                               "formats": {"type": "array", "xml": {"wrapped": True},
                                           "items": {"type": "string", "xml": {"name": "format"}}}}}

    def listing(item: str, root: str) -> dict[str, Any]:
        return {"type": "array", "items": _ref(item), "xml": {"name": root, "wrapped": True}}

    return {
        "Service": service, "Services": listing("Service", "services"),
        "ServiceDefinition": {"type": "object", "xml": {"name": "service_definition"},
                              "properties": {"service_code": {"type": "string"},
                                             "attributes": {"type": "array", "maxItems": 0,
                                                            "xml": {"wrapped": True}, "items": {}}}},
        "Request": request, "Requests": listing("Request", "service_requests"),
        "Posted": posted, "PostAnswer": listing("Posted", "service_requests"),
        "Token": token, "TokenAnswer": listing("Token", "service_requests"),
        "Error": error, "Errors": listing("Error", "errors"),
        "Endpoint": endpoint,
        "Discovery": {"type": "object", "xml": {"name": "discovery"},
                      "properties": {"changeset": {"type": "string"}, "contact": {"type": "string"},
                                     "key_service": {"type": "string"},
                                     "endpoints": {"type": "array", "items": _ref("Endpoint"),
                                                   "xml": {"wrapped": True}}}},
        "NewRequest": {
            "type": "object", "required": ["api_key", "service_code"],
            "properties": {
                "api_key": {"type": "string", "description": "Issued by an administrator"},
                "service_code": {"type": "string", "enum": list(CATEGORIES.codes)},
                "lat": {"type": "number", "description": "WGS84; with long, inside the subdistrict"},
                "long": {"type": "number"},
                "address_string": {"type": "string", "description": "Instead of lat/long: a compound's name"},
                "description": {"type": "string", "maxLength": REPORT_CHARS},
                "first_name": {"type": "string", "description": "Kept private (staff only)"},
                "last_name": {"type": "string", "description": "Kept private (staff only)"},
                "phone": {"type": "string", "description": "Kept private (staff only)"},
                "email": {"type": "string", "description": "Accepted and not kept"},
                "lang": {"type": "string", "description": "zh or en: the language of the answer"}}},
    }


def document() -> dict[str, Any]:
    """The OpenAPI document, with this deployment's address as its server."""
    date_param = {"in": "query", "required": False, "schema": {"type": "string", "format": "date-time"}}
    return {
        "openapi": "3.1.0",
        "info": {"title": "Yishi Map Open311 GeoReport v2", "version": "2",
                 "description": f"Issues of the subdistrict's consultation platform as {SPEC}. "
                                "Reading needs no key; POST needs an api_key. No reporter's name or "
                                "phone is ever given out."},
        "externalDocs": {"url": SPEC},
        "servers": [{"url": endpoint_url()}],
        "paths": {
            "/discovery.{format}": _get("Service discovery", "Discovery", errors=(404,)),
            "/services.{format}": _get("Service list: one service per issue category", "Services",
                                       errors=(404,)),
            "/services/{service_code}.{format}": _get(
                "Service definition", "ServiceDefinition", params=[
                    {"name": "service_code", "in": "path", "required": True, "schema": {"type": "string"}}]),
            "/requests.{format}": {
                **_get("Service requests", "Requests", params=[
                    {"name": "service_request_id", "in": "query", "required": False,
                     "description": "Comma-separated ids; overrides every other filter",
                     "schema": {"type": "string"}},
                    {"name": "service_code", "in": "query", "required": False,
                     "description": "Comma-separated categories", "schema": {"type": "string"}},
                    {"name": "start_date", **date_param},
                    {"name": "end_date", **date_param},
                    {"name": "status", "in": "query", "required": False,
                     "description": "open, closed, or both comma-separated", "schema": {"type": "string"}}],
                       description=f"Newest first; at most {MAX_REQUESTS}; the last {WINDOW_DAYS} days unless "
                                   f"dates are given, and never more than {WINDOW_DAYS} days at once."),
                "post": {"summary": "Report a problem (a resident's report, from another system)",
                         "parameters": [_FORMAT],
                         "requestBody": {"required": True, "content": {
                             "application/x-www-form-urlencoded": {"schema": _ref("NewRequest")}}},
                         "responses": {"200": _ok("The new request and its tracking code", "PostAnswer"),
                                       **_errors(400, 403, 404, 429)}}},
            "/requests/{service_request_id}.{format}": _get(
                "One service request", "Requests", params=[
                    {"name": "service_request_id", "in": "path", "required": True, "schema": {"type": "string"}}]),
            "/tokens/{token}.{format}": _get(
                "The request a tracking code follows", "TokenAnswer", errors=(404, 429), params=[
                    {"name": "token", "in": "path", "required": True, "schema": {"type": "string"}}]),
        },
        "components": {"schemas": _schemas()},
    }
