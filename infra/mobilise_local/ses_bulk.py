"""SESv2 SendBulkEmail with an inline template, which moto lacks, made as SES does it.

The deliver function sends an update to up to 50 recipients a call: one template
(``DefaultContent.Template.TemplateContent``), each entry its own template data and
headers. moto has no SendBulkEmail (nor templated SendEmail); this adds it to moto's
SESv2 responses, and records each email as moto records a raw SendEmail (through the
backend's ``send_raw_email``: its checks apply, and the outbox, ``stamp_send_times`` and
every test that reads ``sent_messages`` see it as any other email).

What SES documents, and what is chosen here where it does not say:

- Entries: 1 to 50 a call ("up to 50 destinations", SendBulkTemplatedEmail and the SES
  developer guide); the model gives no bound, so more or none is a BadRequestException here.
- Inline templates: "Amazon SES supports only simple substitutions when you ... provide the
  full template content in the request" (the model's ``Template.TemplateContent``). They are
  rendered with pybars3 (Handlebars; SES's templates are Handlebars) compiled as
  Handlebars.js's ``noEscape`` option compiles: "SES doesn't escape HTML content when
  rendering the HTML template" (developer guide, send-personalized-email-advanced), so
  ``{{x}}`` writes ``x`` as ``{{{x}}}`` would. A value is data, never read as template; one
  that is not a string is written as pybars writes it (``1.0``, where Handlebars.js writes
  ``1``): the sender sends strings.
- Template data: a JSON object, at most 262,144 characters (the model's ``EmailTemplateData``);
  other than that the whole call is a BadRequestException (SES answers "The template data is
  invalid" synchronously). An entry's ``ReplacementTemplateData`` is merged over the default
  per key, objects recursively, arrays and other values replaced: what the maintainers of
  aws-ses-v2-local measured on SES (their issue 102, 2026), where the API reference reads as
  a whole-object fallback. The sender puts every key in every entry: either reading works.
- A variable with no value (absent, or null) is a Rendering Failure: SES accepts the email,
  answers SUCCESS with a message id, and never delivers it (AWS knowledge center,
  ses-sendtemplatedemail-delivery-failure). Here it is answered so and not recorded; a
  warning says which variable. (pybars itself would write nothing in its place.)
- Headers: at most 15 a list and a message, names of 1 to 126 printable characters without
  ``:``, values of 1 to 995 printable ASCII characters (the model's ``MessageHeader*``); none
  of those SES sets itself (BCC, CC, Content-Disposition, Content-Type, Date, From,
  Message-ID, MIME-Version, Reply-To, Return-Path, Subject, To: SES header fields page).
  An entry's ``ReplacementHeaders`` replace the template's of the same name, in place, and
  add the others (the model's ``BulkEmailEntry.ReplacementHeaders``). Written as given,
  never folded nor encoded (Python would turn a long URI into encoded words).
- The whole call is refused (MessageRejected, nothing recorded) when the sender is not a
  verified identity, as moto's SendEmail refuses it. One entry that moto's checks refuse
  (an address without a domain: InvalidParameterValue; more than 50 recipients:
  MessageRejected) gets INVALID_PARAMETER or MESSAGE_REJECTED, from the model's
  ``BulkEmailStatus``, with moto's message as ``Error``; the others are sent.
- The message, as SES writes a templated email (the layout is chosen; SES publishes none):
  From, To, Cc (Bcc only in the envelope), Subject (RFC 2047 words when not ASCII), Date
  (UTC, when accepted: on the functions' clock, as ``outbox.stamp_send_times`` notes it,
  so that a test that moves time finds it where its scenario is), the headers, MIME-
  Version, then ``multipart/alternative`` with ``text/plain`` then ``text/html``, each
  UTF-8 and quoted-printable (a template with one body only is that part alone); CRLF.
  ``Message-ID: <id@region.amazonses.com>`` comes last (``email.amazonses.com`` in us-
  east-1), its id the MessageId answered: moto makes the id when it records the email, so
  it is added to what moto recorded.

Not emulated: stored templates (TemplateName/TemplateArn) and attachments raise
NotImplementedError, as moto does for what it lacks; configuration sets and tags are not
checked, as moto's SendEmail does not check them.
"""

from __future__ import annotations

import functools
import json
import logging
import re
import sys
import threading
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from email.headerregistry import BaseHeader, HeaderRegistry, UnstructuredHeader
from email.message import EmailMessage, MIMEPart
from email.policy import SMTP, Policy
from email.utils import format_datetime
from typing import Any, ClassVar, Literal, NamedTuple

