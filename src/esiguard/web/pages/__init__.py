"""Server-rendered pages (HTML routes); each renders one typed context from contexts.py."""

from esiguard.web.pages.check import build_check_router
from esiguard.web.pages.other import build_other_router

__all__ = ["build_check_router", "build_other_router"]
