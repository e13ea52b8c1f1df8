"""Webhook URLs: only allowed hosts over https, refusals that say what to do, and a value
that never shows its secret."""

from __future__ import annotations

import logging

import pytest

from server.alerts import (
    AlertConfig,
    Flavour,
    WebhookUrl,
    WebhookUrlError,
    mask,
    parse_hosts,
    validate_webhook_url,
)
from server.config import Settings, SettingsError
from server.logs import REDACTED, redact

SLACK_SECRET = "xq7Lk2P9zR4mW8vN3bT6yH1c"
SLACK = f"https://hooks.slack.com/services/T0123ABCD/B0456EFGH/{SLACK_SECRET}"
CHAT_KEY = "AIzaSyDdI0hCZtE6vySjMm-WEfRq3CPzqKqqsHI"
CHAT_TOKEN = "f1Xk9Qm2Lr7Tz3Wp5Vn8Bc4Hd6Js0Ya1Ue"
CHAT = (
    f"https://chat.googleapis.com/v1/spaces/AAAAbcdEfgH/messages?key={CHAT_KEY}&token={CHAT_TOKEN}"
)
DEFAULT = AlertConfig()
WITH_LOOPBACK = AlertConfig(webhook_hosts=("hooks.slack.com", "127.0.0.1", "localhost", "::1"))


def test_slack_and_chat_urls_are_accepted_and_normalised() -> None:
    slack = validate_webhook_url(f"  HTTPS://Hooks.Slack.com:443{SLACK[23:]}#top \n", DEFAULT)
    assert slack.reveal() == SLACK
    assert slack.host == "hooks.slack.com"
    assert slack.flavour is Flavour.SLACK
    assert not slack.is_loopback
    chat = validate_webhook_url(CHAT, DEFAULT)
    assert chat.reveal() == CHAT
    assert chat.flavour is Flavour.GOOGLE_CHAT
    assert validate_webhook_url(CHAT, DEFAULT) == chat
    assert len({chat, validate_webhook_url(CHAT, DEFAULT)}) == 1


@pytest.mark.parametrize(
    ("url", "reason", "says"),
    [
        ("", "empty", "paste"),
        ("http://hooks.slack.com/services/T1/B1/abc", "scheme", "https://"),
        ("ftp://hooks.slack.com/services/T1/B1/abc", "scheme", "https://"),
        ("javascript:alert(1)", "scheme", "https://"),
        ("https://example.com/services/T1/B1/abc", "host", "SALES_VERDICTS_WEBHOOK_HOSTS"),
        ("https://hooks.slack.com.evil.io/services/T1/B1/a", "host", "hooks.slack.com"),
        ("https://evil.io#@hooks.slack.com/services/T1/B1/a", "host", "evil.io"),
        ("https://me:pw@hooks.slack.com/services/T1/B1/abc", "credentials", "before @"),
        ("https://hooks.slack.com@evil.io/services/T1/B1/abc", "credentials", "before @"),
        ("https://hooks.slack.com:8443/services/T1/B1/abc", "port", "Remove :8443"),
        ("https://10.0.0.7/services/T1/B1/abc", "ip", "host name"),
        ("https://[fd00::1]/services/T1/B1/abc", "ip", "host name"),
        ("https://169.254.169.254/computeMetadata/v1/", "ip", "host name"),
        ("http://2130706433/hook", "ip", "IP address"),
        ("http://127.1/hook", "ip", "IP address"),
        ("https://hooks.slack.com/services/T1/B1/" + "a" * 2100, "length", "2048"),
        ("https://hooks.slack.com/services/T1/B1/a b", "characters", "spaces"),
        ("https://hooks.slack.com/services/T1/B1/a\nb", "characters", "line breaks"),
        ("https://hooks.slack.com/services/T1/B1/é", "characters", "Copy it again"),
        ("https://hooks.slack.com:99999/services/T1/B1/a", "malformed", "not a valid URL"),
        ("https://hooks.slack.com/api/chat.postMessage", "shape", "hooks.slack.com/services/"),
        ("https://hooks.slack.com/services/T1/B1", "shape", "Incoming WebHooks"),
        ("https://chat.googleapis.com/v1/spaces/AAAA/messages?key=k", "shape", "token="),
        ("https://chat.googleapis.com/v1/spaces/AAAA/members?key=k&token=t", "shape", "/messages"),
    ],
)
def test_refusals_name_the_problem_and_the_fix(url: str, reason: str, says: str) -> None:
    with pytest.raises(WebhookUrlError) as refused:
        validate_webhook_url(url, DEFAULT)
    assert refused.value.reason == reason
    assert says in refused.value.message
    secret = url.rsplit("/", 1)[-1]
    if len(secret) > 8:
        assert secret not in refused.value.message


def test_an_ip_address_is_refused_even_when_listed() -> None:
    listed = AlertConfig(webhook_hosts=("10.0.0.7",))
    with pytest.raises(WebhookUrlError) as refused:
        validate_webhook_url("https://10.0.0.7/hook", listed)
    assert refused.value.reason == "ip"


