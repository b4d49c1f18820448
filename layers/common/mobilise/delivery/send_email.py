"""SESv2 ``SendEmail`` as botocore's client sends it, without the client's work around each call.

Why: a paced deliver function sends one email every few tens of milliseconds and wakes
with cold caches each time; through the client, a SendEmail runs two dozen events (most
with no handler for SES), resolves the endpoint rules again, serialises by walking the
model, rebuilds its headers and prepares copies of its request: about half of what an
email cost the function (cProfile in a paced worker of the benchmark), the signature
itself a fifth of that. What is constant for every call (the endpoint, the signing name
and region, the User-Agent, the day's signing key) is worked out once, from the client;
what a call needs is built from botocore's own pieces, so that the request on the wire is
the client's, byte for byte, save the signature's date and the invocation id
(``tests/unit/test_send_email.py``): 0.11 ms a call against 0.26 through the client.

* the JSON body as botocore's rest-json serialiser writes it (the raw message in base64);
* the events a test or an emulator answers at: ``before-parameter-build`` and
  ``before-call`` (botocore's ``Stubber``, Lambda's recursion detection header), then
  ``before-send`` (moto, the benchmark's SES stand-in), so that each sees every request;
* the client's credentials, refreshed as the client's signer does
  (``get_frozen_credentials``), and botocore's ``SigV4Auth`` for the signature;
* the client's own HTTP session (its timeouts, proxies and connection pool);
* botocore's parser and the client's modelled exceptions for an answer: the same
  ``ClientError`` subclasses with the same codes and ``ResponseMetadata``, and the same
  connection and timeout exceptions, so :mod:`mobilise.delivery.ses` reads them as before.

It makes one attempt, as the client it replaces (configured with ``total_max_attempts=1``):
throttling is the deliver function's to handle. It does not emit the client's other events
(``provide-client-params``, ``after-call``, ``needs-retry``, client-side monitoring's), which
nothing registers for SES here; and the X-Ray SDK, which wraps the client's calls, does not
see it: an invocation X-Ray samples sends through the client (:func:`mobilise.delivery.ses.send`).
It builds on botocore's private pieces, so botocore is pinned (pyproject.toml) and the tests
compare its requests with the client's: a botocore upgrade that changes them fails them.
"""

from __future__ import annotations

import base64
import json
import uuid
from typing import Any, ClassVar

import botocore.auth
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSPreparedRequest, AWSRequest, HeadersDict

OPERATION = "SendEmail"
#: The Host SigV4Auth signs for a URL (botocore's function, which its stubs leave out).
_HOST_FROM_URL: Any = botocore.auth._host_from_url  # type: ignore[attr-defined]


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
        self._host: str = _HOST_FROM_URL(self._url)  # botocore's, for each request it signs
        self._extra_headers: dict[str, str] = dict(headers or {})
        self._signing_name = signing.get("signing_name", client._request_signer.signing_name)
        self._region = signing.get("region", client._request_signer.region_name)
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

    def __call__(
        self,
        *,
        sender: str,
        to: str,
        raw: bytes,
        configuration_set: str,
        tags: list[tuple[str, str]],
    ) -> dict[str, Any]:
        """SES's parsed answer (``MessageId``); a refusal raises the client's ``ClientError``."""
        params: dict[str, Any] = {
            "FromEmailAddress": sender,
            "Destination": {"ToAddresses": [to]},
            "Content": {"Raw": {"Data": raw}},
            "ConfigurationSetName": configuration_set,
            "EmailTags": [{"Name": name, "Value": value} for name, value in tags],
        }
        context: dict[str, Any] = {"client_config": self._client.meta.config}
        events = self._client.meta.events
        events.emit(self._events["params"], params=params, model=self._model, context=context)
        request = self._request(params, context)
        _, answer = events.emit_until_response(
            self._events["call"],
            model=self._model,
            params=request,
            request_signer=self._client._request_signer,
            context=context,
        )
        if answer is None:  # nothing stubbed it: the signed request goes out
            answer = self._sent(self._signed(request))
        return self._raised(*answer)

    def _request(self, params: dict[str, Any], context: dict[str, Any]) -> dict[str, Any]:
        """The request as botocore's rest-json serialiser writes it (the raw bytes in base64),
        before its ``before-call`` handlers (Lambda's recursion detection header)."""
        content = {"Raw": {"Data": base64.b64encode(params["Content"]["Raw"]["Data"]).decode()}}
        body = json.dumps({**params, "Content": content}).encode("utf-8")
        return {
            "url_path": self._path,
            "query_string": "",
            "method": self._model.http["method"],
            "headers": {
                **self._extra_headers,
                "Content-Type": "application/json",
                "User-Agent": self._user_agent,
            },
            "body": body,
            "url": self._url,
            "context": context,
        }

    def _signed(self, params: dict[str, Any]) -> AWSPreparedRequest:
        """The request as botocore's endpoint prepares it (headers in its order, their values
        as bytes, its Content-Length), signed with the client's credentials as they are now
        (refreshed if they expire)."""
        request: Any = _Unsigned(params)  # what SigV4Auth reads of an AWSRequest
        request.headers["host"] = self._host  # signed as botocore derives it; urllib3 sends it
        source = self._client._request_signer._credentials
        credentials: Any = None if source is None else source.get_frozen_credentials()
        _SigV4(credentials, self._signing_name, self._region).add_auth(request)
        headers = request.headers
        del headers["host"]
        headers["amz-sdk-invocation-id"] = str(uuid.uuid4())
        headers["amz-sdk-request"] = "attempt=1"
        prepared: Any = HeadersDict(
            (name, value.encode("utf-8") if isinstance(value, str) else value)
            for name, value in headers.items()
        )
        prepared["Content-Length"] = str(len(request.body))
        return AWSPreparedRequest(
            request.method, request.url, prepared, request.body, False, params["context"]
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


class _Unsigned:
    """What ``SigV4Auth`` reads and writes of a request. botocore's ``AWSRequest`` prepares a
    copy of itself each time its body is read, and the signer reads it twice: a third of
    what signing cost."""

    def __init__(self, params: dict[str, Any]) -> None:
        self.method: str = params["method"]
        self.url: str = params["url"]
        self.headers: dict[str, Any] = dict(params["headers"])
        self.body: bytes = params["body"]
        self.params: dict[str, str] = {}
        self.context: dict[str, Any] = {}
        self.stream_output = False


class _SigV4(SigV4Auth):
    """botocore's SigV4, with its signing key (four HMACs of the secret, the day, the region
    and the service) derived once a day rather than for every request."""

    _keys: ClassVar[dict[tuple[Any, ...], bytes]] = {}

    def signature(self, string_to_sign: str, request: Any) -> str:
        this: Any = self  # botocore's stubs leave out SigV4Auth's own attributes
        secret = self.credentials.secret_key
        day = request.context["timestamp"][0:8]
        wanted = (secret, day, this._region_name, this._service_name)
        key = self._keys.get(wanted)
        if key is None:
            key = this._sign(f"AWS4{secret}".encode(), day)
            for part in (this._region_name, this._service_name, "aws4_request"):
                key = this._sign(key, part)
            self._keys.clear()  # the day's key for the credentials of now, only
            self._keys[wanted] = key
        signed: str = this._sign(key, string_to_sign, hex=True)
        return signed
