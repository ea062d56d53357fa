"""The options of `ehplan` itself, declared once: the click group is built from
this list, and the entry point reads the same options without importing click
when only they are given (opening the app is what an operator does under stress)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class AppOption:
    """One option of the app: its flag, where its value goes, and its help."""

    flag: str
    dest: str
    help: str
    path: bool = True
    """Its value is a path (else a plain text, or a language for --lang)."""


APP_OPTIONS: tuple[AppOption, ...] = (
    AppOption("--playbooks", "playbooks", "Directory of playbooks (default: $EHPLAN_PLAYBOOKS or the shipped ones)."),
    AppOption("--data", "data", "Directory of site data (default: $EHPLAN_DATA or the shipped data)."),
    AppOption("--lang", "lang", "Language of what is shown.", path=False),
    AppOption("--operator", "operator", "Operator name (else asked once and remembered).", path=False),
    AppOption("--log-dir", "log_dir", "Where run logs go (default: $EHPLAN_LOG_DIR or the user data dir)."),
    AppOption("--key", "key_file", "HMAC key file: runs are logged with it (default: $EHPLAN_KEY_FILE, "
              "or the settings' key_file, else plain SHA-256)."),
)

BY_FLAG = {option.flag: option for option in APP_OPTIONS}
