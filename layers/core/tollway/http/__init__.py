"""The HTTP edge shared by every function: app factory, reading the request (key, body, request id),
writing a use case's Reply, error mapping. It imports the use cases (`endpoints`), `wire`, `errors`
and `config`, and nothing below them."""
