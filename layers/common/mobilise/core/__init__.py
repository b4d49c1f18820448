"""The pieces every capability stands on: settings, the clock, ids, the domain's errors,
observability, the AWS clients, and the signing and hashing of links and addresses."""
