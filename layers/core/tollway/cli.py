"""The `tollway` command: run the local gateway, manage keys over the admin API.

    tollway serve [--host 127.0.0.1] [--port 8787] [--no-persist]
    tollway keys create --credits 10 [--name NAME] [--rpm 60] [--scopes ai:read,ai:generate]
    tollway keys show ID | credit ID AMOUNT | revoke ID      (all take --url and --admin-key)
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import Any


def _admin_call(args: argparse.Namespace, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
    import httpx

    if not args.admin_key:
        sys.exit("error: pass --admin-key or set TOLLWAY_ADMIN_KEY")
    try:
        response = httpx.request(method, args.url.rstrip("/") + path, json=body, timeout=30,
                                 headers={"authorization": f"Bearer {args.admin_key}"})
    except httpx.HTTPError as exc:
        sys.exit(f"error: cannot reach {args.url}: {type(exc).__name__}")
    if response.status_code >= 400:
        try:
            message = response.json()["error"]["message"]
        except (ValueError, KeyError, TypeError):
            message = response.text[:300]
        sys.exit(f"error: HTTP {response.status_code}: {message}")
    return response.json() if response.content else None


def _keys(args: argparse.Namespace) -> None:
    if args.action == "create":
        body: dict[str, Any] = {"name": args.name, "credits": args.credits, "rpm": args.rpm}
        if args.scopes:
            body["scopes"] = [s.strip() for s in args.scopes.split(",") if s.strip()]
        created = _admin_call(args, "POST", "/admin/keys", body)
        print(f"created key {created['id']} with {created['credits']} credits, {created['rpm']} rpm",
              file=sys.stderr)
        print(created["key"])
    elif args.action == "show":
        print(json.dumps(_admin_call(args, "GET", f"/admin/keys/{args.id}"), indent=2))
    elif args.action == "credit":
        print(_admin_call(args, "POST", f"/admin/keys/{args.id}/credits", {"amount": args.amount})["credits"])
    elif args.action == "revoke":
        _admin_call(args, "DELETE", f"/admin/keys/{args.id}")
        print(f"revoked {args.id}")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="tollway", description="Tollway AI inference gateway")
    commands = parser.add_subparsers(dest="command", required=True)

    serve = commands.add_parser("serve", help="run the gateway locally with an embedded AWS emulator")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8787)
    serve.add_argument("--template", default=None, help="path to template.yaml (default: found from cwd)")
    serve.add_argument("--data-dir", default=".tollway", help="where keys, balances and files persist")
    serve.add_argument("--no-persist", action="store_true", help="keep nothing across restarts")
    serve.add_argument("--loop", choices=("auto", "uvloop", "asyncio"), default="auto",
                       help="event loop (auto: uvloop when installed)")
    serve.add_argument("--http", choices=("auto", "httptools", "h11"), default="auto",
                       help="HTTP parser (auto: httptools when installed)")

    # The admin options are accepted after the action too: `tollway keys create --credits 1 --url ...`.
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--url", default=os.environ.get("TOLLWAY_URL", "http://127.0.0.1:8787"))
    common.add_argument("--admin-key", default=os.environ.get("TOLLWAY_ADMIN_KEY"))
    keys = commands.add_parser("keys", help="manage API keys through the admin API")
    actions = keys.add_subparsers(dest="action", required=True)
    create = actions.add_parser("create", parents=[common], help="issue a key (printed once)")
    create.add_argument("--credits", type=str, required=True)
    create.add_argument("--name", default="cli")
    create.add_argument("--rpm", type=int, default=60)
    create.add_argument("--scopes", default=None, help="comma-separated, e.g. ai:read,ai:generate")
    for name in ("show", "revoke"):
        actions.add_parser(name, parents=[common]).add_argument("id")
    credit = actions.add_parser("credit", parents=[common], help="add credits (negative to remove)")
    credit.add_argument("id")
    credit.add_argument("amount", type=str)
    return parser


def main(argv: list[str] | None = None) -> None:
    args = _parser().parse_args(argv)
    if args.command == "serve":
        from tollway.local.serve import serve

        from tollway.catalog.custom_upstreams import UpstreamsConfigError

        try:
            serve(args.host, args.port, args.template, None if args.no_persist else Path(args.data_dir),
                  loop=args.loop, http=args.http)
        except KeyboardInterrupt:
            pass
        except UpstreamsConfigError as exc:
            sys.exit(f"error: {exc}")
    elif args.command == "keys":
        _keys(args)


if __name__ == "__main__":
    main()
