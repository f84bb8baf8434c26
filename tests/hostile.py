"""A corpus of hostile stored text: every template, script, markdown, expression and formula
syntax the app's renderers might act on, and characters that reorder or hide text. Tests feed
it wherever data reaches a page or a file."""

from __future__ import annotations

#: Direction overrides and isolates and zero-width characters (U+202A-202E, U+2066-2069,
#: U+200B-200F, U+2060, U+FEFF): removed where text comes in and again where it is shown.
BIDI: tuple[str, ...] = (
    "Safe title \u202eexe.txt",
    "\u2066isolate\u2069 \u202aembed\u202c \u202bright\u202c \u202dleft\u202c \u2067rtl\u2068first\u2069",
    "zero\u200bwidth\u200cjoin\u200d\u200emarks\u200f\u2060word\ufeff",
    "\U0001f468\u200d\U0001f469\u200d\U0001f467 family",  # ZWJ: shown as three emoji
)

HOSTILE: tuple[str, ...] = (
    "{{ 7*7 }}",
    "{{",
    "}}",
    "{%",
    "{% raw %}",
    "{#",
    "${alert(1)}",
    "`backtick` ``` ${`nested`}",
    "</script><script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "line\u2028separator\u2029paragraph",
    "both 'single' and \"double\" quotes",
    "[link](javascript:alert(1))",
    "**bold**",
    "=cmd|calc",
    "a.b[0]\\c",
    "datum['x'] + 1",
    *BIDI,
    "x" * 10_000,
)
