"""Bilingual text: the languages ehplan speaks and how a text picks one.

Shipped content is written in zh-Hant (the plan's own script) and en; zh-Hans
is derived from zh-Hant with OpenCC unless a file gives it explicitly.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache
from typing import Any, Literal, get_args

Lang = Literal["zh-Hant", "zh-Hans", "en"]
LANGS: tuple[Lang, ...] = get_args(Lang)
DEFAULT_LANG: Lang = "zh-Hant"
#: Languages every shipped text must carry.
REQUIRED_LANGS: tuple[Lang, ...] = ("zh-Hant", "en")


@lru_cache(maxsize=1)
def _converter() -> object:
    import opencc  # imported lazily: loading its dictionaries costs start-up time

    return opencc.OpenCC("t2s")


@lru_cache(maxsize=4096)
def to_simplified(text: str) -> str:
    """Convert Traditional Chinese to Simplified with OpenCC."""
    return str(_converter().convert(text))  # type: ignore[attr-defined]


def pick(value: str | dict[str, str] | None, lang: Lang) -> str:
    """Return the text of ``value`` in ``lang``, falling back sensibly.

    A plain string is the same in every language. A map falls back from
    zh-Hans to zh-Hant (converted), and from any language to zh-Hant, then en.
    """
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if lang in value:
        return value[lang]
    if lang == "zh-Hans" and "zh-Hant" in value:
        return to_simplified(value["zh-Hant"])
    for fallback in ("zh-Hant", "en"):
        if fallback in value:
            return value[fallback]
    return next(iter(value.values()), "")


MAINLAND_TERMS: tuple[tuple[str, str], ...] = (
    ("杂凑", "哈希"), ("记录档", "日志文件"), ("金钥", "密钥"), ("位元组", "字节"), ("档案", "文件"),
    ("搜寻", "搜索"), ("逾时", "超时"), ("资讯", "信息"), ("磁碟", "磁盘"), ("程式", "程序"),
)
"""Taiwan IT terms that OpenCC's character conversion carries into Simplified,
and the words a mainland operator uses. Only ehplan's own strings get them: the
plan's text keeps OpenCC's conversion, which is right for it."""


@lru_cache(maxsize=1024)
def ui_simplified(text: str) -> str:
    """One of ehplan's own strings in Simplified Chinese, in mainland terms."""
    converted = to_simplified(text)
    for taiwan, mainland in MAINLAND_TERMS:
        converted = converted.replace(taiwan, mainland)
    return converted


def in_lang(pair: tuple[str, str], lang: Lang) -> str:
    """One entry of a (zh-Hant, en) string table in ``lang`` (zh-Hans converted,
    in mainland terms)."""
    zh, en = pair
    if lang == "en":
        return en
    return ui_simplified(zh) if lang == "zh-Hans" else zh


def duration_text(seconds: float) -> str:
    """Whole seconds as mm:ss, or h:mm:ss from an hour (for elapsed times and limits)."""
    whole = int(seconds)
    hours, rest = divmod(abs(whole), 3600)
    minutes, secs = divmod(rest, 60)
    sign = "-" if whole < 0 else ""
    return f"{sign}{hours}:{minutes:02d}:{secs:02d}" if hours else f"{sign}{minutes:02d}:{secs:02d}"


def durations() -> Callable[[float], str]:
    """`duration_text`, each whole second worked out once: a long run's
    timeline has many lines in each second (one dict per render)."""
    known: dict[int, str] = {}

    def text(seconds: float) -> str:
        whole = int(seconds)
        found = known.get(whole)
        if found is None:
            found = known[whole] = duration_text(whole)
        return found

    return text


def parse_lang(value: str) -> Lang:
    """Normalise a language name given on the command line or in settings."""
    aliases = {
        "zh-hant": "zh-Hant", "zh_tw": "zh-Hant", "zh-tw": "zh-Hant", "tc": "zh-Hant",
        "zh-hans": "zh-Hans", "zh_cn": "zh-Hans", "zh-cn": "zh-Hans", "sc": "zh-Hans",
        "en": "en", "en-us": "en", "en_us": "en",
    }
    found = aliases.get(value.strip().lower())
    if found is None:
        raise ValueError(f"unknown language {value!r}: use one of {', '.join(LANGS)}")
    return found  # type: ignore[return-value]


