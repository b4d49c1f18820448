"""Getting an update to its signers: fan-out over the signatures, sending through SES at the
account's pace, the sweeper that re-drives stalled fan-outs, and SES's bounce and complaint
events."""