from moto.core.exceptions import ServiceException
from moto.ses.exceptions import InvalidParameterValue, MessageRejectedError
from moto.ses.utils import get_random_message_id
from moto.sesv2 import urls as sesv2_urls
from moto.sesv2.models import SESV2Backend
from moto.sesv2.responses import SESV2Response
from pybars._compiler import CodeBuilder, Compiler, compile_grammar  # type: ignore[import-untyped]
from pymeta.grammar import OMeta  # type: ignore[import-untyped]

log = logging.getLogger("local-stack.ses")

MAX_ENTRIES = 50
MAX_TEMPLATE_DATA = 262_144
MAX_HEADERS = 15
_HEADER_NAME = re.compile(r"[!-9;-~]{1,126}")
_HEADER_VALUE = re.compile(r"[ -~]{1,995}")
_SET_BY_SES = {
    "bcc",
    "cc",
    "content-disposition",
    "content-type",
    "date",
    "from",
    "message-id",
    "mime-version",
    "reply-to",
    "return-path",
    "subject",
    "to",
}


class BadRequest(ServiceException):
    """SESv2's BadRequestException (400): the request cannot be read as SES reads it."""

    code = "BadRequestException"


# Rendering ----------------------------------------------------------------------------------


class _UnescapedBuilder(CodeBuilder):  # type: ignore[misc]
    """pybars' code builder with ``{{x}}`` built as ``{{{x}}}``: Handlebars' ``noEscape``."""

    def add_escaped_expand(self, path_type_path: Any, arguments: Any) -> None:
        self.add_expand(path_type_path, arguments)


class _UnescapedCompiler(Compiler):  # type: ignore[misc]
    _builder = _UnescapedBuilder()
    _compiler = OMeta.makeGrammar(compile_grammar, {"builder": _builder})


_compiling = threading.Lock()  # pybars' compiler keeps its state in the class (its docstring)


@functools.lru_cache(maxsize=64)
def _template(source: str) -> Callable[..., Any]:
    """``source`` compiled, once per text (a call's entries share it, and so do calls)."""
    with _compiling:
        render: Callable[..., Any] = _UnescapedCompiler().compile(source)
    sys.modules.pop(render.__module__, None)  # pybars registers each as a module: a leak
    return render


class _NoValue(Exception):
    """A variable of the template has no value in the data: SES's Rendering Failure."""


def _no_value(_context: Any, name: str, *arguments: Any) -> None:
    raise _NoValue(name)


#: A variable an inline template may hold: SES does "only simple substitutions" there.
_VARIABLE = re.compile(r"\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}")


def render(source: str, data: Mapping[str, Any]) -> str:
    """``source`` with each ``{{name}}`` replaced by its value, unescaped, as SES renders.

    A template whose every expression is a simple variable (what an update's template
    holds) is substituted here directly; any other goes through pybars. The same result
    (``tests/integration/test_ses_bulk_emulation.py`` compares them), but pybars compiles
    a template at about 25 ms a kilobyte: 145 ms for a 5.5 KB email, which was most of the
    deliver function's first event in the benchmark's cold starts (SES's work, not ours)."""
    if "\\" in source or "{{{" in source or "{{" in _VARIABLE.sub("", source):
        return str(_template(source)(data, helpers={"helperMissing": _no_value}))
    return _VARIABLE.sub(lambda match: _value(data, match.group(1)), source)


def _value(data: Mapping[str, Any], name: str) -> str:
    """A variable's value as pybars writes it (``true``/``false`` for a boolean)."""
    value = data.get(name)
    if value is None:
        raise _NoValue(name)
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


class Content(NamedTuple):
    """A template's subject and bodies (one of them may be absent), or their rendering."""

    subject: str
    text: str | None
    html: str | None

    def rendered(self, data: Mapping[str, Any]) -> Content:
        def one(source: str | None) -> str | None:
            return render(source, data) if source else None

        return Content(render(self.subject, data), one(self.text), one(self.html))


def merged(default: dict[str, Any], replacement: dict[str, Any]) -> dict[str, Any]:
    """``replacement`` over ``default``: per key, objects merged in turn, anything else won."""
    out = dict(default)
    for name, value in replacement.items():
        if isinstance(value, dict) and isinstance(out.get(name), dict):
            out[name] = merged(out[name], value)
        else:
            out[name] = value
    return out


# Reading the request ------------------------------------------------------------------------


