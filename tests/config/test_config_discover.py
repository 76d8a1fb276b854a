"""tracerun/config/discover.py: `-p NAME` → file, in the documented search order."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tracerun.config.discover import (
    default_profile_name,
    find_profile,
    list_profiles,
    resolve_profile,
    search_path,
)
from tracerun.errors import ProfileNotFoundError, TracerunError


@pytest.fixture
def tree(tmp_path, monkeypatch):
    """A repo with profiles/, a nested working directory, and an isolated HOME."""
    home = tmp_path / "home"
    (home / ".config/tracerun/profiles").mkdir(parents=True)
    repo = tmp_path / "repo"
    (repo / "profiles").mkdir(parents=True)
    (repo / "services/orders").mkdir(parents=True)
    monkeypatch.chdir(repo)
    return tmp_path


def touch(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("version: 1\n")
    return path


def env_for(tree, *extra: Path) -> dict[str, str]:
    env = {"HOME": str(tree / "home")}
    if extra:
        env["TRACERUN_PROFILE_PATH"] = os.pathsep.join(str(p) for p in extra)
    return env


def test_name_is_found_in_profiles_of_the_working_directory(tree):
    touch(tree / "repo/profiles/staging.yaml")
    assert find_profile("staging", env=env_for(tree)) == Path("profiles/staging.yaml")


def test_name_is_found_in_the_nearest_parent_with_profiles(tree, monkeypatch):
    touch(tree / "repo/profiles/staging.yaml")
    monkeypatch.chdir(tree / "repo/services/orders")
    found = find_profile("staging", env=env_for(tree))
    assert found == Path("../../profiles/staging.yaml")
    assert found.resolve() == (tree / "repo/profiles/staging.yaml").resolve()


def test_only_the_nearest_profiles_folder_is_searched(tree, monkeypatch):
    touch(tree / "repo/profiles/staging.yaml")
    (tree / "repo/services/profiles").mkdir()
    monkeypatch.chdir(tree / "repo/services/orders")
    with pytest.raises(ProfileNotFoundError):
        find_profile("staging", env=env_for(tree))


def test_explicit_cwd_gives_paths_from_that_cwd(tree):
    touch(tree / "repo/profiles/staging.yaml")
    found = find_profile("staging", cwd=Path("services"), env=env_for(tree))
    assert found == Path("profiles/staging.yaml")


def test_yaml_is_preferred_over_yml(tree):
    touch(tree / "repo/profiles/staging.yml")
    touch(tree / "repo/profiles/staging.yaml")
    assert find_profile("staging", env=env_for(tree)).suffix == ".yaml"


def test_yml_is_found(tree):
    touch(tree / "repo/profiles/staging.yml")
    assert find_profile("staging", env=env_for(tree)) == Path("profiles/staging.yml")


def test_profile_path_directories_are_searched_in_order_after_local(tree):
    first, second = tree / "first", tree / "second"
    touch(first / "shared.yaml")
    touch(second / "shared.yaml")
    touch(second / "only.yaml")
    env = env_for(tree, first, second)
    assert find_profile("shared", env=env) == first / "shared.yaml"
    assert find_profile("only", env=env) == second / "only.yaml"
    touch(tree / "repo/profiles/shared.yaml")
    assert find_profile("shared", env=env) == Path("profiles/shared.yaml")


def test_user_config_folder_is_searched_last(tree):
    touch(tree / "home/.config/tracerun/profiles/mine.yaml")
    env = env_for(tree, tree / "first")
    assert (
        find_profile("mine", env=env)
        == tree / "home/.config/tracerun/profiles/mine.yaml"
    )


def test_a_path_is_used_as_given(tree):
    profile = touch(tree / "elsewhere/x.yaml")
    assert find_profile(str(profile), env=env_for(tree)) == profile


def test_a_file_name_in_the_working_directory_is_used(tree):
    touch(tree / "repo/local.yaml")
    assert find_profile("local.yaml", env=env_for(tree)) == Path("local.yaml")


def test_a_file_name_not_here_falls_back_to_the_name(tree):
    touch(tree / "repo/profiles/staging.yaml")
    found = find_profile("staging.yaml", env=env_for(tree))
    assert found == Path("profiles/staging.yaml")


def test_a_file_with_any_extension_is_used(tree):
    touch(tree / "repo/some.txt")
    assert find_profile("some.txt", env=env_for(tree)) == Path("some.txt")


def test_a_dotted_name_that_is_no_file_is_a_name(tree):
    touch(tree / "repo/profiles/eu.staging.yaml")
    found = find_profile("eu.staging", env=env_for(tree))
    assert found == Path("profiles/eu.staging.yaml")


def test_a_bare_name_is_a_name_even_when_a_file_has_it(tree):
    touch(tree / "repo/staging")
    touch(tree / "repo/profiles/staging.yaml")
    assert find_profile("staging", env=env_for(tree)) == Path("profiles/staging.yaml")


@pytest.mark.parametrize(
    ("make", "kind"),
    [
        (os.mkdir, "a directory"),
        (os.mkfifo, "a FIFO (named pipe)"),
    ],
)
def test_a_path_to_a_directory_or_fifo_says_what_it_is(tree, make, kind):
    make(tree / "repo/x.yaml")
    with pytest.raises(ProfileNotFoundError) as caught:
        find_profile("./x.yaml", env=env_for(tree))
    assert caught.value.message == f"profile file ./x.yaml is {kind}, not a file"
    assert caught.value.hint == "give a profile file (.yaml), or a name"


def test_a_device_says_it_is_one(tree):
    with pytest.raises(ProfileNotFoundError) as caught:
        find_profile("/dev/null", env=env_for(tree))
    assert caught.value.message == (
        "profile file /dev/null is a character device, not a file"
    )


def test_a_name_too_long_for_a_file_is_not_found(tree):
    with pytest.raises(ProfileNotFoundError) as caught:
        find_profile("n" * 300, env=env_for(tree))
    assert caught.value.message.startswith("no profile named 'nnnn")


def test_a_missing_path_is_not_searched_for(tree):
    touch(tree / "repo/profiles/staging.yaml")
    with pytest.raises(ProfileNotFoundError) as caught:
        find_profile("conf/staging.yaml", env=env_for(tree))
    assert caught.value.message == "profile file conf/staging.yaml does not exist"
    assert caught.value.hint == "check the path, or give a profile name"


@pytest.mark.parametrize(
    "given",
    ["profiles/staging.yml", "profiles/staging", "profiles/stagin.yaml"],
)
def test_a_missing_path_names_the_profile_file_beside_it(tree, given):
    touch(tree / "repo/profiles/staging.yaml")
    touch(tree / "repo/profiles/prod.yaml")
    with pytest.raises(ProfileNotFoundError) as caught:
        find_profile(given, env=env_for(tree))
    assert caught.value.message == f"profile file {given} does not exist"
    assert caught.value.hint == "did you mean 'profiles/staging.yaml'?"


def test_not_found_names_the_places_searched_and_a_close_name(tree):
    touch(tree / "repo/profiles/staging.yaml")
    touch(tree / "repo/profiles/prod-eu.yaml")
    with pytest.raises(ProfileNotFoundError) as caught:
        find_profile("stagin", env=env_for(tree, tree / "shared"))
    error = caught.value
    assert error.message == (
        f"no profile named 'stagin'; looked in: profiles, {tree / 'shared'}, "
        f"{Path('~/.config/tracerun/profiles')}"
    )
    assert error.hint == "did you mean 'staging'? profiles found: prod-eu, staging"
    assert error.exit_code == 2


def test_not_found_without_profiles_folder_says_so(tree, monkeypatch):
    monkeypatch.chdir(tree / "home")
    with pytest.raises(ProfileNotFoundError) as caught:
        find_profile("staging", env=env_for(tree))
    assert "profiles/ (none in " in caught.value.message
    assert "tracerun init" in (caught.value.hint or "")


def test_list_profiles_keeps_the_first_found_per_name_in_search_order(tree):
    touch(tree / "repo/profiles/staging.yaml")
    touch(tree / "repo/profiles/demo.yml")
    touch(tree / "shared/staging.yaml")
    touch(tree / "shared/common.yaml")
    touch(tree / "shared/notes.txt")
    touch(tree / "home/.config/tracerun/profiles/mine.yaml")
    found = list_profiles(env=env_for(tree, tree / "shared"))
    assert found == [
        ("demo", Path("profiles/demo.yml")),
        ("staging", Path("profiles/staging.yaml")),
        ("common", tree / "shared/common.yaml"),
        ("mine", tree / "home/.config/tracerun/profiles/mine.yaml"),
    ]


def test_search_path_skips_empty_entries_of_the_profile_path(tree):
    env = {"HOME": str(tree / "home"), "TRACERUN_PROFILE_PATH": os.pathsep + "x"}
    assert search_path(env=env) == [
        Path("profiles"),
        Path("x"),
        tree / "home/.config/tracerun/profiles",
    ]


@pytest.mark.parametrize(
    ("env", "name"),
    [
        ({}, None),
        ({"TRACERUN_PROFILE": "  "}, None),
        ({"TRACERUN_PROFILE": "prod"}, "prod"),
    ],
)
def test_default_profile_name_reads_tracerun_profile(env, name):
    assert default_profile_name(env) == name


def test_resolve_profile_takes_the_name_then_the_environment(tree):
    (tree / "repo/profiles/staging.yaml").write_text("version: 1\n")
    env = {"HOME": str(tree / "home"), "TRACERUN_PROFILE": "staging"}

    assert resolve_profile(None, env) == Path("profiles/staging.yaml")
    with pytest.raises(ProfileNotFoundError):
        resolve_profile("prod", env)
    with pytest.raises(TracerunError) as caught:
        resolve_profile(None, {"HOME": str(tree / "home")})
    assert (caught.value.message, caught.value.hint) == (
        "no profile given",
        "use -p NAME (profiles found: staging), set TRACERUN_PROFILE, or --path LOG_DIR",
    )


def test_a_missing_profile_from_the_environment_says_where_its_name_came_from(tree):
    touch(tree / "repo/profiles/staging.yaml")
    env = {"HOME": str(tree / "home"), "TRACERUN_PROFILE": "stagin"}
    with pytest.raises(ProfileNotFoundError) as caught:
        resolve_profile(None, env)
    assert caught.value.message == (
        "$TRACERUN_PROFILE: no profile named 'stagin'; looked in: profiles, "
        f"{Path('~/.config/tracerun/profiles')}"
    )
    assert caught.value.hint == "did you mean 'staging'? profiles found: staging"
    with pytest.raises(ProfileNotFoundError) as typed:
        resolve_profile("stagin", env)
    assert typed.value.message.startswith("no profile named 'stagin'")


def test_without_ad_hoc_reading_the_hint_offers_no_path_flag(tree, monkeypatch):
    monkeypatch.chdir(tree / "home")
    with pytest.raises(TracerunError) as caught:
        resolve_profile(None, env_for(tree), ad_hoc=False)
    assert caught.value.hint == (
        "use -p NAME (none found yet) or set TRACERUN_PROFILE; "
        "to write one: tracerun init --path LOG_DIR -o profiles/NAME.yaml"
    )


def test_describe_gives_the_description_or_why_not(tree):
    from tracerun.cli.profiles import describe

    good = tree / "repo/profiles/good.yaml"
    good.write_text(
        "version: 1\ndescription: Staging\nsources:\n  a: {type: file, paths: [a]}\n"
    )
    bad = tree / "repo/profiles/bad.yaml"
    bad.write_text("version: 1\n")

    assert describe(good) == "Staging"
    assert describe(bad) == f"(invalid: {bad} has 1 problem)"
