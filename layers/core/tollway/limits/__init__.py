"""Per-key request rate limits kept in DynamoDB, so they hold across Lambda instances."""
