"""The web console: passkey sign-up and sign-in, keys, usage, playground, operations, devices, account
(pages and their JSON API under /console, session cookie + CSRF token), and the CLI's device-code
and whoami endpoints. Everything it serves is in the layer: tollway/http/console/."""

from tollway.http.app import create_app
from tollway.http.console import routers
from tollway.http.console.headers import ConsoleHeaders
from tollway.http.lambda_handler import lambda_handler

app = create_app("console")
for router in routers():
    app.include_router(router)
app.add_middleware(ConsoleHeaders)

handler = lambda_handler(app)
