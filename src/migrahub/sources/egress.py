"""The egress policy: the one place that decides which addresses a fetch of the hub may connect to.

Every fetch (pages, feeds, OPML lists and the feeds they name, each redirect) goes through :func:`resolve` and then
:func:`connection`:

- only ``http`` and ``https`` URLs;
- the host is resolved once, and *every* address it resolves to must be public: loopback, private, link-local,
  multicast, reserved, unspecified, shared (100.64/10) and documentation ranges are refused, and so are IPv6 forms
  that embed one of those IPv4 addresses (IPv4-mapped, 6to4, Teredo, NAT64);
- the connection is made to the address that was checked (no second lookup), while the request still names the host
  (``Host`` header, TLS server name and certificate check);
- the setting ``MIGRAHUB_EGRESS_ALLOW_HOSTS`` (comma-separated host names, addresses or networks) lets an intranet
  hub fetch named internal hosts; it is empty by default.

Refused and unreachable targets get one message, :data:`UNREACHABLE`: a person who can ask the hub to fetch a URL
learns nothing about what listens inside its network (refused, timed out and not allowed read the same).
"""

from __future__ import annotations

import http.client
import ipaddress
import socket
import ssl
from dataclasses import dataclass
from urllib.parse import quote, urlsplit

from migrahub import config
from migrahub.sources.errors import SourceError

ALLOW_HOSTS_SETTING = "MIGRAHUB_EGRESS_ALLOW_HOSTS"
UNREACHABLE = "could not fetch: the address cannot be reached from this hub (unreachable or not allowed)"
SCHEMES = ("http", "https")

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network

# ranges that Python's ``is_global`` does not cover (or not in every version) and that are never a public server
_ALSO_REFUSED = tuple(ipaddress.ip_network(n) for n in (
    "100.64.0.0/10",  # shared address space (carrier-grade NAT)
    "64:ff9b:1::/48",  # local-use NAT64
    "fec0::/10",  # site-local (deprecated, still routed inside some networks)
))
_NAT64 = ipaddress.ip_network("64:ff9b::/96")


class Unreachable(SourceError):
    """The target is not allowed or cannot be reached; its message is always :data:`UNREACHABLE`."""

    def __init__(self) -> None:
        super().__init__(UNREACHABLE)


@dataclass(frozen=True)
class Allowance:
    """Internal hosts a hub may fetch anyway: host names (any address they resolve to) and addresses or networks."""

    names: frozenset[str] = frozenset()
    networks: tuple[Network, ...] = ()

    def allows_name(self, host: str) -> bool:
        return host in self.names

    def allows_address(self, ip: Address) -> bool:
        mapped = getattr(ip, "ipv4_mapped", None)
        return any(candidate in net for net in self.networks for candidate in (ip, mapped)
                   if candidate is not None and candidate.version == net.version)


def allowance(environ=None) -> Allowance:
    """The hub's setting ``MIGRAHUB_EGRESS_ALLOW_HOSTS`` (read here and nowhere else), e.g.
    ``"intranet.example.org, 10.20.0.0/16, 127.0.0.1"``; empty when unset."""
    raw = config.get(ALLOW_HOSTS_SETTING, environ)
    names, networks = set(), []
    for entry in raw.replace(";", ",").replace(" ", ",").split(","):
        entry = entry.strip().strip("[]").lower()
        if not entry:
            continue
        try:
            networks.append(ipaddress.ip_network(entry, strict=False))
        except ValueError:
            names.add(_normal_host(entry))
    return Allowance(frozenset(names), tuple(networks))


def refused(ip: Address) -> bool:
    """Whether ``ip`` is an address no fetch may reach: anything but a public unicast address."""
    if ip.version == 6:
        for embedded in _embedded_ipv4(ip):
            if refused(embedded):
                return True
    return (ip.is_loopback or ip.is_private or ip.is_link_local or ip.is_multicast or ip.is_reserved
            or ip.is_unspecified or not ip.is_global or any(ip in net for net in _ALSO_REFUSED
                                                              if net.version == ip.version))


