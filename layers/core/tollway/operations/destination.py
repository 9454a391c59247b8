"""The SSRF guard: may the gateway call this webhook URL, and at which addresses?

A webhook URL is chosen by the client, and the gateway calls it from inside the deployment — where
the instance metadata service (169.254.169.254), loopback services and the VPC are reachable. So:

- only `http`/`https`, no `user:password@`, ports 80 and 443 only (any port with `allow_private`);
- the host is resolved and EVERY address it resolves to must be public: loopback, RFC 1918, CGNAT
  (100.64/10), link-local (incl. metadata), multicast, reserved, unspecified, documentation ranges,
  ULA (fc00::/7), and IPv6 forms that embed a forbidden IPv4 address (::ffff:127.0.0.1,
  ::127.0.0.1, NAT64, 6to4) are refused;
- numeric host spellings other than dotted-quad (`2130706433`, `0x7f.1`, `127.1`) are refused: they
  mean different things to different parsers;
- the caller connects to one of the checked `addresses`, never resolving the name again, so DNS
  cannot answer differently between the check and the connection (DNS rebinding).

`allow_private` (TOLLWAY_WEBHOOKS_ALLOW_PRIVATE=1) is for local development only: it permits
loopback and private addresses and any port, still never multicast or unspecified addresses.

    >>> destination = check_destination("https://hooks.example.com/tollway?x=1", allow_private=False)
    >>> destination.host_header, destination.url_for(destination.addresses[0])
    ('hooks.example.com', 'https://93.184.215.14:443/tollway?x=1')
"""

from __future__ import annotations

import ipaddress
import re
import socket
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit

from tollway.errors import DestinationRefused

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
Resolver = Callable[[str, int], Sequence[str]]

MAX_URL_LENGTH = 2048
PUBLIC_PORTS = frozenset({80, 443})
UNRESOLVABLE = "webhook_url_unresolvable"  # the DestinationRefused code worth retrying later
_NUMERIC_HOST = re.compile(r"(?:0x[0-9a-f]*|[0-9]+)(?:\.(?:0x[0-9a-f]*|[0-9]+))*\.?", re.IGNORECASE)

# Checked in addition to ipaddress's is_global, whose tables have changed between Python releases.
_FORBIDDEN_V4 = tuple(ipaddress.IPv4Network(n) for n in (
    "0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16", "172.16.0.0/12",
    "192.0.0.0/24", "192.0.2.0/24", "192.88.99.0/24", "192.168.0.0/16", "198.18.0.0/15",
    "198.51.100.0/24", "203.0.113.0/24", "224.0.0.0/4", "240.0.0.0/4",
))
_FORBIDDEN_V6 = tuple(ipaddress.IPv6Network(n) for n in (
    "::/96", "::ffff:0:0/96", "64:ff9b:1::/48", "100::/64", "2001::/23", "2001:db8::/32", "2002::/16",
    "fc00::/7", "fe80::/10", "fec0::/10", "ff00::/8",
))
_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")


def system_resolver(host: str, port: int) -> list[str]:
    """Every address the system resolver gives for host (A and AAAA), in its order, without repeats."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


def _embedded_ipv4(ip: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    if ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    if ip in _NAT64:
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    if ip.sixtofour is not None:
        return ip.sixtofour
    return ip.teredo[1] if ip.teredo is not None else None


def is_public(ip: IPAddress) -> bool:
    """True for a unicast address on the public internet; False for everything the guard refuses."""
    if isinstance(ip, ipaddress.IPv6Address):
        embedded = _embedded_ipv4(ip)
        if embedded is not None and not is_public(embedded):
            return False
        if ip in _NAT64:
            return True  # the NAT64 prefix is not "global" itself, but it reaches the public address it embeds
        forbidden: tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...] = _FORBIDDEN_V6
    else:
        forbidden = _FORBIDDEN_V4
    return ip.is_global and not ip.is_multicast and not any(ip in net for net in forbidden)


def _never_callable(ip: IPAddress) -> bool:
    """Not a destination even in local development."""
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_multicast or ip.is_unspecified or ip == ipaddress.IPv4Address("255.255.255.255")


@dataclass(frozen=True)
class ResolvedDestination:
    url: str
    scheme: str
    host: str  # ASCII (IDNA) host name, or an IP literal without brackets
    port: int
    target: str  # path and query, never empty
    addresses: tuple[str, ...]  # every address the host resolved to; all passed the check

    @property
    def host_header(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        default = 443 if self.scheme == "https" else 80
        return host if self.port == default else f"{host}:{self.port}"

    @property
    def sni_hostname(self) -> str | None:
        """The name TLS must present and verify; None when the URL names an IP address itself."""
        return None if self.scheme != "https" or _ip_literal(self.host) else self.host

    def url_for(self, address: str) -> str:
        host = f"[{address}]" if ":" in address else address
        return f"{self.scheme}://{host}:{self.port}{self.target}"


def _ip_literal(host: str) -> IPAddress | None:
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        return None


def _refuse(reason: str, *, code: str | None = None) -> DestinationRefused:
    return DestinationRefused(f"webhook_url {reason}", code=code, param="webhook_url")


def _parse(url: str, allow_private: bool) -> tuple[str, str, int, str]:
    if len(url) > MAX_URL_LENGTH:
        raise _refuse(f"is longer than {MAX_URL_LENGTH} characters")
    if any(c.isspace() or ord(c) < 0x20 or ord(c) == 0x7F for c in url):
        # Parsers disagree on where a URL with spaces or control characters points.
        raise _refuse("must not contain whitespace or control characters")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise _refuse("is not a valid URL") from None
    if parts.scheme not in ("http", "https"):
        raise _refuse("must use http or https")
    if parts.username is not None or parts.password is not None or "@" in parts.netloc:
        raise _refuse("must not contain credentials")
    host = parts.hostname or ""
    if not host:
        raise _refuse("has no host")
    port = port or (443 if parts.scheme == "https" else 80)
    if not allow_private and port not in PUBLIC_PORTS:
        raise _refuse("must use port 80 or 443")
    if _ip_literal(host) is None:
        if _NUMERIC_HOST.fullmatch(host):
            raise _refuse("must write an IPv4 address as four decimal numbers (a.b.c.d)")
        try:
            host = host.rstrip(".").encode("idna").decode("ascii")
        except UnicodeError:
            raise _refuse("has an invalid host name") from None
    target = parts.path or "/"
    return parts.scheme, host, port, f"{target}?{parts.query}" if parts.query else target


def check_destination(url: str, *, allow_private: bool,
                      resolver: Resolver = system_resolver) -> ResolvedDestination:
    """Raises `DestinationRefused` (400, param webhook_url); code `webhook_url_unresolvable` when DNS fails."""
    scheme, host, port, target = _parse(url, allow_private)
    literal = _ip_literal(host)
    if literal is not None:
        addresses: Sequence[str] = [str(literal)]
    else:
        try:
            addresses = resolver(host, port)
        except (OSError, UnicodeError):
            addresses = []
        if not addresses:
            raise _refuse("has a host name that does not resolve", code=UNRESOLVABLE)
    checked = []
    for address in addresses:
        ip = _ip_literal(address.split("%", 1)[0])
        if ip is None or _never_callable(ip) or (not allow_private and not is_public(ip)):
            # The address itself stays out of the message: it would map internal DNS for a prober.
            raise _refuse("points to a private, loopback, link-local or reserved address")
        checked.append(str(ip))
    return ResolvedDestination(url=url, scheme=scheme, host=host, port=port, target=target,
                               addresses=tuple(dict.fromkeys(checked)))
