"""``python -m mobilise_local``: the whole system on this machine (``make run``)."""

from __future__ import annotations

import argparse
import contextlib
import logging
import os
import signal
import sys
from pathlib import Path

from mobilise_local.server import Scheduler, build, free_port, listen, serve, use_fake_aws
from mobilise_local.template import read
from mobilise_local.webapp import DIST

# What the pollers and schedules get to finish their current call once stopped; Ctrl-C
# must end the stack within 5 seconds, and the rest of the stop takes about one.
_THREADS_STOP_SECONDS = 1.5


class _Stopped(Exception):
    """SIGINT or SIGTERM arrived."""


class _Stop:
    """The SIGINT and SIGTERM handler: raises out of the main thread's wait, the first time
    only (a second Ctrl-C would cut the stop short).

    The kernel delivers a signal sent to the process to any of its threads; Python runs the
    handler in the main thread, but only once that thread runs again, and a thread blocked on
    a lock (``Event.wait``) is not woken by a signal another thread received: the stack then
    ignored its Ctrl-C. So the main thread waits on a pipe that the interpreter's C-level
    handler writes to, whichever thread it runs in (``signal.set_wakeup_fd``)."""

    def __init__(self) -> None:
        self.asked = False

    def __call__(self, signum: int, frame: object) -> None:
        if not self.asked:
            self.asked = True
            raise _Stopped


def _wait_for_a_stop(banner: str) -> None:
    """Say ``banner``, then block until SIGINT or SIGTERM, whichever thread receives it."""
    woken, wake = os.pipe()
    os.set_blocking(wake, False)
    signal.set_wakeup_fd(wake)
    stop = _Stop()
    with contextlib.suppress(_Stopped):
        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        print(banner, flush=True)
        while True:
            os.read(woken, 1)  # the handler raises as soon as this returns


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="mobilise_local", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=3000, help="0: any free port")
    parser.add_argument("--moto-port", type=int, default=0, help="0: any free port")
    parser.add_argument(
        "--dynamodb",
        choices=["moto", "local"],
        default="moto",
        help="the tables in moto (default) or in Amazon's DynamoDB Local (needs Java)",
    )
    parser.add_argument(
        "--double-opt-in",
        choices=["true", "false"],
        default="true",
        help="signers confirm their address before they get updates (the template's default)",
    )
    parser.add_argument(
        "--publish-grace-minutes",
        default="0",
        help="minutes a published update waits before it goes out (the template's default "
        "is 5; 0 here: it goes out at once, as the end-to-end tests expect)",
    )
    parser.add_argument(
        "--moderation",
        choices=["true", "false"],
        default="false",
        help="hold risky updates for review (/_local/moderation/*); the template's default: false",
    )
    parser.add_argument(
        "--send-rate", default="100", help="the simulated SES account's emails per second"
    )
    parser.add_argument(
        "--dev-origin",
        action="append",
        default=[],
        help="the app's dev server (e.g. http://127.0.0.1:5173): sign-in may return there too",
    )
    parser.add_argument(
        "--app-dir", type=Path, default=DIST, help="the built app served at /app/ (web/dist)"
    )
    parser.add_argument("--quiet", action="store_true", help="log warnings only")
    args = parser.parse_args(argv)
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    logging.basicConfig(
        level=logging.WARNING if args.quiet else logging.INFO,
        format="%(asctime)s %(name)s %(levelname)s %(message)s",
    )

    from moto.server import ThreadedMotoServer

    from mobilise_local.moto_patches import (
        cheap_dynamodb_transactions,
        enforce_s3_post_policies,
        serialise_dynamodb_requests,
    )
    from mobilise_local.outbox import stamp_send_times
    from mobilise_local.ses_bulk import emulate_send_bulk_email

    serialise_dynamodb_requests()
    cheap_dynamodb_transactions()
    stamp_send_times()
    enforce_s3_post_policies()
    emulate_send_bulk_email()
    moto_port = args.moto_port or free_port()
    moto = ThreadedMotoServer(ip_address="127.0.0.1", port=moto_port, verbose=False)
    moto.start()
    moto_url = f"http://127.0.0.1:{moto_port}"
    use_fake_aws(moto_url)
    dynamodb = None
    if args.dynamodb == "local":
        from mobilise_local.dynamodb_local import DynamoDBLocal

        dynamodb = DynamoDBLocal.on_a_free_port()
        os.environ["AWS_ENDPOINT_URL_DYNAMODB"] = dynamodb.endpoint
    server = listen(args.host, args.port)
    public_url = f"http://{args.host}:{server.server_address[1]}"
    parameters = {
        "PublicBaseUrl": public_url,
        "SiteUrl": public_url,  # pages, app and API on one origin, as SiteDistribution has them
        "DoubleOptIn": args.double_opt_in,
        "SesMaxSendRate": args.send_rate,
        "PublishGraceMinutes": args.publish_grace_minutes,
        "ModerationEnabled": args.moderation,
        "PhotosBaseUrl": f"{public_url}/_local/",  # photos/... are served there
    }
    local = build(read(), parameters, moto_url, tuple(args.dev_origin), args.app_dir)
    serve(server, local)
    local.pollers.start()
    scheduler = Scheduler(local)
    scheduler.start()

    tables = dynamodb.endpoint if dynamodb else f"{moto_url} (moto)"
    banner = (
        f"Mobilise local stack\n"
        f"  API            {public_url}\n"
        f"  moto (AWS)     {moto_url}\n"
        f"  tables         {tables}\n"
        f"  outbox         {public_url}/_local/outbox\n"
        f"  photos         {public_url}/_local/photos/\n"
        f"  app            {public_url}/app/ (sign in as anyone)\n"
        f'  token          curl -s -X POST {public_url}/_local/token -d \'{{"user": "alice"}}\'\n'
        f"  double opt-in  {args.double_opt_in}\n"
        f"  grace, review  {args.publish_grace_minutes} min, moderation {args.moderation}\n"
        f"Press Ctrl-C to stop.\n"
        f"ready"
    )
    _wait_for_a_stop(banner)
    print("stopping...", flush=True)
    scheduler.stop(timeout=_THREADS_STOP_SECONDS)
    local.pollers.stop(timeout=_THREADS_STOP_SECONDS)
    server.shutdown()
    if dynamodb is not None:
        dynamodb.stop()
    moto.stop()
    print("stopped", flush=True)
    return 0


def exit_now(code: int) -> None:
    """Leave without tearing the heap down object by object.

    Everything the stack holds is in this process's memory and goes with it; the
    interpreter's own shutdown would free moto's millions of objects one by one,
    seconds of full CPU after "stopped". The pollers' and schedules' threads are
    daemons: a function still running is cut, as Lambda cuts it at a timeout.
    """
    logging.shutdown()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


if __name__ == "__main__":
    exit_now(main())
