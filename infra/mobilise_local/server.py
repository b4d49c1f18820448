"""The local stack: moto, the resources of the template, the API on a port, the pollers."""

from __future__ import annotations

import json
import logging
import os
import re
import socket
import sys
import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from mobilise_local import app_config, iam, lambdas, outbox, ses_feedback
from mobilise_local.auth import CognitoAuthorizer, LocalUsers
from mobilise_local.fake_aws import FAKE_AWS
from mobilise_local.gateway import Gateway, HttpResponse, response_from
from mobilise_local.oauth import LocalLogin
from mobilise_local.pollers import Pollers, join_all
from mobilise_local.resources import Stack, create
from mobilise_local.template import Schedule, Template
from mobilise_local.webapp import DIST, App, behaviours

# Not under "mobilise": Powertools filters the root handler's records of loggers named
# after its service, which would silence the local stack's own log.
log = logging.getLogger("local-stack")

_MAX_REQUEST = 10 * 1024 * 1024  # API Gateway's payload limit
PHOTOS_BUCKET = "PhotosBucket"  # served at /_local/photos/ as PhotosDistribution serves it
PRIVACY_FUNCTION = "PrivacyFunction"  # IAM-only on AWS: /_local/privacy/{export,erase} here
MODERATION_FUNCTION = "ModerationFunction"  # IAM-only on AWS: /_local/moderation/* here
SES_EVENTS_TOPIC = "SesEventsTopic"  # where SES publishes its events: /_local/ses-events


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def use_fake_aws(endpoint: str) -> None:
    """Fake credentials and local endpoints only: nothing can reach AWS from here on."""
    for name in (
        "AWS_PROFILE",
        "AWS_DEFAULT_PROFILE",
        "AWS_CONFIG_FILE",
        "AWS_SHARED_CREDENTIALS_FILE",
    ):
        os.environ.pop(name, None)
    os.environ.update(FAKE_AWS)
    os.environ["AWS_ENDPOINT_URL"] = endpoint


@dataclass
class Local:
    template: Template
    stack: Stack
    gateway: Gateway
    users: LocalUsers
    pollers: Pollers
    region: str
    app: App
    login: LocalLogin


def build(
    template: Template,
    parameters: dict[str, str],
    moto_url: str,
    dev_origins: tuple[str, ...] = (),
    app_dir: Path = DIST,
) -> Local:
    """Create the resources and wire the functions to them (environment, queues, API), and
    the site's other origin: the app and its sign-in (``dev_origins``: the app's dev servers,
    to which sign-in may return too)."""
    stack = create(template, parameters)
    iam.enforce(template, stack)
    functions = template.functions()
    environment: dict[str, str] = {}
    for function in functions.values():
        for name, value in stack.environment(function.environment).items():
            if environment.get(name, value) != value:
                raise ValueError(f"{name} differs between functions; one process cannot run both")
            environment[name] = value
    os.environ.update(environment)
    os.environ.setdefault("POWERTOOLS_TRACE_DISABLED", "true")
    os.environ.setdefault("POWERTOOLS_METRICS_DISABLED", "true")
    pool = next(iter(template.of_type("AWS::Cognito::UserPool")))
    clients = list(template.of_type("AWS::Cognito::UserPoolClient"))
    region = os.environ["AWS_DEFAULT_REGION"]
    authorizer = CognitoAuthorizer(
        stack.refs[pool],
        [stack.refs[client] for client in clients],
        f"{moto_url}/{stack.refs[pool]}/.well-known/jwks.json",
        region,
    )
    gateway = Gateway(
        template.routes(), authorizer, template.gateway_responses(), stack.parameters["Stage"]
    )
    pollers = Pollers(template.queue_sources(), functions, stack, log)
    users = LocalUsers(stack.refs[pool], stack.refs[clients[0]])
    site = stack.parameters["SiteUrl"] or stack.parameters["PublicBaseUrl"]
    app_client = stack.refs[app_config.APP_CLIENT]
    client = template.resources[app_config.APP_CLIENT]["Properties"]
    login = LocalLogin(
        users,
        app_client,
        {stack.resolve(url) for url in client["CallbackURLs"]}
        | {f"{origin}/app/callback" for origin in dev_origins},
        {stack.resolve(url) for url in client["LogoutURLs"]}
        | {f"{origin}/app/" for origin in dev_origins},
    )
    app = App(
        # The sign-in domain is the stack itself; photos are uploaded to moto's S3.
        behaviours(template, stack, {"Login": site, "Uploads": moto_url}),
        {
            urlsplit(origin).netloc: app_config.config(origin, f"{origin}/_local", app_client)
            for origin in (site, *dev_origins)
        },
        app_dir,
    )
    return Local(template, stack, gateway, users, pollers, region, app, login)


