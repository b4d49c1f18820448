"""SESv2 ``SendEmail`` as botocore's client sends it, without the client's work around each call.

Why: a paced deliver function sent one email every few tens of milliseconds and woke with
cold caches each time (an update's emails now go up to 50 a request, by SendBulkEmail
through the client; confirmations, and every other email of one recipient, still come here);
through the client, a SendEmail runs two dozen events (most with no handler for SES),
resolves the endpoint rules again, serialises by walking the model, rebuilds its headers and
prepares copies of its request: about half of what an email cost the function (cProfile in a
paced worker of the benchmark), the signature itself a fifth of that. What is constant for
every call (the endpoint, the signing name and region, the User-Agent, the day's signing
key) is worked out once, from the client; what a call needs is built from botocore's own
pieces, so that the request on the wire is the client's, byte for byte, save the signature's
date and the invocation id (``tests/unit/test_send_email.py``): 0.07 ms a call against 0.26
through the client.

A call is made in two steps, so that an email is made ready before the pacer's wait and
sent after it:
:meth:`SendEmail.prepare` (the events up to ``before-call``, the body, the signature) and
:meth:`SendEmail.send` (``before-send``, the HTTP exchange, the answer read). An answer a
``before-call`` handler gives, or an error raised while preparing, is kept and given (or
raised) when that email is sent, as the client would have, and not if it never is.

* the JSON body as botocore's rest-json serialiser writes it (the raw message in base64);
* the events a test or an emulator answers at: ``before-parameter-build`` and
  ``before-call`` (botocore's ``Stubber``, Lambda's recursion detection header), then
  ``before-send`` (moto, the benchmark's SES stand-in), so that each sees every request;
* the client's credentials, refreshed as the client's signer does
  (``get_frozen_credentials``), signed as botocore's ``SigV4Auth`` signs
  (:mod:`mobilise.core.sigv4`, for less CPU);
* the client's own HTTP session (its timeouts, proxies and connection pool);
* botocore's parser and the client's modelled exceptions for an answer: the same
  ``ClientError`` subclasses with the same codes and ``ResponseMetadata``, and the same
  connection and timeout exceptions, so :mod:`mobilise.delivery.ses` reads them as before.

It makes one attempt, as the client it replaces (configured with ``total_max_attempts=1``):
throttling is the deliver function's to handle. It does not emit the client's other events
(``provide-client-params``, ``response-received``, ``needs-retry``, ``after-call``,
``after-call-error``): for SES, botocore registers only its standard retry mode's handlers
there, which in one attempt neither retry nor move the retry quota, and nothing else does
(``tests/unit/test_send_email.py`` fails when a handler appears). The X-Ray SDK, which wraps
the client's calls, does not see it: an invocation X-Ray samples sends through the client
(:func:`mobilise.delivery.ses.ready`).
It builds on botocore's private pieces, so botocore is pinned (pyproject.toml) and the tests
compare its requests with the client's: a botocore upgrade that changes them fails them.
"""

from __future__ import annotations

import base64
import json
import uuid
from typing import Any, NamedTuple

from botocore.awsrequest import AWSPreparedRequest, AWSRequest, HeadersDict
from botocore.exceptions import NoCredentialsError

from mobilise.core import sigv4

OPERATION = "SendEmail"


def parameters(
    *, sender: str, to: str, raw: bytes, configuration_set: str, tags: list[tuple[str, str]]
) -> dict[str, Any]:
    """SendEmail's parameters for one raw email, as the client takes them."""
    return {
        "FromEmailAddress": sender,
        "Destination": {"ToAddresses": [to]},
        "Content": {"Raw": {"Data": raw}},
        "ConfigurationSetName": configuration_set,
        "EmailTags": [{"Name": name, "Value": value} for name, value in tags],
    }


class Prepared(NamedTuple):
    """One SendEmail made ready (:meth:`SendEmail.prepare`): its signed request; or the answer
    a handler gave, or the error raised, while it was made ready."""

    request: AWSPreparedRequest | None = None
    answer: tuple[Any, dict[str, Any]] | None = None
    error: Exception | None = None


