"""Application settings, read from SCREENING_* environment variables and an optional .env file."""

from functools import lru_cache
from pathlib import Path

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from chatbot.resources import default_rubrics_dir

PROJECT_ROOT = Path(__file__).resolve().parent.parent
MIN_SECRET_BYTES = 32


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="SCREENING_", env_file=".env", extra="ignore")

    data_dir: Path = Path("./data")
    # ./rubrics when the working directory has one, else the examples shipped in the package.
    rubrics_dir: Path = Field(default_factory=default_rubrics_dir)
    # Never called DATABASE_URL: Chainlit would take it over for its own data layer.
    database_url: str | None = None
    secret_key: str | None = None
    invitation_days: int = 14
    retention_days: int = 365
    public_url: str = "http://localhost:8000"
    allowed_origins: list[str] = Field(default_factory=lambda: ["http://localhost:8000"])
    counsellor_contact: str = (
        "votre conseillère ou votre conseiller France Travail (par la messagerie de votre espace "
        "personnel ou au 3949)"
    )

    # Counsellor login with OpenID Connect (ProConnect); disabled while the issuer is unset.
    oidc_issuer: str | None = None
    oidc_client_id: str | None = None
    oidc_client_secret: str | None = None
    oidc_scopes: str = "openid email"

    # Recruitment campaigns (chatbot/outbox/): e-mail through SMTP, SMS through a gateway.
    smtp_host: str | None = None  # no e-mail while unset
    smtp_port: int = 587
    smtp_username: str | None = None
    smtp_password: str | None = None
    smtp_starttls: bool = True
    smtp_ssl: bool = False  # implicit TLS (port 465) instead of STARTTLS
    smtp_sender: str = "France Travail <ne-pas-repondre@francetravail.fr>"
    smtp_timeout: float = 20.0
    sms_provider: str | None = None  # "twilio"; no SMS while unset
    sms_api_url: str = "https://api.twilio.com"
    sms_account_sid: str | None = None
    sms_auth_token: str | None = None
    sms_sender: str = "FranceTrav"  # alphanumeric sender id, at most 11 characters
    sms_timeout: float = 20.0
    remind_unopened_hours: float = 24  # a link not opened this long after the last message
    remind_unfinished_hours: float = 24  # a screening started and not finished
    reminders_max: int = Field(1, ge=0, le=2)
    remind_every_minutes: int | None = None  # the server runs `screening remind` itself

    llm_base_url: str | None = None
    llm_model: str = "gpt-4o-mini"
    llm_api_key: str | None = None
    llm_structured_method: str = "json_schema"  # json_schema | function_calling | json_mode
    llm_timeout: float = 20.0
    llm_retries: int = 2
    llm_samples: int = 3
    llm_token_budget: int = 12000  # per screening; the target use is under 8,000 (see docs/llm.md)

    @field_validator("secret_key")
    @classmethod
    def _long_secret(cls, key: str | None) -> str | None:
        if key is not None and len(key.encode()) < MIN_SECRET_BYTES:
            raise ValueError(
                f"SCREENING_SECRET_KEY must be at least {MIN_SECRET_BYTES} bytes "
                "(e.g. python3 -c 'import secrets; print(secrets.token_urlsafe(48))')"
            )
        return key

    @property
    def sqlalchemy_url(self) -> str:
        return self.database_url or f"sqlite:///{self.data_dir / 'screening.db'}"

    @property
    def oidc_enabled(self) -> bool:
        return bool(self.oidc_issuer and self.oidc_client_id)

    @property
    def email_enabled(self) -> bool:
        return bool(self.smtp_host)

    @property
    def sms_enabled(self) -> bool:
        return bool(self.sms_provider)

    @property
    def llm_enabled(self) -> bool:
        return bool(self.llm_base_url)


@lru_cache
def get_settings() -> Settings:
    return Settings()