def _template_data(text: Any, where: str) -> dict[str, Any]:
    if text is None:
        return {}
    if not isinstance(text, str) or len(text) > MAX_TEMPLATE_DATA:
        raise BadRequest(f"{where}: template data must be at most {MAX_TEMPLATE_DATA} characters")
    try:
        data = json.loads(text)
    except ValueError:
        raise BadRequest(f"{where}: the template data is invalid (not JSON)") from None
    if not isinstance(data, dict):
        raise BadRequest(f"{where}: the template data is invalid (not a JSON object)")
    return data


def _headers(given: Any, where: str) -> list[tuple[str, str]]:
    headers = given or []
    if len(headers) > MAX_HEADERS:
        raise BadRequest(f"{where}: at most {MAX_HEADERS} headers")
    out = []
    for header in headers:
        name, value = header.get("Name", ""), header.get("Value", "")
        if not _HEADER_NAME.fullmatch(name) or not _HEADER_VALUE.fullmatch(value):
            raise BadRequest(f"{where}: header {name!r} is not a valid name and value")
        if name.lower() in _SET_BY_SES:
            raise BadRequest(f"{where}: header {name} is set by SES")
        out.append((name, value))
    return out


def _with_replacements(
    headers: list[tuple[str, str]], replacements: list[tuple[str, str]]
) -> list[tuple[str, str]]:
    """The template's headers, each replaced by the entry's of the same name; then the rest."""
    given = {name.lower(): (name, value) for name, value in replacements}
    out = [given.pop(name.lower(), (name, value)) for name, value in headers]
    out.extend(given.values())
    if len(out) > MAX_HEADERS:
        raise BadRequest(f"at most {MAX_HEADERS} headers in one message")
    return out


class _Entry:
    """One destination, as read from its BulkEmailEntry."""

    def __init__(self, entry: dict[str, Any], index: int, default: dict[str, Any]) -> None:
        where = f"BulkEmailEntries[{index}]"
        destination = entry.get("Destination") or {}
        self.to: list[str] = destination.get("ToAddresses") or []
        self.cc: list[str] = destination.get("CcAddresses") or []
        self.bcc: list[str] = destination.get("BccAddresses") or []
        if not (self.to or self.cc or self.bcc):
            raise BadRequest(f"{where}: the destination has no address")
        if not all(address.isascii() for address in self.to + self.cc + self.bcc):
            # SES has no SMTPUTF8; chosen: the whole request refused, the worst SES may do
            raise BadRequest(f"{where}: an address must be 7-bit ASCII")
        content = (entry.get("ReplacementEmailContent") or {}).get("ReplacementTemplate") or {}
        replacement = _template_data(content.get("ReplacementTemplateData"), where)
        self.data = merged(default, replacement)
        self.headers = _headers(entry.get("ReplacementHeaders"), where)


# The message --------------------------------------------------------------------------------


class _AsGiven(UnstructuredHeader, BaseHeader):
    """A header written as the caller gave it: one line, never folded nor encoded."""

    max_count: ClassVar[Literal[1] | None] = None

    @classmethod
    def parse(cls, value: str, kwds: dict[str, Any]) -> None:
        kwds["decoded"] = value
        kwds["parse_tree"] = None

    def fold(self, *, policy: Policy) -> str:
        return f"{self.name}: {self}{policy.linesep}"


#: SMTP's policy (CRLF, RFC 2047 words in the Subject) for the headers Python knows (From,
#: To, Subject, Date...), every other header written as given.
POLICY = SMTP.clone(header_factory=HeaderRegistry(default_class=_AsGiven))


def _part(body: str, subtype: str) -> MIMEPart:
    part = MIMEPart(policy=POLICY)
    part.set_content(body, subtype=subtype, charset="UTF-8", cte="quoted-printable")
    return part


def mime(
    sender: str,
    entry: _Entry,
    rendered: Content,
    headers: list[tuple[str, str]],
    now: datetime,
) -> str:
    """The email SES writes for one destination (without Message-ID: see the docstring)."""
    subject, text, html = rendered
    message = EmailMessage(policy=POLICY)
    message["From"] = sender
    if entry.to:
        message["To"] = ", ".join(entry.to)
    if entry.cc:
        message["Cc"] = ", ".join(entry.cc)
    message["Subject"] = subject
    message["Date"] = format_datetime(now.astimezone(UTC))
    for name, value in headers:
        message[name] = value
    message["MIME-Version"] = "1.0"
    parts = [_part(body, kind) for body, kind in ((text, "plain"), (html, "html")) if body]
    if len(parts) == 1:
        (part,) = parts
        for name, value in part.items():
            message[name] = value
        message.set_payload(part.get_payload())
    else:
        message.make_alternative()
        for part in parts:
            message.attach(part)  # type: ignore[arg-type]  # typeshed wants an EmailMessage
    return message.as_string()


