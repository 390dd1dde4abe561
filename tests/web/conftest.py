"""Fixtures for the web tests: a fresh app per test and a synchronous httpx client over ASGI."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from fastapi import FastAPI
from tests.web.helpers import Client, assert_canonical_error

from esiguard.web import WebSettings, create_app


@pytest.fixture
def settings() -> WebSettings:
    return WebSettings(max_request_bytes=64 * 1024)


@pytest.fixture
def app(settings: WebSettings) -> FastAPI:
    return create_app(settings)


@pytest.fixture
def client(app: FastAPI) -> Client:
    return Client(app)


@pytest.fixture
def canonical_error() -> Callable[..., dict]:
    """The shared assertion for the error shape (see helpers.py)."""
    return assert_canonical_error
