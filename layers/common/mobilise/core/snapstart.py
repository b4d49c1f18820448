"""What a SnapStart snapshot holds beyond a function's imports (template parameter
``SnapStart``; docs/deploying.md, "SnapStart").

With SnapStart on, Lambda initialises a function once, when a version is published, runs
the hooks registered with the runtime's ``snapshot_restore_py`` module, then snapshots the
memory; each new execution environment is restored from that snapshot. What a function
imports only when an event needs it (the renderer, email-validator, the X-Ray SDK: issue
14) costs a restored environment nothing if the hook imported it before the snapshot.

The hook imports modules and reads botocore's data files; it makes no client, reads no
credentials or settings and opens no connection, so the snapshot holds nothing that must
be unique to an environment or fresh after a restore.
"""

from __future__ import annotations

import importlib

from mobilise.core import aws

#: What any function's first events may load: the X-Ray SDK and Powertools' Tracer (the
#: first sampled invocation builds it: mobilise.core.observability).
EVERY_FUNCTION = ("aws_xray_sdk.core", "aws_lambda_powertools.tracing")
#: The services whose models botocore parses when a function makes its first client.
SERVICES = ("dynamodb", "sqs", "sesv2")


def before_snapshot(*modules: str, templates: bool = False) -> bool:
    """Have the runtime run :func:`warm` with ``modules`` (and ``templates``) before the
    snapshot; ``False`` where there is no runtime hook to register with (outside Lambda's
    managed Python runtimes, which ship ``snapshot_restore_py``). Without SnapStart the hook
    never runs."""
    try:
        from snapshot_restore_py import register_before_snapshot
    except ImportError:
        return False
    register_before_snapshot(warm, *modules, templates=templates)
    return True


def warm(*modules: str, templates: bool = False) -> None:
    """Import ``modules`` and :data:`EVERY_FUNCTION`; with ``templates``, load every email
    and page template (the first use of each would make Python compile it); parse botocore's
    data files for :data:`SERVICES` into the loader every client of the process shares."""
    for name in (*modules, *EVERY_FUNCTION):
        importlib.import_module(name)
    if templates:
        importlib.import_module("mobilise.emails.rendering").load_templates()
    aws.load_service_data(*SERVICES)
