"""moto's WSGI server as the emulator child runs it, without the per-request work it does not need.

    app = ServiceDispatcher(create_backend_app)           # in place of DomainDispatcherApplication
    make_server(host, port, app, threaded=True, request_handler=QuietRequestHandler)

Dispatch. For every request moto's `DomainDispatcherApplication` lists its own package folder (a
stat per service) and then tries its ~250 host patterns in turn: measured 0.9 ms per DynamoDB call and
2.5 ms per S3, Step Functions, Lambda or IAM call, more than some of the calls themselves. A
SigV4-signed request names its service in the credential scope, and for the services below that
name alone decides moto's answer, so the app moto picks the first time is reused; everything else
(unsigned requests such as presigned URLs, `/moto-api`, S3 Control, DynamoDB Streams) still goes
through moto's own dispatch.

Logging. werkzeug's handler formats an access line for every request (path decoding, colours, a
timestamp) before the logger drops it; the emulator's requests are the gateway's own store calls,
so `QuietRequestHandler` does not build the line at all. Errors are still logged.
"""

from __future__ import annotations

from typing import Any

from moto.moto_server.werkzeug_app import DomainDispatcherApplication, MotoRequestHandler

# Signing names whose moto app depends on nothing else in the request (checked below for the two
# that share a signing name with another moto service).
REMEMBERED = frozenset({"dynamodb", "s3", "states", "lambda", "iam", "sts", "logs", "sqs", "events"})
DYNAMODB_TARGET = "DynamoDB_20120810."


def signed_service(environ: dict[str, Any]) -> str | None:
    """The service a request is signed for, when it alone says which moto app serves it."""
    path = environ.get("PATH_INFO", "")
    if path.startswith(("/moto-api", "/latest/")) or path == "/favicon.ico":
        return None
    auth = environ.get("HTTP_AUTHORIZATION", "")
    if not auth.startswith("AWS4-HMAC-SHA256 Credential="):
        return None
    scope = auth[len("AWS4-HMAC-SHA256 Credential="):].split(",", 1)[0].split("/")
    if len(scope) != 5 or scope[3] not in REMEMBERED:
        return None
    service = scope[3]
    if service == "dynamodb" and not environ.get("HTTP_X_AMZ_TARGET", "").startswith(DYNAMODB_TARGET):
        return None  # DynamoDB Streams and the 2011 API are other moto apps
    if service == "s3" and (path.startswith("/v20180820/") or "s3-control" in environ.get("HTTP_HOST", "")):
        return None  # S3 Control
    return service


class ServiceDispatcher(DomainDispatcherApplication):
    def __init__(self, create_app: Any) -> None:
        super().__init__(create_app)
        self.by_service: dict[str, Any] = {}

    def service_of(self, environ: dict[str, Any]) -> str | None:
        """The moto backend that serves this request ("dynamodb", "s3", ...): from its signature when
        that is enough, else by moto's own dispatch (presigned URLs and forms)."""
        service = signed_service(environ)
        if service is not None:
            return service
        app = self.get_application(environ)
        return next((name for name, known in self.app_instances.items() if known is app), None)

    def get_application(self, environ: dict[str, Any]) -> Any:
        service = signed_service(environ)
        if service is None:
            return super().get_application(environ)
        app = self.by_service.get(service)
        if app is None:
            app = self.by_service[service] = super().get_application(environ)
        return app


class QuietRequestHandler(MotoRequestHandler):
    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        pass

