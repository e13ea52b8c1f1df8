"""Settings: every variable is read in one place, checked, and documented in the README."""

from __future__ import annotations

from pathlib import Path

import pytest

from server.config import DEFAULT_SQLITE, Settings, SettingsError, readme_table
from sheets_adapter.config import SheetsSettings

README = Path(__file__).resolve().parents[2] / "README.md"


def test_the_readme_configuration_table_is_the_declarations() -> None:
    section = README.read_text(encoding="utf-8").split("## Configuration", 1)[1]
    rows = [line for line in section.split("\n## ", 1)[0].splitlines() if line.startswith("|")]
    assert "\n".join(rows) == readme_table(), "run `python -m server.config` for the table"
    for name in ("DATABASE_URL", "SALES_VERDICTS_MAX_DEPTH", "SALES_VERDICTS_LOG_LEVEL"):
        assert f"| `{name}` |" in readme_table()


def test_defaults_without_any_environment() -> None:
    settings = Settings.from_env({})
    assert settings.database_url == DEFAULT_SQLITE
    assert settings.emulator_host is None
    assert not settings.service_account_mode
    assert settings.introspection
    assert settings.coalesce_window == 1.0


def test_the_emulator_host_also_sets_where_id_token_certificates_come_from() -> None:
    settings = Settings.from_env({"SHEETS_EMULATOR_HOST": "127.0.0.1:8765/"})
    assert settings.emulator_host == "http://127.0.0.1:8765"
    assert settings.certs_url == "http://127.0.0.1:8765/oauth2/v1/certs"
    explicit = {"SHEETS_EMULATOR_HOST": "127.0.0.1:8765", "SALES_VERDICTS_CERTS_URL": "http://c"}
    assert Settings.from_env(explicit).certs_url == "http://c"


def test_the_adapter_takes_its_settings_from_the_apps() -> None:
    settings = SheetsSettings.from_app_settings(
        Settings.from_env(
            {"SHEETS_EMULATOR_HOST": "127.0.0.1:8765/", "GOOGLE_APPLICATION_CREDENTIALS": ""}
        )
    )
    assert settings.emulator_host == "http://127.0.0.1:8765"
    assert settings.service_account_file is None
    assert SheetsSettings.from_app_settings(Settings.from_env({})) == SheetsSettings()
    assert SheetsSettings().with_deadline(3).retry.deadline == 3


@pytest.mark.parametrize(
    ("env", "words"),
    [
        ({"SALES_VERDICTS_MAX_DEPTH": "deep"}, "SALES_VERDICTS_MAX_DEPTH='deep'"),
        ({"SALES_VERDICTS_MAX_DEPTH": "1"}, "from 3 to 100"),
        ({"SALES_VERDICTS_INTROSPECTION": "maybe"}, "true or false"),
        ({"SALES_VERDICTS_SHEETS_DEADLINE": "0"}, "seconds"),
        ({"SALES_VERDICTS_COALESCE_SECONDS": "-1"}, "between 0 and 600"),
        ({"SALES_VERDICTS_MAX_TOKENS": "1e9"}, "SALES_VERDICTS_MAX_TOKENS='1e9': expected a whole"),
        ({"SHEETS_EMULATOR_HOST": "ftp://x"}, "SHEETS_EMULATOR_HOST='ftp://x': expected an addr"),
        ({"GOOGLE_APPLICATION_CREDENTIALS": "/no/such/key.json"}, "no such file"),
    ],
)
def test_a_bad_value_names_the_variable(env: dict[str, str], words: str) -> None:
    with pytest.raises(SettingsError, match=words.replace("(", r"\(")):
        Settings.from_env(env)


def test_service_account_mode_needs_an_audience_and_domains(tmp_path: Path) -> None:
    key = tmp_path / "key.json"
    key.write_text("{}")
    with pytest.raises(SettingsError, match="SALES_VERDICTS_AUDIENCE"):
        Settings.from_env({"GOOGLE_APPLICATION_CREDENTIALS": str(key)})
    with pytest.raises(SettingsError, match="SALES_VERDICTS_ALLOWED_DOMAINS"):
        Settings.from_env(
            {"GOOGLE_APPLICATION_CREDENTIALS": str(key), "SALES_VERDICTS_AUDIENCE": "x"}
        )
    settings = Settings.from_env(
        {
            "GOOGLE_APPLICATION_CREDENTIALS": str(key),
            "SALES_VERDICTS_AUDIENCE": "client-id",
            "SALES_VERDICTS_ALLOWED_DOMAINS": "Example.com, @example.co.uk",
        }
    )
    assert settings.allowed_domains == ("example.com", "example.co.uk")