def _with_message_id(raw: str, message_id: str, region: str) -> str:
    domain = "email.amazonses.com" if region == "us-east-1" else f"{region}.amazonses.com"
    head, blank, body = raw.partition("\r\n\r\n")
    return f"{head}\r\nMessage-ID: <{message_id}@{domain}>{blank}{body}"


# The call -----------------------------------------------------------------------------------


def send_bulk_email(backend: SESV2Backend, request: dict[str, Any]) -> list[dict[str, str]]:
    """SendBulkEmail's ``BulkEmailEntryResults`` for ``request`` (its JSON body), each email
    accepted recorded by ``backend`` as a raw SendEmail."""
    sender = request.get("FromEmailAddress")
    if not isinstance(sender, str) or not sender:
        raise BadRequest("FromEmailAddress is required")
    if not sender.isascii():  # SES has no SMTPUTF8: a name in encoded words, a domain in Punycode
        raise BadRequest("FromEmailAddress must be 7-bit ASCII")
    template = (request.get("DefaultContent") or {}).get("Template") or {}
    if "TemplateName" in template or "TemplateArn" in template or "Attachments" in template:
        raise NotImplementedError("SendBulkEmail here takes an inline template, no attachment")
    content = template.get("TemplateContent") or {}
    subject, text, html = content.get("Subject"), content.get("Text"), content.get("Html")
    if not subject or not (text or html):
        raise BadRequest("TemplateContent needs a Subject and a Text or an Html")
    template_content = Content(subject, text, html)
    entries = request.get("BulkEmailEntries") or []
    if not 1 <= len(entries) <= MAX_ENTRIES:
        raise BadRequest(f"BulkEmailEntries: from 1 to {MAX_ENTRIES} entries")
    default = _template_data(template.get("TemplateData"), "DefaultContent.Template")
    template_headers = _headers(template.get("Headers"), "DefaultContent.Template")
    read = [_Entry(entry, index, default) for index, entry in enumerate(entries)]
    headers = [_with_replacements(template_headers, entry.headers) for entry in read]
    if not backend.core_backend._is_verified_address(sender):  # moto's check, before any entry
        raise MessageRejectedError(f"Did not have authority to send from email {sender}")
    from mobilise.core import clock  # the functions' clock, as the outbox's send times

    now = clock.now()
    return [
        _send_one(backend, sender, entry, template_content, own, now)
        for entry, own in zip(read, headers, strict=True)
    ]


def _send_one(
    backend: SESV2Backend,
    sender: str,
    entry: _Entry,
    template: Content,
    headers: list[tuple[str, str]],
    now: datetime,
) -> dict[str, str]:
    try:
        rendered = template.rendered(entry.data)
    except _NoValue as missing:
        log.warning("SES rendering failure: no value for %s; the email is not sent", missing)
        return {"Status": "SUCCESS", "MessageId": get_random_message_id()}
    raw = mime(sender, entry, rendered, headers, now)
    try:
        message = backend.send_raw_email(
            source=sender, destinations=entry.to + entry.cc + entry.bcc, raw_data=raw
        )
    except InvalidParameterValue as refused:
        return {"Status": "INVALID_PARAMETER", "Error": refused.message}
    except MessageRejectedError as refused:
        return {"Status": "MESSAGE_REJECTED", "Error": refused.message}
    message.raw_data = _with_message_id(raw, message.id, backend.region_name)
    return {"Status": "SUCCESS", "MessageId": message.id}


_emulated = False


def emulate_send_bulk_email() -> None:
    """Give moto's SESv2 the SendBulkEmail above, in process (``mock_aws``) and in its server
    (call it before the server's first SESv2 request). Once; later calls do nothing."""
    global _emulated
    if _emulated:
        return

    def send_bulk_email_action(self: SESV2Response) -> str:
        results = send_bulk_email(self.sesv2_backend, json.loads(self.body))
        return json.dumps({"BulkEmailEntryResults": results})

    SESV2Response.send_bulk_email = send_bulk_email_action  # type: ignore[attr-defined]
    # moto's server routes only the paths its urls name (its ``/v2/.*`` is no wildcard there)
    sesv2_urls.url_paths["{0}/v2/email/outbound-bulk-emails$"] = SESV2Response.dispatch
    _emulated = True
