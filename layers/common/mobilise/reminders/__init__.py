"""The scheduled emails: nudging a quiet starter, reminding signers of an event, asking the
starter how a meeting went."""
