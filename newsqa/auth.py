"""Who may use the app: Gradio's own login, with credentials from a setting or a file.

On loopback (the default 127.0.0.1) the app is the user's own and needs no login unless
credentials are given. Bound beyond it (``NEWSQA_HOST=0.0.0.0``, a LAN address) anyone who can
reach the port could upload, paste, delete and re-index, so the app refuses to start without
credentials. With credentials, Gradio requires a login for every page and every API endpoint
(``gradio_client.Client(url, auth=(user, password))``), the writing ones included.
"""

from __future__ import annotations

import ipaddress
import os
import stat
from pathlib import Path

from newsqa.index.settings import Settings, SettingsError

EXAMPLE = "NEWSQA_AUTH=user:password, or NEWSQA_AUTH_FILE=FILE with one user:password per line"


class AuthError(SettingsError):
    """Credentials missing where they are required, or unreadable; one line naming the setting."""


def is_loopback(host: str) -> bool:
    """Whether ``host`` is reachable from this machine only (a name other than localhost is
    taken as reachable from elsewhere)."""
    if host.strip().lower() in {"localhost", "localhost.localdomain"}:
        return True
    try:
        return ipaddress.ip_address(host.strip().strip("[]")).is_loopback
    except ValueError:
        return False


def _pair(entry: str, where: str) -> tuple[str, str]:
    user, sep, password = entry.strip().partition(":")
    if not sep or not user.strip() or not password:
        raise AuthError(f"{where}: each login must be user:password (got {user.strip()!r}:...)")
    return user.strip(), password


def credentials(settings: Settings) -> list[tuple[str, str]]:
    """The (user, password) logins ``NEWSQA_AUTH`` and ``NEWSQA_AUTH_FILE`` give, in that order."""
    pairs: list[tuple[str, str]] = []
    if settings.auth is not None:
        for entry in settings.auth.get_secret_value().split(","):
            if entry.strip():
                pairs.append(_pair(entry, "NEWSQA_AUTH"))
    if settings.auth_file is not None:
        path = Path(settings.auth_file).expanduser()
        try:
            lines = path.read_text(encoding="utf-8").splitlines()
            mode = path.stat().st_mode
        except OSError as exc:
            raise AuthError(
                f"NEWSQA_AUTH_FILE={path}: cannot read it ({exc.strerror or exc})"
            ) from None
        if os.name == "posix" and mode & (stat.S_IRWXG | stat.S_IRWXO):
            raise AuthError(
                f"NEWSQA_AUTH_FILE={path} is readable by other users: `chmod 600 {path}`"
            )
        for n, line in enumerate(lines, start=1):
            if line.strip() and not line.lstrip().startswith("#"):
                pairs.append(_pair(line, f"NEWSQA_AUTH_FILE={path} line {n}"))
        if not pairs:
            raise AuthError(f"NEWSQA_AUTH_FILE={path} holds no user:password line")
    return pairs


def launch_auth(settings: Settings) -> list[tuple[str, str]] | None:
    """The ``auth=`` argument of ``Blocks.launch``: the logins, or None on loopback without any.
    Raises ``AuthError`` when the app would be reachable from elsewhere without a login."""
    pairs = credentials(settings)
    if not pairs and not is_loopback(settings.host):
        raise AuthError(
            f"NEWSQA_HOST={settings.host} makes the app reachable from other machines, where "
            f"anyone could add and delete articles: set credentials ({EXAMPLE}), or serve on "
            "127.0.0.1"
        )
    return pairs or None
