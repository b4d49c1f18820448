"""Digests: at most one update email a day per person, across all petitions.

A person is their address's hash. When an update's email is about to be sent to someone,
:func:`mobilise.digests.admission.admit` takes their daily window (one conditional write):
free, a day old, or already this update's (a retry), the email goes now; taken by another
update or their digest, the update waits in a digest entry, due when the window reopens.
Every minute the schedule queues one :class:`~mobilise.delivery.messages.DigestMessage` per
person with entries due (:mod:`.due`); the deliver function sends it
(:mod:`.sending`): one email, a section per waiting update (:mod:`.compose`), which takes
the window for the day. Event reminders are not update emails: neither held nor counted.
Someone who follows one petition only takes no window of their own while no other update of
that petition is emailing that day (:mod:`.alone`): the cap then costs two writes a delivery
message, not one an email. Off (``signer_daily_cap``), nothing is written and every update
goes at once.
"""
