"""The single DynamoDB table, shared by every capability: its PynamoDB models and indexes,
reads by key, failed conditions read once, rate windows and job records. Each capability's
``store.py`` writes its own items and turns failed conditions into named domain errors."""
