"""`tollway whoami` and `tollway usage`: the saved key (or TOLLWAY_API_KEY), its account and its use."""

from __future__ import annotations

from decimal import Decimal

from tollway.commands import credentials
from tollway.commands.remote import call


def whoami(url_option: str | None) -> None:
    url, key = credentials.current(url_option)
    me = call("GET", f"{url}/console/api/whoami", key=key)
    shown = me["key"]
    cap = f"{shown['spent']} of {shown['cap']} credits" if shown.get("cap") is not None else "none"
    lines = [f"key:      {shown['name']} ({shown['prefix']})", f"scopes:   {', '.join(shown['scopes'])}",
             f"rate:     {shown['rpm']} requests/minute", f"cap:      {cap}"]
    if me.get("account"):
        lines.append(f"account:  {me['account']['id']}")
    lines += [f"credits:  {me['credits']}", f"gateway:  {url}"]
    print("\n".join(lines))


def usage(url_option: str | None, days: int) -> None:
    from rich.console import Console
    from rich.table import Table

    url, key = credentials.current(url_option)
    data = call("GET", f"{url}/console/api/whoami/usage", key=key, params={"days": str(days)})
    console = Console()
    per_day = Table(title=f"Usage of this key, last {days} days (UTC)")
    for column in ("Day", "Requests", "Errors", "Credits"):
        per_day.add_column(column, justify="left" if column == "Day" else "right")
    for day in data["days"]:
        per_day.add_row(day["date"], str(day["requests"]), str(day["errors"]), _credits(day["credits"]))
    total = data["totals"]
    per_day.add_row("total", str(total["requests"]), str(total["errors"]), _credits(total["credits"]), style="bold")
    console.print(per_day)
    if data["models"]:
        per_model = Table(title="Per model")
        for column in ("Model", "Requests", "Tokens in", "Tokens out", "Credits"):
            per_model.add_column(column, justify="left" if column == "Model" else "right")
        for m in data["models"]:
            per_model.add_row(m["model"], str(m["requests"]), str(m["tokens_in"]), str(m["tokens_out"]),
                              _credits(m["credits"]))
        console.print(per_model)


def _credits(value: float | int) -> str:
    return f"{Decimal(str(value)):f}"
