"""Publishing updates: the 24-hour rule, previews and test sends, scheduling, photos, and the
buttons (actions) each type of update carries."""
