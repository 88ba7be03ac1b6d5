"""Loaded by every Python process the tests start (notebook kernels included) when
UNLOADLAB_NO_NETWORK=1: any connection or name lookup beyond this machine fails, so a
notebook cell that reaches for the network fails its test instead of passing by luck."""
import os
import socket

if os.environ.get("UNLOADLAB_NO_NETWORK") == "1":
    _LOCAL = {"127.0.0.1", "::1", "localhost", "0.0.0.0", ""}
    _connect, _getaddrinfo = socket.socket.connect, socket.getaddrinfo

    def _host(address):
        return address[0] if isinstance(address, tuple) else None  # None: a Unix socket path

    def connect(self, address):
        host = _host(address)
        if host is not None and host not in _LOCAL and not str(host).startswith("127."):
            raise OSError(f"network disabled in Unload Lab tests: connect to {host}")
        return _connect(self, address)

    def getaddrinfo(host, *args, **kwargs):
        if host not in _LOCAL and host is not None and not str(host).startswith("127."):
            raise OSError(f"network disabled in Unload Lab tests: lookup of {host}")
        return _getaddrinfo(host, *args, **kwargs)

    socket.socket.connect = connect
    socket.getaddrinfo = getaddrinfo
