"""A corpus of hostile stored text: every template, script, markdown, expression and formula
syntax the app's renderers might act on. Tests feed it wherever data reaches a page or a file."""

from __future__ import annotations

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
    "x" * 10_000,
)
