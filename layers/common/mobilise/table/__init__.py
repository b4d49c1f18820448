"""The single DynamoDB table: its PynamoDB models and indexes, and the data access that turns
failed conditions into the domain's named errors."""
