"""The naive design the request counts are compared with: a small, real implementation.

Delivery: :func:`deliver` is the deliver function's work as it was before one record per
delivery message: Powertools idempotency per recipient and the whole MIME message built by
the email package for each (see :mod:`mobilise_bench.delivery_cpu`).


Fan-out sends one SQS message per recipient (``SendMessage``), and delivery reads
each recipient on its own: the real deliver function, handed messages of one
recipient each by an event source with SQS's default batch size (10). So per
recipient: one message sent, received and deleted, one signer read (and one
suppression read), one statistics write, and the same idempotent send as the
real design. Nothing else differs: same table, same queries, same email.
"""

from __future__ import annotations

from email.headerregistry import Address
from email.message import EmailMessage
from typing import Any

from mobilise.core import aws
from mobilise.core.config import get_settings
from mobilise.core.links import SignerRef
from mobilise.delivery import confirmations, sending
from mobilise.delivery import store as delivery_store
from mobilise.delivery.messages import DeliveryMessage, FanoutMessage
from mobilise.emails import wire
from mobilise.emails.rendered import RecipientLinks, Rendered
from mobilise.table import items

#: The batch size of the naive delivery event source (SQS's default for Lambda).
NAIVE_DELIVERY_BATCH = 10


def fan_out(petition_id: str, update_id: str) -> int:
    """Every subscribed signer, one ``SendMessage`` each; returns how many were sent."""
    settings = get_settings()
    sqs = aws.sqs()
    sent = 0
    for shard in range(settings.signature_shards):
        cursor: dict[str, Any] | None = None
        while True:
            page, cursor = delivery_store.page_subscribers(
                petition_id, shard, cursor, settings.fanout_page_size
            )
            for signature in page:
                message = DeliveryMessage(
                    petition_id=petition_id,
                    update_id=update_id,
                    recipients=[signature.email_hash],
                )
                sqs.send_message(
                    QueueUrl=settings.delivery_queue_url, MessageBody=message.to_json()
                )
                sent += 1
            if cursor is None:
                break
    return sent


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """The naive fan-out function: one job a record, no checkpoints, no page markers."""
    for item in event["Records"]:
        job = FanoutMessage.from_json(item["body"])
        fan_out(job.petition_id, job.update_id)
    return {"batchItemFailures": []}


# The naive deliver: what Mobilise's did before one record per delivery message ----------------


def whole_message(rendered: Rendered, *, sender: str, to: str, links: RecipientLinks) -> bytes:
    """One recipient's MIME message as Python's email package writes it, whole: headers folded
    and both parts quoted-printable-encoded again for every recipient."""
    message = EmailMessage(policy=wire.POLICY)
    message["From"] = sender
    message["To"] = Address(addr_spec=to)
    message["Subject"] = rendered.subject
    if links.unsubscribe is not None:
        message["List-Unsubscribe"] = f"<{links.unsubscribe}>"
        message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    html, text = rendered.personalised(links)
    message.set_content(text)
    message.add_alternative(html, subtype="html")
    return message.as_bytes()


def deliver(message: DeliveryMessage) -> None:
    """Per recipient: the whole MIME message built, then one SendEmail inside Powertools
    Idempotency keyed on (update, signer) (two writes: in progress, then done); the message's
    counts in one more write. Same reads, renderings and SES calls as Mobilise's."""
    signatures, suppressed = items.recipients(message.petition_id, message.recipients)
    settings = get_settings()
    counts = {"sent": 0, "failed": 0}
    for email_hash in message.recipients:
        signature = signatures.get(email_hash)
        if signature is None or not signature.receives_updates or email_hash in suppressed:
            continue
        language = signature.language or sending._default_language(
            message.petition_id, message.update_id
        )
        rendered = sending._rendered(message.petition_id, message.update_id, language)
        signer = SignerRef(message.petition_id, email_hash, message.update_id)
        raw = whole_message(
            rendered,
            sender=settings.sender_address,
            to=signature.email,
            links=sending.recipient_links(signer, rendered),
        )
        tags = {"petition_id": message.petition_id, "update_id": message.update_id}
        result = confirmations._send_once()(
            send={
                "kind": "naive-update",
                "petition_id": message.petition_id,
                "subject_id": message.update_id,
                "email_hash": email_hash,
            },
            email=sending.Outgoing(signature.email, raw, tags),
        )
        counts["sent" if result["status"] == "sent" else "failed"] += 1
    delivery_store.add_stats(message.petition_id, message.update_id, counts)
