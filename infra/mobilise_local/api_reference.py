"""``docs/api.md``: the API's reference for people, written from its OpenAPI document.

Nothing here knows a route: every word comes from ``infra/openapi.json`` (so from the
routes' decorators and models), laid out as one table of routes, a section per operation
(who may call it, its parameters, its body, its answers) and the schemas they name.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

_METHODS = ("get", "head", "post", "put", "patch", "delete")
_REF = "#/components/schemas/"
HEADER = """\
# The HTTP API

<!-- Generated from infra/openapi.json by `python -m mobilise_local.openapi`: change the
routes' decorators in layers/common/mobilise/api/, then regenerate; do not edit here. -->

The OpenAPI 3.1 document is [`infra/openapi.json`](../infra/openapi.json) (the local stack
serves it at `GET /_local/openapi.json`). This page says the same for people.
"""


def markdown(doc: dict[str, Any], patterns: dict[str, str] | None = None) -> str:
    """The reference; ``patterns`` names the regular expressions a reader should not parse."""
    writer = _Writer(doc, patterns or {})
    return "\n".join(writer.lines()).rstrip("\n") + "\n"


class _Writer:
    def __init__(self, doc: dict[str, Any], patterns: dict[str, str]) -> None:
        self.doc = doc
        self.patterns = patterns
        self.schemas: dict[str, Any] = doc.get("components", {}).get("schemas", {})
        tags = [tag["name"] for tag in doc.get("tags", [])]
        self.operations = sorted(
            _operations(doc),
            key=lambda found: (
                tags.index(found[2].get("tags", [""])[0]),
                found[1],
                _METHODS.index(found[0]),
            ),
        )

    def lines(self) -> Iterator[str]:
        yield HEADER
        yield self.doc["info"]["description"] + "\n"
        yield from self._servers()
        yield "## Routes\n"
        yield "| Method | Path | Who may call it | Summary |"
        yield "|---|---|---|---|"
        for method, path, operation in self.operations:
            target = f"[`{path}`](#{operation['operationId']})"
            who = _who(path, operation)
            yield f"| `{method.upper()}` | {target} | {who} | {operation['summary']} |"
        yield ""
        for tag in self.doc.get("tags", []):
            yield f"## {tag['name'].capitalize()}\n"
            yield tag.get("description", "") + "\n"
            for method, path, operation in self.operations:
                if operation.get("tags", [""])[0] == tag["name"]:
                    yield from self._operation(method, path, operation)
        yield "## Schemas\n"
        for name, schema in self.schemas.items():
            yield from self._schema(name, schema)

    def _servers(self) -> Iterator[str]:
        yield "Servers:\n"
        for server in self.doc.get("servers", []):
            default = {n: v["default"] for n, v in server.get("variables", {}).items()}
            example = f" (by default `{next(iter(default.values()))}`)" if default else ""
            yield f"- `{server['url']}`{example}: {server.get('description', '')}"
        yield ""
        for name, scheme in self.doc.get("components", {}).get("securitySchemes", {}).items():
            yield (
                f"*Signed in* ({name}): `Authorization: Bearer <{scheme.get('bearerFormat', '')}>`"
                f", {_lower_first(scheme.get('description', ''))} *Link holder*: the `{{token}}` "
                "of a link the service emailed. *Anyone*: no credentials.\n"
            )

    def _operation(self, method: str, path: str, operation: dict[str, Any]) -> Iterator[str]:
        yield f'### <a id="{operation["operationId"]}"></a>`{method.upper()} {path}`\n'
        yield f"**{operation['summary']}.** {operation.get('description', '')}".rstrip() + "\n"
        who = _who(path, operation)
        yield f"Who may call it: {who}. Operation id: `{operation['operationId']}`.\n"
        parameters = operation.get("parameters", [])
        if parameters:
            yield "| Parameter | In | Required | Type | Description |"
            yield "|---|---|---|---|---|"
            for parameter in parameters:
                yield (
                    f"| `{parameter['name']}` | {parameter['in']} | "
                    f"{'yes' if parameter.get('required') else 'no'} | "
                    f"{self._kind(parameter['schema'])} | {parameter.get('description', '')} |"
                )
            yield ""
        body = operation.get("requestBody")
        if body:
            needed = "required" if body.get("required") else "optional"
            yield f"Request body ({needed}):\n"
            for media_type, content in body["content"].items():
                yield f"- `{media_type}`: {self._kind(content.get('schema', {}))}"
            yield ""
            for content in body["content"].values():
                for name, example in content.get("examples", {}).items():
                    yield f"Example `{name}`:\n"
                    yield "```json\n" + json.dumps(example["value"], indent=2) + "\n```\n"
        yield "| Status | Content | Description |"
        yield "|---|---|---|"
        for status, answer in operation["responses"].items():
            contents = [
                f"`{media_type}`: {self._kind(content.get('schema', {}))}"
                for media_type, content in answer.get("content", {}).items()
            ]
            said = _cell(answer["description"])
            for header, value in answer.get("headers", {}).items():
                said += f" Header `{header}`: {_cell(value.get('description', ''))}"
            for name, link in answer.get("links", {}).items():
                said += f" Link {name}: [`{link['operationId']}`](#{link['operationId']})."
            yield f"| {status} | {'<br>'.join(contents) or 'no body'} | {said} |"
        yield ""

    def _schema(self, name: str, schema: dict[str, Any]) -> Iterator[str]:
        yield f'### <a id="{name.lower()}"></a>{name}\n'
        code = _error_code(schema)
        if code is not None:
            yield f"An [Error](#error) whose `error.code` is `{code}`.\n"
            return
        if schema.get("description"):
            yield _cell(schema["description"]) + "\n"
        properties = schema.get("properties")
        if not properties:
            yield self._kind(schema) + "\n"
            return
        required = set(schema.get("required", []))
        yield "| Field | Type | Required | Description |"
        yield "|---|---|---|---|"
        for field, value in properties.items():
            yield (
                f"| `{field}` | {self._kind(value)} | {'yes' if field in required else 'no'} | "
                f"{_cell(value.get('description', ''))} |"
            )
        if schema.get("additionalProperties") is False:
            yield "\nNo other field is accepted."
        yield ""

    def _kind(self, schema: dict[str, Any]) -> str:
        """A schema in a few words: ``string, 1 to 200 characters, one line``."""
        if "$ref" in schema:
            name = schema["$ref"].removeprefix(_REF)
            return f"[{name}](#{name.lower()})"
        for union in ("anyOf", "oneOf"):
            if union in schema:
                return " or ".join(self._kind(part) for part in schema[union])
        if "allOf" in schema:
            return " and ".join(self._kind(part) for part in schema["allOf"])
        if "const" in schema:
            return f"`{schema['const']}`"
        if "enum" in schema:
            return "one of " + ", ".join(f"`{value}`" for value in schema["enum"])
        kind = str(schema.get("type", "any"))
        if kind == "array":
            kind = f"array of {self._kind(schema.get('items', {}))}"
        elif kind == "object" and schema.get("properties"):
            fields = ", ".join(
                f"`{name}` ({self._kind(value)})" for name, value in schema["properties"].items()
            )
            kind = f"object with {fields}"
        rules = [schema[key] for key in ("format",) if key in schema]
        rules += _bounds(schema)
        if "pattern" in schema:
            pattern = schema["pattern"]
            rules.append(self.patterns.get(pattern, f"matching `{pattern}`".replace("|", "\\|")))
        return f"{kind} ({'; '.join(map(str, rules))})" if rules else kind


def _operations(doc: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    for path, item in doc["paths"].items():
        for method in _METHODS:
            if method in item:
                yield method, path, item[method]


def _who(path: str, operation: dict[str, Any]) -> str:
    if operation.get("security"):
        starter = "403" in operation["responses"]
        return "the petition's starter, signed in" if starter else "signed in"
    return "link holder" if "{token}" in path else "anyone"


def _bounds(schema: dict[str, Any]) -> list[str]:
    """``1 to 200 characters``, ``at most 100``, ``at least 1 item``..."""
    found = []
    for low, high, unit in (
        ("minLength", "maxLength", " characters"),
        ("minItems", "maxItems", " items"),
        ("minimum", "maximum", ""),
        ("minProperties", "maxProperties", " fields"),
    ):
        least, most = schema.get(low), schema.get(high)
        least, most = (_number(value) for value in (least, most))
        if least is not None and most is not None:
            found.append(f"{least} to {most}{unit}")
        elif most is not None:
            found.append(f"at most {most}{unit}")
        elif least is not None:
            found.append(f"at least {least}{unit}")
    return found


def _number(value: Any) -> Any:
    return int(value) if isinstance(value, float) and value.is_integer() else value


def _error_code(schema: dict[str, Any]) -> str | None:
    """The code of an error schema made by ``mobilise.api.contract.error_schema``."""
    parts = schema.get("allOf", [])
    if len(parts) != 2 or parts[0] != {"$ref": _REF + "Error"}:
        return None
    code: list[str] = parts[1]["properties"]["error"]["properties"]["code"]["enum"]
    return ", ".join(code)


def _cell(text: str) -> str:
    """Text that stays in one cell of a Markdown table."""
    return " ".join(text.split()).replace("|", "\\|")


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]
