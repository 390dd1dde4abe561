"""Settings of the web app, read from the environment (prefix ESIGUARD_) or given in code."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

__all__ = ["WebSettings"]


class WebSettings(BaseSettings):
    """Where the app listens, what it accepts, and which emergency number it tells people to call."""

    model_config = SettingsConfigDict(env_prefix="ESIGUARD_", extra="ignore", frozen=True)

    host: str = Field("127.0.0.1", description="Address to listen on (loopback by default).")
    port: int = Field(8000, ge=1, le=65535, description="TCP port to listen on.")
    database_url: str = Field(
        "sqlite:///./esiguard.db",
        description="Database for saved assessments (configured now, used by a later issue).",
    )
    max_request_bytes: int = Field(
        512 * 1024,
        ge=1024,
        description="Largest request body accepted; bigger requests get 413.",
    )
    emergency_number: str = Field(
        "911",
        pattern=r"^[0-9+#*]{2,15}$",
        description="Emergency telephone number shown to patients (911, 999, 112 ...).",
    )
    emergency_service_name: str = Field(
        "emergency services",
        min_length=3,
        max_length=80,
        description="What the emergency number reaches, in plain words.",
    )
