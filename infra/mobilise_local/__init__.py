"""Running Mobilise somewhere other than AWS: the local stack behind ``make run``.

Everything here reads ``template.yaml``, so the local system and the deployed
one are built from the same description: the same routes and authorizer, the
same queues and batch sizes, the same table and environment.
"""