UNSAFE_CHARS = (
    "\x00-\x08\x0b-\x1f\x7f-\x9f"  # C0 but tab and newline, DEL, C1
    "\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"  # bidi marks, embeddings, overrides, isolates
    "\u2028\u2029"  # Unicode's line and paragraph separators, which some viewers break a line at
    "\ud800-\udfff"  # lone surrogates, as os.fsdecode leaves bytes that were not UTF-8
)
"""What `visible` escapes, as the inside of a regex character class (a renderer
that escapes more adds its own characters to it, for one scan of the text)."""
_UNSAFE = re.compile(f"[{UNSAFE_CHARS}]")


_BIDI_CONTROLS = frozenset(chr(c) for c in (*range(0x202A, 0x202F), *range(0x2066, 0x206A), 0x200E, 0x200F, 0x061C))


def is_bidi_control(ch: str) -> bool:
    """Whether ``ch`` reorders the text around it (a bidi embedding, override, isolate or mark)."""
    return ch in _BIDI_CONTROLS


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    if 0xDC80 <= code <= 0xDCFF:  # the escape of a byte that was not UTF-8
        return f"\\x{code - 0xDC00:02x}"
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def visible(text: str, *, one_line: bool = False) -> str:
    """Make control characters visible so that text from users or files cannot
    move the cursor, change colours, retitle the window, write the clipboard or
    reorder what the screen shows.

    C0/C1 controls, DEL, bidi overrides and marks, and the Unicode line and
    paragraph separators become ``\\xNN``/``\\uNNNN`` escapes; a byte that was
    not UTF-8 (a surrogate escape, as in some file names) becomes ``\\xNN``.
    Tab stays, and so does newline unless ``one_line``: then ``\\n`` is shown,
    so that a value can never start a line of its own. The log keeps the raw
    string; this is for display only, and every terminal path goes through it.
    """
    if one_line and "\n" in text:
        text = text.replace("\n", "\\n")
    if _UNSAFE.search(text) is None:  # the common case: one scan in C, no copy
        return text
    return _UNSAFE.sub(_escape, text)


AUTHORS_TAG = ("〔編寫者補充，非預案原文〕", "[authors' addition, not the plan's words]")
"""The label every screen and report puts on the authors' text (a label, not a colour)."""
SHORT_TAG = ("〔編寫者補充〕", "[authors' addition]")
"""The same, where a line is short (a countdown, a timeline entry)."""
SCRIPT_TO: dict[str, tuple[str, str]] = {
    "script": ("請向對方朗讀", "Read to the caller"),
    "script_hotline": ("向熱線來電者說", "Say to the hotline caller"),
    "script_hall": ("向營業廳內的客戶說", "Say to the customer in the hall"),
    "script_hotline_or_hall": ("向客戶說（熱線來電者或廳內客戶）",
                               "Say to the customer (hotline caller or in the hall)"),
}
"""Whom a script box is said to, by the playbook's channel (the screen's box and the card's)."""
RECONSTRUCTED = ("⚠重組流程：原預案流程圖的箭頭已遺失，步驟次序為編寫者推斷",
                 "⚠ Reconstructed: the plan's flowchart lost its arrows; the step order is the authors' reading")
"""What a reconstructed playbook (S7.1's flowchart) says on the run screen and in the report."""


def authors(text: Any) -> bool:
    """Whether a text (a playbook text, or its plain-data form) is marked as the
    authors' addition."""
    if isinstance(text, dict):
        return text.get("origin") == "authors"
    return getattr(text, "origin", None) == "authors"


def tagged(picked: str, text: Any, lang: Lang, tag: tuple[str, str] = SHORT_TAG) -> str:
    """``picked`` (the text in ``lang``) with the authors' label after it when the
    text is the authors'."""
    return f"{picked} {in_lang(tag, lang)}" if authors(text) else picked
