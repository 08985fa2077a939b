"""``python -m bot.admin user add <name> --role editor|admin``: console
accounts from the terminal (there is no default account or password)."""

from __future__ import annotations

import argparse
import getpass
import sys

from bot.admin.errors import AdminError
from bot.admin.paths import Paths
from bot.console import accounts


def add_parser(add, common: argparse.ArgumentParser) -> None:
    """Register ``user add`` with the `add` helper of bot/admin/cli.py."""
    p = add("user", "บัญชีผู้ใช้ระบบหลังบ้าน / staff console accounts")
    usub = p.add_subparsers(dest="action", metavar="add")
    usub.required = True
    pa = usub.add_parser(
        "add",
        help="เพิ่มผู้ใช้ (ถามรหัสผ่าน หรืออ่านจาก stdin) / add a user (asks for the "
        "password, or reads it from stdin)",
        parents=[common],
    )
    pa.add_argument("name", help="ชื่อผู้ใช้ a-z 0-9 . _ - / user name")
    pa.add_argument("--role", required=True, choices=["editor", "admin"])


def _password() -> str:
    if not sys.stdin.isatty():
        return sys.stdin.readline().rstrip("\r\n")
    first = getpass.getpass("รหัสผ่าน / password: ")
    if getpass.getpass("รหัสผ่านอีกครั้ง / again: ") != first:
        raise AdminError("รหัสผ่านสองครั้งไม่ตรงกัน", "the two passwords differ")
    return first


def cmd_user(args: argparse.Namespace, paths: Paths) -> int:
    user = accounts.add_user(paths.url, args.name, args.role, _password())
    print(f"เพิ่มผู้ใช้ {user.name} ({user.role}) แล้ว / user {user.name} added")
    return 0
