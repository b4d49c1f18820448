"""The decision-maker's answer: the petition sent to its decision-maker with a signed link,
the public page where they answer, and the answer brought back to the signers."""