def test_loopback_hosts_need_listing_and_may_then_use_http_and_any_port() -> None:
    for url in ("http://127.0.0.1:8123/hook", "http://localhost:9/x", "http://[::1]:8123/y"):
        with pytest.raises(WebhookUrlError) as refused:
            validate_webhook_url(url, DEFAULT)
        assert refused.value.reason == "host"
        accepted = validate_webhook_url(url, WITH_LOOPBACK)
        assert accepted.is_loopback
        assert accepted.reveal() == url
    assert validate_webhook_url("https://127.0.0.1/hook", WITH_LOOPBACK).is_loopback
    with pytest.raises(WebhookUrlError):  # listed, not loopback: https and no port only
        validate_webhook_url("http://hooks.slack.com/services/T1/B1/abc", WITH_LOOPBACK)


def test_the_host_list_may_come_from_the_environment() -> None:
    env = {"SALES_VERDICTS_WEBHOOK_HOSTS": " Hooks.Slack.com , 127.0.0.1,[::1],"}
    settings = Settings.from_env(env)
    assert settings.webhook_hosts == ("hooks.slack.com", "127.0.0.1", "::1")
    assert validate_webhook_url("http://127.0.0.1:5000/x", settings).is_loopback
    with pytest.raises(WebhookUrlError):
        validate_webhook_url(CHAT, settings)
    assert Settings.from_env({}).webhook_hosts == ("hooks.slack.com", "chat.googleapis.com")


@pytest.mark.parametrize(
    "value", ["https://hooks.slack.com", "hooks.slack.com/services", "me@example.com", "a_b.com"]
)
def test_a_host_list_holds_host_names_only(value: str) -> None:
    with pytest.raises(SettingsError, match="SALES_VERDICTS_WEBHOOK_HOSTS"):
        Settings.from_env({"SALES_VERDICTS_WEBHOOK_HOSTS": value})
    with pytest.raises(ValueError, match="host name"):
        parse_hosts(value)


def test_delivery_settings_are_bounded() -> None:
    with pytest.raises(SettingsError, match="SALES_VERDICTS_WEBHOOK_ATTEMPTS"):
        Settings.from_env({"SALES_VERDICTS_WEBHOOK_ATTEMPTS": "0"})
    with pytest.raises(SettingsError, match="SALES_VERDICTS_WEBHOOK_BUDGET"):
        Settings.from_env({"SALES_VERDICTS_WEBHOOK_BUDGET": "3600"})
    settings = Settings.from_env({"SALES_VERDICTS_WEBHOOK_TIMEOUT": "2.5"})
    assert settings.webhook_timeout == 2.5


def test_masks_keep_the_host_and_hide_the_secret() -> None:
    assert mask(SLACK) == "https://hooks.slack.com/services/T012…/…"
    assert mask(CHAT) == "https://chat.googleapis.com/v1/spaces/AAAA…/…?key=…&token=…"
    assert mask("http://127.0.0.1:8123/hook/abc?x=1") == "http://127.0.0.1:8123/hook…/…?x=…"
    assert mask("not a url") == "[webhook URL]"
    assert mask("https://hooks.slack.com:99999/x") == "[webhook URL]"


def test_a_webhook_url_never_prints_its_secret(caplog: pytest.LogCaptureFixture) -> None:
    for raw, secrets in ((SLACK, [SLACK_SECRET, "B0456EFGH"]), (CHAT, [CHAT_KEY, CHAT_TOKEN])):
        url = validate_webhook_url(raw, DEFAULT)
        with caplog.at_level(logging.DEBUG):
            logging.getLogger("tests.alerts").info("saved %s (%r)", url, url)
            logging.getLogger("tests.alerts").info(f"saved {url} {url!s:>10} {[url]}")
        shown = [str(url), repr(url), f"{url}", format(url, ""), str([url]), caplog.text]
        for text in shown:
            for secret in secrets:
                assert secret not in text
        assert url.masked in caplog.text
        assert all(s in url.reveal() for s in secrets)
        assert set(secrets) <= set(url.secrets())
        assert url.scrub(f"refused {raw}") == f"refused {url.scrub(raw)}"
        assert not any(s in url.scrub(f"refused {raw}") for s in secrets)
        caplog.clear()


def test_webhook_urls_are_built_only_by_validation() -> None:
    url = validate_webhook_url(SLACK, DEFAULT)
    assert isinstance(url, WebhookUrl)
    assert repr(url) == "WebhookUrl('https://hooks.slack.com/services/T012…/…')"


@pytest.mark.parametrize(
    "line",
    [
        f"posting to {SLACK} failed",
        f'"POST {SLACK[23:]} HTTP/1.1" 404',
        f'HTTP Request: POST {CHAT} "HTTP/1.1 200 OK"',
        f"workflow https://hooks.slack.com/triggers/T0123ABCD/1234/{SLACK_SECRET}",
    ],
)
def test_the_log_filter_redacts_webhook_urls(line: str) -> None:
    scrubbed = redact(line)
    assert REDACTED in scrubbed
    for secret in (SLACK_SECRET, "B0456EFGH", CHAT_KEY, CHAT_TOKEN):
        assert secret not in scrubbed
