"""What signers do with an update: clicks on its buttons, responses (advice, testimonies),
RSVPs to events, and the calendar file of an event."""
