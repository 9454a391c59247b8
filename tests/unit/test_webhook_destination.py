"""The SSRF guard: which webhook URLs and resolved addresses are refused, and which are allowed."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from tollway.errors import DestinationRefused
from tollway.operations.destination import check_destination

# A stub resolver: DNS itself is not under test, what the guard does with its answers is.
DNS: dict[str, list[str]] = {
    "hooks.example.com": ["93.184.215.14", "2606:2800:21f:cb07:6820:80da:af6b:8b2c"],
    "localhost": ["127.0.0.1", "::1"],
    "internal.corp": ["10.1.2.3"],
    "metadata.attacker.net": ["169.254.169.254"],
    "mixed.attacker.net": ["93.184.215.14", "127.0.0.1"],  # one bad address is enough to refuse
    "mapped.attacker.net": ["::ffff:127.0.0.1"],
    "nat64.attacker.net": ["64:ff9b::a9fe:a9fe"],  # 169.254.169.254 through NAT64
    "nat64.example.com": ["64:ff9b::5db8:d70e"],  # 93.184.215.14 through NAT64
    "sixtofour.attacker.net": ["2002:0a00:0001::1"],  # 10.0.0.1 in 6to4
    "ula.attacker.net": ["fd12:3456:789a::1"],
    "cgnat.attacker.net": ["100.64.0.1"],
    "bücher.example": ["93.184.215.14"],
    "xn--bcher-kva.example": ["93.184.215.14"],
}


def resolver(host: str, port: int) -> Sequence[str]:
    if host not in DNS:
        raise OSError("Name or service not known")
    return DNS[host]


REFUSED = [
    "ftp://hooks.example.com/",
    "file:///etc/passwd",
    "gopher://hooks.example.com/",
    "https://user:pass@hooks.example.com/",
    "https://user@hooks.example.com/",
    "https://hooks.example.com:8443/",
    "http://hooks.example.com:22/",
    "https:///no-host",
    "https://hooks.example.com:99999/",
    "https://hooks.example.com/\nInjected: header",
    "https://hooks.example .com/",
    "http://localhost/",
    "http://127.0.0.1/",
    "http://127.1.2.3/",
    "http://[::1]/",
    "http://0.0.0.0/",
    "http://[::]/",
    "http://10.0.0.1/",
    "http://172.16.5.4/",
    "http://192.168.1.1/",
    "http://100.64.0.1/",
    "http://169.254.169.254/latest/meta-data/",
    "http://[fe80::1]/",
    "http://[fd00::1]/",
    "http://[::ffff:127.0.0.1]/",
    "http://[::ffff:169.254.169.254]/",
    "http://[::127.0.0.1]/",
    "http://224.0.0.1/",
    "http://[ff02::1]/",
    "http://255.255.255.255/",
    "http://240.0.0.1/",
    "http://192.0.2.1/",
    "http://198.18.0.1/",
    "http://[2001:db8::1]/",
    "http://2130706433/",
    "http://0x7f000001/",
    "http://0x7f.1/",
    "http://127.1/",
    "http://017700000001/",
    "https://internal.corp/hook",
    "https://metadata.attacker.net/",
    "https://mixed.attacker.net/",
    "https://mapped.attacker.net/",
    "https://nat64.attacker.net/",
    "https://sixtofour.attacker.net/",
    "https://ula.attacker.net/",
    "https://cgnat.attacker.net/",
    "https://does-not-resolve.example/",
    "https://hooks.example.com/" + "a" * 2100,
]


@pytest.mark.parametrize("url", REFUSED)
def test_guard_refuses(url: str) -> None:
    with pytest.raises(DestinationRefused) as raised:
        check_destination(url, allow_private=False, resolver=resolver)
    assert (raised.value.status, raised.value.param) == (400, "webhook_url")
    # The resolved address is never echoed: it would map internal DNS for whoever probes.
    assert "10.1.2.3" not in raised.value.message and "169.254" not in raised.value.message.replace(url, "")


ALLOWED = [
    ("https://hooks.example.com/tollway?x=1", ("93.184.215.14", "2606:2800:21f:cb07:6820:80da:af6b:8b2c")),
    ("http://hooks.example.com:80/", ("93.184.215.14", "2606:2800:21f:cb07:6820:80da:af6b:8b2c")),
    ("https://HOOKS.example.com./", ("93.184.215.14", "2606:2800:21f:cb07:6820:80da:af6b:8b2c")),
    ("https://93.184.215.14/hook", ("93.184.215.14",)),
    ("https://[2606:2800:21f:cb07:6820:80da:af6b:8b2c]/", ("2606:2800:21f:cb07:6820:80da:af6b:8b2c",)),
    ("https://nat64.example.com/", ("64:ff9b::5db8:d70e",)),
    ("https://bücher.example/", ("93.184.215.14",)),
]


@pytest.mark.parametrize(("url", "addresses"), ALLOWED)
def test_guard_allows_public_destinations_and_returns_every_checked_address(url: str,
                                                                          addresses: tuple[str, ...]) -> None:
    assert check_destination(url, allow_private=False, resolver=resolver).addresses == addresses


def test_destination_keeps_host_header_sni_and_path_for_connecting_by_address() -> None:
    destination = check_destination("https://bücher.example/a/b?c=d#frag", allow_private=False, resolver=resolver)
    assert destination.host == "xn--bcher-kva.example"
    assert destination.host_header == "xn--bcher-kva.example"
    assert destination.sni_hostname == "xn--bcher-kva.example"
    assert destination.url_for("93.184.215.14") == "https://93.184.215.14:443/a/b?c=d"
    ipv6 = check_destination("http://[2606:2800:21f:cb07:6820:80da:af6b:8b2c]/", allow_private=False,
                             resolver=resolver)
    assert ipv6.sni_hostname is None and ipv6.host_header == "[2606:2800:21f:cb07:6820:80da:af6b:8b2c]"
    assert ipv6.url_for(ipv6.addresses[0]) == "http://[2606:2800:21f:cb07:6820:80da:af6b:8b2c]:80/"


@pytest.mark.parametrize("url", [
    "http://localhost:8080/hook", "http://127.0.0.1:9000/", "http://[::1]:3000/", "https://internal.corp/",
    "http://169.254.169.254/", "http://192.168.1.1:8080/",
])
def test_allow_private_permits_local_addresses_and_any_port_for_development(url: str) -> None:
    destination = check_destination(url, allow_private=True, resolver=resolver)
    assert destination.addresses


@pytest.mark.parametrize("url", ["http://0.0.0.0:8080/", "http://224.0.0.1/", "http://[ff02::1]/",
                                 "ftp://localhost/", "http://u:p@localhost/"])
def test_allow_private_still_refuses_what_is_never_a_destination(url: str) -> None:
    with pytest.raises(DestinationRefused):
        check_destination(url, allow_private=True, resolver=resolver)


def test_unresolvable_host_has_its_own_code_so_delivery_can_retry() -> None:
    with pytest.raises(DestinationRefused) as raised:
        check_destination("https://does-not-resolve.example/", allow_private=False, resolver=resolver)
    assert raised.value.code == "webhook_url_unresolvable"
    with pytest.raises(DestinationRefused) as refused:
        check_destination("https://internal.corp/", allow_private=False, resolver=resolver)
    assert refused.value.code == "invalid_webhook_url"