class _Handler(BaseHTTPRequestHandler):
    local: Local
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        log.info("%s %s", self.address_string(), format % args)

    def do_GET(self) -> None:
        self._serve()

    def do_POST(self) -> None:
        self._serve()

    def do_PATCH(self) -> None:
        self._serve()

    def do_PUT(self) -> None:
        self._serve()

    def do_DELETE(self) -> None:
        self._serve()

    def do_HEAD(self) -> None:
        self._serve()

    def do_OPTIONS(self) -> None:
        self._serve()

    def do_TRACE(self) -> None:
        self._serve()

    def _serve(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        if length > _MAX_REQUEST:
            self._send(_error(413, "payload_too_large", "API Gateway takes at most 10 MiB."))
            self.close_connection = True
            return
        body = self.rfile.read(length) if length else b""
        try:
            path, _, query = self.path.partition("?")
            app = self.local.app.answer(self.command, path, self.headers.get("Host", ""), query)
            local = self.path.startswith("/_local/")
            response = app or (self._local(body) if local else self._api(body))
        except Exception:
            log.exception("local stack error")
            response = _error(502, "internal_error", "The local stack failed; see its log.")
        self._send(response)

    def _send(self, response: HttpResponse) -> None:
        self.send_response(response.status)
        for name, value in response.headers:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(response.body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(response.body)

    def _api(self, body: bytes) -> HttpResponse:
        headers = {name: value for name, value in self.headers.items()}
        built = self.local.gateway.event(
            self.command, self.path, headers, body, self.client_address[0]
        )
        if isinstance(built, HttpResponse):
            return built
        route, event = built
        function = self.local.template.functions()[route.function]
        return response_from(lambdas.invoke_in_environment(function, event))

    def _local(self, body: bytes) -> HttpResponse:
        path = self.path.split("?", 1)[0]
        signing_in = self.local.login.route(self.command, self.path, body)
        if signing_in is not None:
            return signing_in
        try:
            payload = json.loads(body) if body else {}
        except ValueError:
            return _error(400, "invalid_json", "Local endpoints take a JSON body.")
        if not isinstance(payload, dict):
            return _error(400, "invalid_json", "Local endpoints take a JSON object.")
        if self.command == "POST" and path == "/_local/token":
            user = payload.get("user")
            if not isinstance(user, str) or not re.fullmatch(r"[A-Za-z0-9._@+-]{1,64}", user):
                return HttpResponse.json(
                    400,
                    {"error": {"code": "bad_request", "message": '{"user": "<name>"} expected'}},
                )
            return HttpResponse.json(200, {"token": self.local.users.token(user)})
        if self.command == "GET" and path == "/_local/openapi.json":
            from mobilise_local.openapi import OUTPUT

            document = OUTPUT.read_bytes()
            return HttpResponse(200, [("Content-Type", "application/json")], document)
        if self.command in ("GET", "HEAD") and path.startswith("/_local/photos/"):
            return self._photo(path.removeprefix("/_local/"))
        if self.command == "GET" and path == "/_local/outbox":
            return self._outbox()
        raw = re.fullmatch(r"/_local/outbox/([^/]+)/raw", path)
        if self.command == "GET" and raw:
            return self._raw_email(raw.group(1))
        if self.command == "GET" and re.fullmatch(r"/_local/outbox/[^/]+", path):
            page = outbox.page(self.local.region, path.rsplit("/", 1)[1])
            if page is None:
                return _error(404, "not_found", "No such email.")
            return HttpResponse(200, [("Content-Type", "text/html; charset=utf-8")], page.encode())
        privacy = re.fullmatch(r"/_local/privacy/(export|erase)", path)
        if self.command == "POST" and privacy:
            return self._privacy(privacy.group(1), payload)
        moderation = re.fullmatch(r"/_local/moderation/(list|approve|reject)", path)
        if self.command == "POST" and moderation:
            return self._moderation(moderation.group(1), payload)
        deliveries = re.fullmatch(r"/_local/deliveries/(paused|resume|cancel|resume_account)", path)
        if self.command == "POST" and deliveries:  # infra/deliveries.py's commands
            return self._moderation(deliveries.group(1), payload)
        if self.command == "POST" and path == "/_local/ses-events":
            return self._ses_event(payload)
        if self.command == "POST" and path == "/_local/clock":
            from mobilise.core import clock

            now = clock.advance(float(payload.get("advance_seconds", 0)))
            return HttpResponse.json(200, {"now": clock.isoformat(now)})
        if self.command == "POST" and path == "/_local/drain":
            drained = self.local.pollers.drain(float(payload.get("timeout_seconds", 30)))
            return HttpResponse.json(200 if drained else 504, {"drained": drained})
        schedule = re.fullmatch(r"/_local/schedules/([^/]+)/run", path)
        if self.command == "POST" and schedule:
            return self._run_schedule(schedule.group(1))
        return HttpResponse.json(
            404, {"error": {"code": "not_found", "message": "No such local endpoint."}}
        )

    def _outbox(self) -> HttpResponse:
        query = parse_qs(urlsplit(self.path).query, keep_blank_values=True)
        try:
            filters = outbox.filters_from(query)
        except outbox.BadFilter as bad:
            return _error(400, "bad_filter", str(bad))
        return HttpResponse.json(200, {"messages": outbox.messages(self.local.region, filters)})

    def _raw_email(self, message_id: str) -> HttpResponse:
        data = outbox.raw(self.local.region, message_id)
        if data is None:
            return _error(404, "not_found", "No such email.")
        return HttpResponse(200, [("Content-Type", "message/rfc822")], data)

    def _privacy(self, action: str, payload: dict[str, Any]) -> HttpResponse:
        """PrivacyFunction invoked as ``infra/privacy.py`` invokes it on AWS (IAM there)."""
        from mobilise.core.operator_requests import InvalidRequest

        if set(payload) != {"email"} or not isinstance(payload["email"], str):
            return _error(400, "bad_request", '{"email": "<address>"} expected.')
        function = self.local.template.functions()[PRIVACY_FUNCTION]
        try:
            answer = lambdas.invoke_in_environment(
                function, {"action": action, "email": payload["email"]}
            )
        except InvalidRequest as refused:
            return _error(400, "bad_request", f"{refused}.")
        return HttpResponse.json(200, answer)

    def _moderation(self, action: str, payload: dict[str, Any]) -> HttpResponse:
        """ModerationFunction invoked as ``infra/moderation.py`` and ``infra/deliveries.py``
        invoke it on AWS (IAM there): ``list``, ``paused`` and ``resume_account`` take no
        body; the others name the update."""
        alone = action in ("list", "paused", "resume_account")
        wanted = set() if alone else {"petition_id", "update_id"}
        if set(payload) != wanted or not all(isinstance(v, str) for v in payload.values()):
            expected = "{}" if alone else '{"petition_id": "…", "update_id": "…"}'
            return _error(400, "bad_request", f"{expected} expected.")
        function = self.local.template.functions()[MODERATION_FUNCTION]
        answer = lambdas.invoke_in_environment(function, {"action": action, **payload})
        if "error" in answer:
            return HttpResponse.json(409, answer)
        return HttpResponse.json(200, answer)

    def _ses_event(self, payload: dict[str, Any]) -> HttpResponse:
        from mobilise.core import clock

        try:
            ses_event = ses_feedback.event(payload, clock.now())
        except ses_feedback.BadEvent as bad:
            return _error(400, "bad_request", str(bad))
        topic = self.local.stack.refs[SES_EVENTS_TOPIC]
        published = ses_feedback.publish(topic, ses_event)
        return HttpResponse.json(202, {"sns_message_id": published, "event": ses_event})

    def _photo(self, key: str) -> HttpResponse:
        """PhotosDistribution's local twin: what its origin access control may read
        (``photos/*`` of the photos bucket), nothing else."""
        import boto3
        from botocore.exceptions import ClientError

        try:
            found = boto3.client("s3").get_object(
                Bucket=self.local.stack.refs[PHOTOS_BUCKET], Key=key
            )
        except ClientError:
            return _error(404, "not_found", "No such photo.")
        headers = [("Content-Type", found.get("ContentType", "application/octet-stream"))]
        if found.get("CacheControl"):
            headers.append(("Cache-Control", found["CacheControl"]))
        return HttpResponse(200, headers, found["Body"].read())

    def _run_schedule(self, name: str) -> HttpResponse:
        schedule = self.local.template.schedules().get(name)
        if schedule is None:
            return _error(404, "not_found", f"No schedule named {name}.")
        return HttpResponse.json(
            200, {"schedule": name, "result": run_schedule(self.local, schedule)}
        )


def run_schedule(local: Local, schedule: Schedule) -> Any:
    """Invoke a scheduled function as EventBridge does: with the schedule's ``Input``, if it
    has one, else the scheduled event."""
    function = local.template.functions()[schedule.function]
    event = {
        "source": "aws.events",
        "detail-type": "Scheduled Event",
        "detail": {},
        "resources": [f"local:schedule/{schedule.name}"],
    }
    if schedule.input is not None:
        event = json.loads(schedule.input)
    return lambdas.invoke_in_environment(function, event)


class Scheduler:
    """Runs every ``rate(...)`` schedule of the template at its period (real time)."""

    def __init__(self, local: Local) -> None:
        self._local = local
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []

    def start(self) -> None:
        for schedule in self._local.template.schedules().values():
            if schedule.every_seconds is None:
                log.warning(
                    "schedule %s (%s) runs only on demand", schedule.name, schedule.expression
                )
                continue
            thread = threading.Thread(
                target=self._run, args=(schedule,), daemon=True, name=f"schedule-{schedule.name}"
            )
            thread.start()
            self._threads.append(thread)

    def _run(self, schedule: Schedule) -> None:
        assert schedule.every_seconds is not None
        while not self._stop.wait(schedule.every_seconds):
            try:
                run_schedule(self._local, schedule)
            except Exception:
                if not self._stop.is_set():  # when stopping, moto goes away under it
                    log.exception("schedule %s failed", schedule.name)

    def stop(self, timeout: float = 5) -> None:
        """Stop the schedules; wait at most ``timeout`` seconds in all for running ones."""
        self._stop.set()
        join_all(self._threads, timeout)


def _error(status: int, code: str, message: str) -> HttpResponse:
    return HttpResponse.json(status, {"error": {"code": code, "message": message}})


class _Server(ThreadingHTTPServer):
    """A thread per request, and room for a browser's or a load test's burst of connections:
    socketserver's listen backlog of 5 makes the kernel drop the sixth waiting connection."""

    request_queue_size = 1024  # the kernel caps it at net.core.somaxconn
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A browser cancels the requests it no longer needs (a page left, a preview replaced):
        the answer it dropped is no error of the stack's, whose tests fail on any traceback."""
        if isinstance(sys.exc_info()[1], (BrokenPipeError, ConnectionResetError)):
            return
        super().handle_error(request, client_address)


def listen(host: str, port: int) -> ThreadingHTTPServer:
    """Bind the API's port (0: any free one) before the system is built: its links need it."""
    return _Server((host, port), type("Handler", (_Handler,), {}))


def serve(server: ThreadingHTTPServer, local: Local) -> None:
    """Answer requests on ``server`` with ``local``, in a thread."""
    server.RequestHandlerClass.local = local  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, name="gateway", daemon=True)
    thread.start()