class SendEmail:
    """SendEmail through ``client`` (a boto3 SESv2 client), one attempt."""

    def __init__(self, client: Any) -> None:
        if client.meta.config.retries.get("total_max_attempts") != 1:
            raise ValueError("SendEmail makes one attempt: give it a client that does too")
        self._client = client
        self._model = client.meta.service_model.operation_model(OPERATION)
        service = client.meta.service_model.service_id.hyphenize()
        self._events = {
            "params": f"before-parameter-build.{service}.{OPERATION}",
            "call": f"before-call.{service}.{OPERATION}",
        }
        context: dict[str, Any] = {
            "client_region": client.meta.region_name,
            "client_config": client.meta.config,
            "auth_type": self._model.resolved_auth_type,
        }
        url, headers, _ = client._resolve_endpoint_ruleset(self._model, {}, context)
        signing = context.get("signing", {})
        self._path = self._model.http["requestUri"]
        self._url = url + self._path
        self._extra_headers: dict[str, str] = dict(headers or {})
        self._signer = _Signer(
            self._model.http["method"],
            self._url,
            signing.get("signing_name", client._request_signer.signing_name),
            signing.get("region", client._request_signer.region_name),
        )
        self._user_agent = self._agent(client, service)
        self._response_context = {"client_config": client.meta.config}

    def _agent(self, client: Any, service: str) -> str:
        """The User-Agent the client's ``request-created`` handlers write (Mobilise's constant
        one, then what Powertools appends), read once from a request they are shown: they
        also sign it, which is why they are not run for each email."""
        probe = AWSRequest(method="POST", url=self._url, data=b"{}")
        probe.headers["User-Agent"] = client._user_agent_creator.to_string()
        client.meta.events.emit(
            f"request-created.{service}.{OPERATION}", request=probe, operation_name=OPERATION
        )
        # A handler that sets it again adds a second one; the request as prepared keeps the last.
        agents: list[str] = probe.headers.get_all("User-Agent") or [""]
        return agents[-1]

    def __call__(self, **email: Any) -> dict[str, Any]:
        """Prepare and send (``email``: :meth:`prepare`'s arguments): SES's parsed answer
        (``MessageId``); a refusal raises the client's ``ClientError``."""
        return self.send(self.prepare(**email))

    def prepare(
        self,
        *,
        sender: str,
        to: str,
        raw: bytes,
        configuration_set: str,
        tags: list[tuple[str, str]],
    ) -> Prepared:
        """The request made ready to send, signed, as the client makes it up to its
        ``before-send`` event. An answer a ``before-call`` handler gave (a ``Stubber``), or an
        error raised on the way, is kept for :meth:`send`, as the client would have raised
        it when it sent."""
        params = parameters(
            sender=sender, to=to, raw=raw, configuration_set=configuration_set, tags=tags
        )
        context: dict[str, Any] = {"client_config": self._client.meta.config}
        events = self._client.meta.events
        try:
            events.emit(self._events["params"], params=params, model=self._model, context=context)
            request = self._request(params, context)
            _, answer = events.emit_until_response(
                self._events["call"],
                model=self._model,
                params=request,
                request_signer=self._client._request_signer,
                context=context,
            )
            if answer is not None:  # stubbed: nothing goes out
                return Prepared(answer=answer)
            return Prepared(request=self._signed(request))
        except Exception as error:
            return Prepared(error=error)

    def send(self, prepared: Prepared) -> dict[str, Any]:
        """Send a prepared request (or answer as its handlers did): SES's parsed answer; a
        refusal raises the client's ``ClientError``."""
        if prepared.error is not None:
            raise prepared.error
        answer = prepared.answer
        if answer is None:
            assert prepared.request is not None
            answer = self._sent(prepared.request)
        return self._raised(*answer)

    def _request(self, params: dict[str, Any], context: dict[str, Any]) -> dict[str, Any]:
        """The request as botocore's rest-json serialiser writes it (the raw bytes in base64),
        before its ``before-call`` handlers (Lambda's recursion detection header)."""
        return {
            "url_path": self._path,
            "query_string": "",
            "method": self._model.http["method"],
            "headers": {
                **self._extra_headers,
                "Content-Type": "application/json",
                "User-Agent": self._user_agent,
            },
            "body": _body(params),
            "url": self._url,
            "context": context,
        }

    def _signed(self, params: dict[str, Any]) -> AWSPreparedRequest:
        """The request as botocore's endpoint prepares it (headers in its order, their values
        as bytes, its Content-Length), signed with the client's credentials as they are now
        (refreshed if they expire)."""
        source = self._client._request_signer._credentials
        credentials: Any = None if source is None else source.get_frozen_credentials()
        headers = self._signer.signed(params["headers"], params["body"], credentials)
        headers["amz-sdk-invocation-id"] = str(uuid.uuid4())
        headers["amz-sdk-request"] = "attempt=1"
        prepared: Any = HeadersDict(
            (name, value.encode("utf-8") if isinstance(value, str) else value)
            for name, value in headers.items()
        )
        prepared["Content-Length"] = str(len(params["body"]))
        return AWSPreparedRequest(
            params["method"], params["url"], prepared, params["body"], False, params["context"]
        )

    def _sent(self, request: AWSPreparedRequest) -> tuple[Any, dict[str, Any]]:
        """Sent (or answered at ``before-send``) and parsed, as the client's endpoint does;
        a connection or timeout error raised as it raises it."""
        endpoint = self._client._endpoint
        answer, error = endpoint._do_get_response(request, self._model, self._response_context)
        if error is not None:
            raise error
        http, parsed = answer
        # What botocore's retry handler adds after the one attempt the client allows.
        parsed["ResponseMetadata"].update(MaxAttemptsReached=True, RetryAttempts=0)
        return http, parsed

    def _raised(self, http: Any, parsed: dict[str, Any]) -> dict[str, Any]:
        """``parsed``, or the client's exception for SES's error code."""
        if http.status_code >= 300:
            code = parsed.get("Error", {}).get("Code")
            raise self._client.exceptions.from_code(code)(parsed, OPERATION)
        return parsed


