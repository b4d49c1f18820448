"""Moderation of risky updates: the rule that holds them, and the operators' decisions."""
