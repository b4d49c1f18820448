"""``python -m mobilise_local``: the whole system on this machine (``make run``)."""

from __future__ import annotations

import argparse
import logging
import signal
import sys
import threading

from mobilise_local.server import build, free_port, serve, use_fake_aws
from mobilise_local.template import read


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="mobilise_local", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=3000)
    parser.add_argument("--moto-port", type=int, default=0, help="0: any free port")
    parser.add_argument("--quiet", action="store_true", help="log warnings only")
    args = parser.parse_args(argv)
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    logging.basicConfig(
        level=logging.WARNING if args.quiet else logging.INFO,
        format="%(asctime)s %(name)s %(levelname)s %(message)s",
    )

    from moto.server import ThreadedMotoServer

    from mobilise_local.moto_patches import serialise_dynamodb_requests

    serialise_dynamodb_requests()

    moto_port = args.moto_port or free_port()
    moto = ThreadedMotoServer(ip_address="127.0.0.1", port=moto_port, verbose=False)
    moto.start()
    moto_url = f"http://127.0.0.1:{moto_port}"
    use_fake_aws(moto_url)
    public_url = f"http://{args.host}:{args.port}"
    local = build(read(), public_url, moto_url)
    server = serve(local, args.host, args.port)
    local.pollers.start()

    stopped = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stopped.set())
    signal.signal(signal.SIGINT, lambda *_: stopped.set())
    print(
        f"Mobilise local stack\n"
        f"  API            {public_url}\n"
        f"  moto (AWS)     {moto_url}\n"
        f"  table          {local.stack.refs['Table']} (moto)\n"
        f"  outbox         {public_url}/_local/outbox\n"
        f'  token          curl -s -X POST {public_url}/_local/token -d \'{{"user": "alice"}}\'\n'
        f"Press Ctrl-C to stop.\n"
        f"ready",
        flush=True,
    )
    stopped.wait()
    print("stopping...", flush=True)
    local.pollers.stop()
    server.shutdown()
    moto.stop()
    print("stopped", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
