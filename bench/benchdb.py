"""What the benchmark scripts share: the benchmark's own database, created on first use."""

from __future__ import annotations

from urllib.parse import urlparse


def ensure_database(url: str) -> None:
    """`CREATE DATABASE IF NOT EXISTS` for a MariaDB/MySQL `url` (SQLite creates its file itself)."""
    if not url.startswith("mysql"):
        return
    import MySQLdb

    parts = urlparse(url)
    connection = MySQLdb.connect(
        host=parts.hostname or "127.0.0.1",
        port=parts.port or 3306,
        user=parts.username or "root",
        passwd=parts.password or "",
    )
    connection.cursor().execute(f"CREATE DATABASE IF NOT EXISTS `{parts.path.lstrip('/')}` CHARACTER SET utf8mb4")
    connection.close()
