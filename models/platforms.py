"""The platform catalogue of form 2 column (5): canonical names, the names officers type,
the hosts each platform serves, and a profile address from a handle (``@an`` on TikTok)."""

from __future__ import annotations

import re

from .normalize import NormalizeError, _pure, fold, phone, text, url_key

#: The canonical list of platforms (form 2 column (5)), in the order reports print them.
PLATFORMS = ["Facebook", "Zalo", "TikTok", "YouTube", "Instagram", "X (Twitter)", "Telegram", "Threads",
             "LinkedIn", "Khác"]
#: What officers type for each (folded); a platform is stored only in its canonical spelling.
PLATFORM_SYNONYMS = {
    "Facebook": ("facebook", "fb", "face", "face book", "facebook ca nhan", "trang ca nhan facebook",
                 "fanpage", "fan page", "trang facebook", "nhom facebook", "group facebook", "messenger"),
    "Zalo": ("zalo", "zalo ca nhan", "zalo oa", "zalo official account"),
    "TikTok": ("tiktok", "tik tok", "tiktok ca nhan"),
    "YouTube": ("youtube", "you tube", "yt", "kenh youtube"),
    "Instagram": ("instagram", "insta", "ig"),
    "X (Twitter)": ("x", "twitter", "x (twitter)", "x twitter", "twitter (x)", "x/twitter"),
    "Telegram": ("telegram", "tele"),
    "Threads": ("threads",),
    "LinkedIn": ("linkedin", "linked in"),
    "Khác": ("khac", "other"),
}
_PLATFORMS = {word: name for name, words in PLATFORM_SYNONYMS.items() for word in words}
#: url_key hosts of each platform (after :data:`_HOST_ALIASES`)
PLATFORM_HOSTS = {
    "Facebook": ("facebook.com", "fb.me", "fb.watch", "messenger.com"),
    "Zalo": ("zalo.me", "chat.zalo.me", "zalo.vn", "oa.zalo.me"),
    "TikTok": ("tiktok.com",),
    "YouTube": ("youtube.com",),
    "Instagram": ("instagram.com", "instagr.am"),
    "X (Twitter)": ("twitter.com",),
    "Telegram": ("t.me", "telegram.me", "telegram.org"),
    "Threads": ("threads.net", "threads.com"),
    "LinkedIn": ("linkedin.com", "vn.linkedin.com"),
}
_HOST_PLATFORM = {host: name for name, hosts in PLATFORM_HOSTS.items() for host in hosts}


def platform(value: object) -> str | None:
    """Canonical platform name (``facebook``, ``FB``, ``Fanpage`` -> ``Facebook``)."""
    s = text(value)
    if s is None:
        return None
    found = _PLATFORMS.get(fold(s)) or _PLATFORMS.get(fold(s).replace(".", " ").strip())
    if found is None:
        raise NormalizeError(f"“{s}” không có trong danh mục: {', '.join(PLATFORMS)}.")
    return found


@_pure
def platform_of_host(address: object) -> str | None:
    """The platform a URL belongs to, from its host (None for any other site)."""
    try:
        key = url_key(address)
    except NormalizeError:
        return None
    host = (key or "").split("/", 1)[0].split("?", 1)[0]
    return _HOST_PLATFORM.get(host)


@_pure
def is_bare_host(address: object) -> bool:
    """``www.facebook.com`` alone: a platform's home page, not anybody's account."""
    try:
        key = url_key(address)
    except NormalizeError:
        return False
    return bool(key) and "/" not in key and "?" not in key and key in _HOST_PLATFORM


_PROFILE = {"Facebook": "https://www.facebook.com/{}", "TikTok": "https://www.tiktok.com/@{}",
            "YouTube": "https://www.youtube.com/@{}", "Instagram": "https://www.instagram.com/{}",
            "X (Twitter)": "https://x.com/{}", "Telegram": "https://t.me/{}",
            "Threads": "https://www.threads.net/@{}"}
_HANDLE = re.compile(r"^@([A-Za-z0-9._]{1,100})$")


def profile_url(value: object, platform_name: str | None) -> str | None:
    """``@handle`` (or a phone number on Zalo) as the platform's profile address; None when
    the value is no handle or the platform is not known (then it is no address at all)."""
    s = text(value)
    if not s:
        return None
    match = _HANDLE.match(s)
    if match and platform_name in _PROFILE:
        return _PROFILE[platform_name].format(match[1])
    if platform_name == "Zalo" and re.fullmatch(r"[+\d\s.\-()]{9,20}", s):
        try:
            return f"https://zalo.me/{phone(s)}"
        except NormalizeError:
            return None
    return None
