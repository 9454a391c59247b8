"""The `tollway` command: run the local gateway, manage keys and accounts over the admin API, and
use a gateway as one of its users with a key saved for this device.

    tollway serve [--host 127.0.0.1] [--port 8787] [--no-persist]
    tollway keys create --credits 10 [--name NAME] [--rpm 60] [--scopes ai:read,ai:generate]
    tollway keys show ID | credit ID AMOUNT | revoke ID      (all take --url and --admin-key)
    tollway accounts show ACCOUNT | credit ACCOUNT AMOUNT [--note TEXT]
    tollway invites create [--uses 1] [--days 7] [--note TEXT]

    tollway auth CODE | auth --device        a key for this device, saved with mode 0600
    tollway whoami | usage [--days 7|30] | chat "prompt" [--model M] | operations wait ID
                                             (the saved key, or TOLLWAY_API_KEY; --url or TOLLWAY_URL)
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


def _accounts(args: argparse.Namespace) -> None:
    if args.action == "show":
        print(json.dumps(_admin_call(args, "GET", f"/admin/accounts/{args.id}"), indent=2))
    elif args.action == "credit":
        body = {"amount": args.amount, "note": args.note}
        print(_admin_call(args, "POST", f"/admin/accounts/{args.id}/credits", body)["credits"])


def _invites(args: argparse.Namespace) -> None:
    made = _admin_call(args, "POST", "/admin/invites", {"uses": args.uses, "expires_in_days": args.days,
                                                        "note": args.note})
    print(f"invite for {made['uses']} sign-up(s), valid until {made['expires_at']}:", file=sys.stderr)
    print(made["code"])


def _user_command(args: argparse.Namespace) -> None:
    """The commands a user of a gateway runs with their own key (tollway/commands/)."""
    if args.command == "auth":
        from tollway.commands import device

        if args.device:
            device.device_flow(args.url, args.name)
        elif args.code:
            device.redeem(args.url, args.code, args.name)
        else:
            sys.exit("error: give the code from the console (tollway auth ABCD-2345), or --device")
    elif args.command == "whoami":
        from tollway.commands.account import whoami

        whoami(args.url)
    elif args.command == "usage":
        from tollway.commands.account import usage

        usage(args.url, args.days)
    elif args.command == "chat":
        from tollway.commands.chat import chat

        chat(args.url, args.prompt, args.model, args.system, not args.no_stream)
    elif args.command == "operations":
        from tollway.commands.operations import wait

        wait(args.url, args.id, args.timeout, args.interval)


def _user_parsers(commands: Any) -> None:
    user = argparse.ArgumentParser(add_help=False)
    user.add_argument("--url", default=None, help="the gateway (default: TOLLWAY_URL, the saved one, or local)")
    auth = commands.add_parser("auth", parents=[user], help="get a key for this device with a code from the console")
    auth.add_argument("code", nargs="?", help="the 8-character code the console showed")
    auth.add_argument("--device", action="store_true", help="show a code to approve in the console instead")
    auth.add_argument("--name", default=None, help="the device's name on its key (default: the host name)")
    commands.add_parser("whoami", parents=[user], help="the saved key, its account and its credits")
    usage = commands.add_parser("usage", parents=[user], help="this key's usage per day and per model")
    usage.add_argument("--days", type=int, choices=(7, 30), default=7)
    chat = commands.add_parser("chat", parents=[user], help="ask a model; the answer streams as it comes")
    chat.add_argument("prompt")
    chat.add_argument("--model", default="auto")
    chat.add_argument("--system", default=None)
    chat.add_argument("--no-stream", action="store_true")
    operations = commands.add_parser("operations", help="follow async operations")
    waits = operations.add_subparsers(dest="action", required=True)
    wait = waits.add_parser("wait", parents=[user], help="wait for an operation with a progress bar")
    wait.add_argument("id")
    wait.add_argument("--timeout", type=float, default=3600.0, help="seconds to wait at most (exit 2 after)")
    wait.add_argument("--interval", type=float, default=2.0, help="seconds between two polls")


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

    accounts = commands.add_parser("accounts", help="show and credit console accounts through the admin API")
    account_actions = accounts.add_subparsers(dest="action", required=True)
    account_actions.add_parser("show", parents=[common]).add_argument("id")
    grant = account_actions.add_parser("credit", parents=[common], help="grant credits (negative to remove)")
    grant.add_argument("id")
    grant.add_argument("amount", type=str)
    grant.add_argument("--note", default="", help="shown in the account's credit history")
    invites = commands.add_parser("invites", help="invite codes for sign-up (TOLLWAY_SIGNUP=invite)")
    invite_actions = invites.add_subparsers(dest="action", required=True)
    invite = invite_actions.add_parser("create", parents=[common], help="make an invite code (printed once)")
    invite.add_argument("--uses", type=int, default=1)
    invite.add_argument("--days", type=int, default=7, help="days until it expires")
    invite.add_argument("--note", default="")
    _user_parsers(commands)
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
    elif args.command == "accounts":
        _accounts(args)
    elif args.command == "invites":
        _invites(args)
    else:
        _user_command(args)


if __name__ == "__main__":
    main()
