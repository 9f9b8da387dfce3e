"""The API's documentation at ``/api/`` and ``/api/docs``: a page rendered on the server from the OpenAPI schema
(works offline and without JavaScript; no UI from a CDN)."""

from __future__ import annotations

from django.http import HttpRequest
from django.shortcuts import render
from django.views.decorators.http import require_safe

METHODS = ("get", "post", "put", "patch", "delete")


def _ref_name(ref: str) -> str:
    return ref.rsplit("/", 1)[-1]


def _type(schema: dict | None) -> str:
    """A short human reading of a JSON schema: ``string``, ``integer (1–100)``, ``list of Hit``, ``A or B``."""
    if not schema:
        return ""
    if "$ref" in schema:
        return _ref_name(schema["$ref"])
    for key in ("anyOf", "oneOf", "allOf"):
        if key in schema:
            parts = [_type(s) for s in schema[key] if s.get("type") != "null"]
            return " or ".join(p for p in parts if p) + (" (optional)" if len(parts) < len(schema[key]) else "")
    if "enum" in schema:
        return "one of " + ", ".join(str(v) for v in schema["enum"])
    kind = schema.get("type", "object")
    if kind == "array":
        return f"list of {_type(schema.get('items')) or 'values'}"
    bounds = [f"≥ {schema['minimum']}" if "minimum" in schema else "",
              f"≤ {schema['maximum']}" if "maximum" in schema else "",
              f"up to {schema['maxLength']} characters" if "maxLength" in schema else ""]
    bounds = [b for b in bounds if b]
    return f"{kind} ({', '.join(bounds)})" if bounds else str(kind)


def _body(operation: dict) -> list[tuple[str, str]]:
    content = (operation.get("requestBody") or {}).get("content") or {}
    return [(media, _type(spec.get("schema"))) for media, spec in content.items()]


def _responses(operation: dict) -> list[tuple[str, str, str]]:
    out = []
    for status, spec in (operation.get("responses") or {}).items():
        content = spec.get("content") or {}
        schema = next(iter(content.values()), {}).get("schema") if content else None
        out.append((status, spec.get("description", ""), _type(schema)))
    return out


def operations(schema: dict) -> list[dict]:
    """Every operation of the schema, in path order: method, path, summary, description, parameters, body,
    responses and whether it needs credentials beyond anonymous reading."""
    out = []
    for path, item in schema.get("paths", {}).items():
        for method in METHODS:
            op = item.get(method)
            if not op:
                continue
            params = [{"name": p["name"], "in": p["in"], "required": p.get("required", False),
                       "type": _type(p.get("schema")), "description": p.get("description")
                       or (p.get("schema") or {}).get("description", "")} for p in op.get("parameters", [])]
            out.append({"method": method.upper(), "path": path, "id": op.get("operationId", f"{method}{path}"),
                        "summary": op.get("summary", ""), "description": op.get("description", ""),
                        "tags": op.get("tags", []), "params": params, "body": _body(op),
                        "responses": _responses(op), "auth": [next(iter(s), "") for s in op.get("security", [])]})
    return out


def components(schema: dict) -> list[dict]:
    out = []
    for name, spec in sorted(schema.get("components", {}).get("schemas", {}).items()):
        required = set(spec.get("required", []))
        fields = [{"name": k, "type": _type(v), "required": k in required, "description": v.get("description", "")}
                  for k, v in (spec.get("properties") or {}).items()]
        out.append({"name": name, "description": spec.get("description", ""), "fields": fields})
    return out


@require_safe
def docs(request: HttpRequest):
    from migrahub.web.api import api

    schema = api.get_openapi_schema()
    ops = operations(schema)
    groups: dict[str, list[dict]] = {}
    for op in ops:
        groups.setdefault(op["path"].split("/api/", 1)[-1].split("/", 1)[0] or "api", []).append(op)
    return render(request, "web/api_docs.html", {
        "info": schema.get("info", {}), "groups": sorted(groups.items()), "count": len(ops),
        "schemas": components(schema), "security": schema.get("components", {}).get("securitySchemes", {})})
