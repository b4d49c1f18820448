"""The Powertools logger, tracer and metrics, built once and imported everywhere."""

from aws_lambda_powertools import Logger, Metrics, Tracer

logger = Logger(service="mobilise")
tracer = Tracer(service="mobilise")
metrics = Metrics(namespace="Mobilise", service="mobilise")