def _embedded_ipv4(ip: ipaddress.IPv6Address) -> list[ipaddress.IPv4Address]:
    found = [a for a in (ip.ipv4_mapped, ip.sixtofour) if a is not None]
    if ip.teredo:
        found.extend(ip.teredo)
    if ip in _NAT64:
        found.append(ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF))
    return found


@dataclass(frozen=True)
class Target:
    """A URL whose host passed the policy: where to connect and what to ask for."""

    scheme: str
    host: str  # as the request names it (Host header, TLS server name): IDNA ASCII, brackets removed
    port: int
    path: str  # the request target: path and query, percent-encoded
    addresses: tuple[tuple[int, tuple], ...]  # (family, socket address) of each checked address


def _normal_host(host: str) -> str:
    host = host.strip().lower()
    return host[:-1] if host.endswith(".") and not host.endswith("..") else host


def resolve(url: str, allowed: Allowance | None = None) -> Target:
    """Check ``url`` against the policy and resolve its host once. Raises :class:`SourceError`: for a scheme other
    than http(s) or a malformed URL with a reason, for a refused or unresolvable host with :data:`UNREACHABLE`."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme not in SCHEMES:
        raise SourceError(f"unsupported URL scheme '{scheme}:' (http and https only)")
    try:
        port = parts.port or (443 if scheme == "https" else 80)
        raw_host = parts.hostname or ""
        host = _normal_host(raw_host)
        host = host if host.isascii() else host.encode("idna").decode("ascii")
    except (ValueError, UnicodeError):
        raise SourceError(f"malformed URL: {url[:200]}") from None
    if not host:
        raise SourceError(f"malformed URL (no host): {url[:200]}")
    allowed = allowed if allowed is not None else allowance()
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError):
        raise Unreachable() from None
    addresses: list[tuple[int, tuple]] = []
    for family, _type, _proto, _name, sockaddr in infos:
        if family not in (socket.AF_INET, socket.AF_INET6):
            raise Unreachable()
        ip = ipaddress.ip_address(sockaddr[0].split("%")[0])
        if refused(ip) and not (allowed.allows_name(host) or allowed.allows_address(ip)):
            raise Unreachable()
        if (family, sockaddr) not in addresses:
            addresses.append((family, sockaddr))
    if not addresses:
        raise Unreachable()
    path = quote(parts.path or "/", safe="/%:@!$&'()*+,;=-._~")
    if parts.query:
        path += "?" + quote(parts.query, safe="/%:@!$&'()*+,;=-._~?")
    return Target(scheme, host, port, path, tuple(addresses))


def _connect_checked(target: Target, timeout: float | None) -> socket.socket:
    """A TCP connection to one of the checked addresses (in the resolver's order); :class:`Unreachable` if none
    answers, whatever the reason."""
    for family, sockaddr in target.addresses:
        sock = socket.socket(family, socket.SOCK_STREAM)
        try:
            sock.settimeout(timeout)
            sock.connect(sockaddr)
            return sock
        except OSError:
            sock.close()
    raise Unreachable()


def connection(target: Target, timeout: float | None) -> http.client.HTTPConnection:
    """An HTTP(S) connection that connects to the checked address and names the host in the request (and in TLS,
    whose certificate is verified for that host name)."""
    if target.scheme == "https":
        conn: http.client.HTTPConnection = http.client.HTTPSConnection(
            target.host, target.port, timeout=timeout, context=ssl.create_default_context())
    else:
        conn = http.client.HTTPConnection(target.host, target.port, timeout=timeout)
    conn._create_connection = lambda _address, _timeout=None, _source=None: _connect_checked(target, timeout)
    return conn


__all__ = ["ALLOW_HOSTS_SETTING", "UNREACHABLE", "Allowance", "Target", "Unreachable", "allowance", "connection",
           "refused", "resolve"]
