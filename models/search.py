"""Search on precomputed keys: the folded words of a record (``search_keys``, an indexed
array) and the condition a typed query becomes — never a regex on an indexed field."""

from __future__ import annotations

import functools
import re

from mongoengine import Q

from .normalize import _CACHES, NormalizeError, fold, phone, text

#: search keys hold every folded word and its prefixes up to this length, no longer: a
#: longer partial word is matched as the range of whole words that start with it (see
#: ``search_condition``). Chosen with ``bench/bench_scale.py`` (prefix figures): unbounded
#: prefixes gave ~46 keys per account and a two-letter key matched most of the register.
PREFIX_LEN = 1


def search_tokens(*values: object, prefixes: bool = True) -> list[str]:
    """Precomputed search keys: folded words (and their prefixes up to ``PREFIX_LEN``),
    so that a search is an indexed match on an array, never a regex."""
    out: set[str] = set()
    for value in values:
        try:
            out |= _value_tokens(value, prefixes)
        except TypeError:  # an unhashable value
            out |= _value_tokens.__wrapped__(value, prefixes)
    return sorted(out)


@functools.lru_cache(maxsize=16384, typed=True)  # typed: 1, 1.0 and True fold differently
def _value_tokens(value: object, prefixes: bool) -> frozenset[str]:
    """The tokens of one value (memoised: names, cells and purposes repeat on every row)."""
    out: set[str] = set()
    for word in fold(value).replace("/", " ").split(" "):
        word = word.strip(".,;:()[]\"'")
        if not word:
            continue
        out.add(word)
        if prefixes:
            out.update(word[:i] for i in range(1, min(len(word), PREFIX_LEN + 1)))
    return frozenset(out)


def search_condition(tokens: list[str] | tuple[str, ...], field: str = "search_keys") -> Q:
    """The filter for typed tokens, all of which must match: a short token is an equality
    on a stored prefix; a longer one is the range of whole words starting with it, inside
    ``$elemMatch`` so that real MongoDB scans one bounded range of the multikey index."""
    out = Q()
    for t in tokens:
        if len(t) <= PREFIX_LEN:
            out &= Q(**{field: t})
        else:
            out &= Q(**{f"{field}__match": {"$gte": t, "$lt": t[:-1] + chr(ord(t[-1]) + 1)}})
    return out


def query_tokens(query: str) -> list[str]:
    """Turn what the officer typed into the keys to match (all must match)."""
    q = text(query) or ""
    try:
        p = phone(q)
    except NormalizeError:
        p = None
    if p and re.fullmatch(r"[+\d\s.\-()]+", q):
        return [p]
    return [w.strip(".,;:()[]\"'") for w in fold(q).split(" ") if w.strip(".,;:()[]\"'")]


_CACHES.append(_value_tokens)  # normalize.clear_caches() forgets these too
