"""Profile error report: ProfileError → compiler-style text for stderr.

`file:line:col: key.path: message`, the source line with the spot underlined,
and a hint; cli.py prints it.
"""

from __future__ import annotations

from tracerun.errors import ConfigIssue, ProfileError, cut

_GUTTER = 7
EXCERPT_CHARS = 100
"""A longer source line is shown as this many characters around the caret."""
TEXT_CHARS = 500
"""A message, hint or detail line is cut to this length (values in it already are)."""
_BOLD = "\x1b[1m"
_RED = "\x1b[1;31m"
_CYAN = "\x1b[36m"
_RESET = "\x1b[0m"


def format_profile_error(err: ProfileError, color: bool = False) -> str:
    """Render every issue of a ProfileError, sorted, under a one-line summary.

    Example:
        tracerun: profiles/staging.yaml has 1 problem

        profiles/staging.yaml:14:5: sources.orders: unknown key 'container'
             14 |     container: [shop-orders-*]
                |     ^^^^^^^^^
          hint: did you mean 'containers'? docker sources accept: ...
    """
    blocks = [format_issue(issue, color) for issue in err.issues]
    return "".join([f"tracerun: {err.message}\n", *("\n" + b for b in blocks)])


def format_issue(issue: ConfigIssue, color: bool = False) -> str:
    """Render one issue: location line, source excerpt (when known), hint."""
    where = f"{issue.file}:{issue.line}:{issue.col}" if issue.line else issue.file
    key_path = cut(issue.key_path, TEXT_CHARS) if issue.key_path else None
    head = ": ".join(
        [
            _paint(where, _BOLD, color),
            *filter(None, [key_path]),
            cut(issue.message, TEXT_CHARS),
        ]
    )
    details = (f"  {cut(d, TEXT_CHARS)}" for d in issue.details)
    lines = [head, *_excerpt(issue, color), *details]
    if issue.hint:
        lines.append(f"  {_paint('hint:', _CYAN, color)} {cut(issue.hint, TEXT_CHARS)}")
    return "\n".join(lines) + "\n"


def _excerpt(issue: ConfigIssue, color: bool) -> list[str]:
    if issue.line <= 0 or issue.source_line is None:
        return []
    text, start = _window(issue.source_line.rstrip(), max(0, issue.col - 1))
    width = max(1, min(issue.width, len(text) - start))
    carets = _paint("^" * width, _RED, color)
    return [
        f"{issue.line:>{_GUTTER}} | {text}".rstrip(),
        f"{'':>{_GUTTER}} | {' ' * start}{carets}",
    ]


def _window(text: str, start: int) -> tuple[str, int]:
    """Cut a long line to EXCERPT_CHARS around `start`; return it and the new start."""
    if len(text) <= EXCERPT_CHARS:
        return text, start
    low = max(0, min(start - EXCERPT_CHARS // 5, len(text) - EXCERPT_CHARS))
    high = low + EXCERPT_CHARS
    shown = ("…" if low else "") + text[low:high] + ("…" if high < len(text) else "")
    return shown, start - low + (1 if low else 0)


def _paint(text: str, code: str, color: bool) -> str:
    return f"{code}{text}{_RESET}" if color else text