def _body(params: dict[str, Any]) -> bytes:
    """``params`` as botocore's rest-json serialiser writes them (``json.dumps``, the raw
    message in base64). Base64 needs no escaping in JSON, so the message, nearly all of the
    body, is put in as it is rather than scanned by ``json.dumps``: the other parameters are
    written by ``json.dumps``, in their order, around ``Content`` (``{"Raw": {"Data": ...}}``,
    as :meth:`SendEmail.prepare` writes it)."""
    keys = list(params)
    at = keys.index("Content")
    before = json.dumps({key: params[key] for key in keys[:at]})[:-1]  # without its "}"
    after = json.dumps({key: params[key] for key in keys[at + 1 :]})[1:]  # without its "{"
    return b"".join(
        (
            f"{before}{', ' if at else ''}".encode(),
            b'"Content": {"Raw": {"Data": "',
            base64.b64encode(params["Content"]["Raw"]["Data"]),
            b'"}}',
            f"{', ' if after != '}' else ''}{after}".encode(),
        )
    )


class _Signer:
    """SigV4 as botocore's ``SigV4Auth.add_auth`` signs a request of one operation
    (:mod:`mobilise.core.sigv4`): the same headers added in the same order, the same
    canonical request and ``Authorization``, for a fraction of its CPU. Through
    ``SigV4Auth`` the signature took a third of what a paced email cost the function."""

    def __init__(self, method: str, url: str, service: str, region: str) -> None:
        self._head, self._host = sigv4.url_parts(method, url)
        self._service = service
        self._region = region

    def signed(self, unsigned: dict[str, str], body: bytes, credentials: Any) -> dict[str, str]:
        """``unsigned`` with SigV4's headers added (``X-Amz-Date``, the session token if any,
        ``Authorization``), in the order ``SigV4Auth`` adds them."""
        if credentials is None:
            raise NoCredentialsError()
        headers = dict(unsigned)
        sigv4.sign(
            headers,
            body=body,
            head=self._head,
            host=self._host,
            credentials=credentials,
            region=self._region,
            service=self._service,
        )
        return headers
