from pathlib import Path

import pytest

from catalog.errors import InputError
from shopassist.settings import load_settings


def test_defaults_without_any_source(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    s = load_settings(env={})
    assert s.home == Path("data")
    assert s.recommender.device == "auto"
    assert (s.recommender.model, s.recommender.auto_budget_s) == ("auto", 300.0)
    assert s.db_path == Path("data") / "shopassist.db"


def test_layers_override_in_order(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    config = tmp_path / "c.toml"
    config.write_text('home = "from-toml"\n[recommender]\nmodel = "itemknn"\ndevice = "cpu"\n')
    s = load_settings(config, env={})
    assert (s.home, s.recommender.model, s.recommender.device) == (
        Path("from-toml"),
        "itemknn",
        "cpu",
    )
    env = {"SHOPASSIST_HOME": "from-env", "SHOPASSIST_RECOMMENDER__MODEL": "bpr"}
    s = load_settings(config, env=env)
    assert (s.home, s.recommender.model, s.recommender.device) == (Path("from-env"), "bpr", "cpu")
    s = load_settings(config, env=env, overrides={"home": "from-cli", "recommender.model": None})
    assert s.home == Path("from-cli")
    assert s.recommender.model == "bpr"  # a flag that was not given does not override


def test_default_toml_in_working_directory(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert load_settings(env={}).llm.backend == "none"  # the default
    (tmp_path / "shopassist.toml").write_text('[llm]\nbackend = "llama_cpp"\n')
    assert load_settings(env={}).llm.backend == "llama_cpp"


def test_config_from_environment_variable(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    config = tmp_path / "x.toml"
    config.write_text('log_level = "debug"\n')
    assert load_settings(env={"SHOPASSIST_CONFIG": str(config)}).log_level == "debug"


def test_unrelated_environment_variables_are_ignored(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    s = load_settings(env={"SHOPASSIST_SHARED_DATA": "/somewhere", "PATH": "/bin"})
    assert s.home == Path("data")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('[recommender]\ndevice = "tpu"\n', "recommender.device"),
        ("unknown_key = 1\n", "unknown_key"),
        ("this is = not toml = at all\n", "not valid TOML"),
    ],
)
def test_bad_settings_are_clear_errors(tmp_path, monkeypatch, text, message):
    monkeypatch.chdir(tmp_path)
    config = tmp_path / "bad.toml"
    config.write_text(text)
    with pytest.raises(InputError, match=message):
        load_settings(config, env={})


def test_missing_config_file_is_an_error(tmp_path):
    with pytest.raises(InputError, match="config file not found"):
        load_settings(tmp_path / "nope.toml", env={})
