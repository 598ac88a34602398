import json
from pathlib import Path

from waiting import wait_for

from app.paths import config_dir, data_dir
from app.settings import Settings


def test_paths_follow_environment_overrides(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("LIVEDESK_CONFIG_DIR", str(tmp_path / "c"))
    monkeypatch.setenv("LIVEDESK_DATA_DIR", str(tmp_path / "d"))
    assert config_dir() == tmp_path / "c" and config_dir().is_dir()
    assert data_dir() == tmp_path / "d" and data_dir().is_dir()


def test_sections_round_trip_through_a_readable_file() -> None:
    settings = Settings()
    assert settings.section("media") == {}
    settings.update_section("media", {"camera": "camera:/dev/video0"})
    settings.update_section("media", {"microphone": "mic:USB 麦克风"})
    settings.flush()
    text = settings.path.read_text(encoding="utf-8")
    assert "USB 麦克风" in text  # readable, not escaped
    assert json.loads(text)["media"] == {
        "camera": "camera:/dev/video0",
        "microphone": "mic:USB 麦克风",
    }
    again = Settings()
    assert again.section("media")["microphone"] == "mic:USB 麦克风"
    assert again.load_error == ""


def test_section_is_a_copy() -> None:
    settings = Settings()
    settings.update_section("x", {"list": [1]})
    copy = settings.section("x")
    copy["list"].append(2)
    assert settings.section("x") == {"list": [1]}


def test_saves_are_debounced_and_happen_without_flush() -> None:

    settings = Settings(save_delay_s=0.05)
    for i in range(20):
        settings.update_section("window", {"n": i})
    assert not settings.path.exists()
    wait_for(settings.path.exists, 3)
    assert json.loads(settings.path.read_text())["window"]["n"] == 19


def test_corrupt_file_is_reported_kept_aside_and_replaced_by_defaults() -> None:
    path = config_dir() / "settings.json"
    path.write_text('{"media": {"camera": ', encoding="utf-8")
    settings = Settings()
    assert "could not be read" in settings.load_error and "defaults" in settings.load_error
    assert settings.section("media") == {}
    assert (config_dir() / "settings.json.corrupt").read_text() == '{"media": {"camera": '
    settings.update_section("media", {"camera": "synthetic:video"})
    settings.flush()
    assert Settings().section("media") == {"camera": "synthetic:video"}


def test_wrong_shape_and_binary_garbage_are_corrupt_too() -> None:
    path = config_dir() / "settings.json"
    path.write_text("[1, 2]", encoding="utf-8")
    assert Settings().load_error
    path.write_bytes(b"\xff\xfe\x00garbage")
    assert Settings().load_error
