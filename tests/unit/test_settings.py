"""Settings precedence: explicit arguments > environment > defaults."""

from __future__ import annotations

from pathlib import Path

from dashboard.settings import Settings


def test_defaults_listen_on_loopback_8050() -> None:
    settings = Settings.from_env(environ={"HOME": "/home/x"})
    assert (settings.host, settings.port, settings.redis_url) == ("127.0.0.1", 8050, "")
    assert settings.data_dir.name == "lstm-lab"


def test_environment_then_arguments_win() -> None:
    env = {
        "LSTM_LAB_PORT": "9000",
        "LSTM_LAB_DEBUG": "true",
        "LSTM_LAB_DATA_DIR": "/tmp/lab",
        "REDIS_URL": "redis://127.0.0.1:6379/0",
        "LSTM_LAB_MAX_UPLOAD_MB": "5",
    }
    settings = Settings.from_env(environ=env)
    assert (settings.port, settings.debug, settings.max_upload_mb) == (9000, True, 5)
    assert settings.data_dir == Path("/tmp/lab")
    assert settings.cache_dir == Path("/tmp/lab/jobs")
    assert settings.redis_url == "redis://127.0.0.1:6379/0"
    assert Settings.from_env(environ=env, port=9100, debug=None).port == 9100
