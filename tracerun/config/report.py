"""Profile error report: ProfileError → compiler-style text for stderr.

`file:line:col: key.path: message`, the source line with the spot underlined,
and a hint; cli.py prints it.
"""

from __future__ import annotations

from tracerun.errors import ConfigIssue, ProfileError

_GUTTER = 7
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
    head = ": ".join(
        [_paint(where, _BOLD, color), *filter(None, [issue.key_path]), issue.message]
    )
    lines = [head, *_excerpt(issue, color), *(f"  {d}" for d in issue.details)]
    if issue.hint:
        lines.append(f"  {_paint('hint:', _CYAN, color)} {issue.hint}")
    return "\n".join(lines) + "\n"


def _excerpt(issue: ConfigIssue, color: bool) -> list[str]:
    if issue.line <= 0 or issue.source_line is None:
        return []
    text = issue.source_line.rstrip()
    start = max(0, issue.col - 1)
    width = max(1, min(issue.width, len(text) - start))
    carets = _paint("^" * width, _RED, color)
    return [
        f"{issue.line:>{_GUTTER}} | {text}".rstrip(),
        f"{'':>{_GUTTER}} | {' ' * start}{carets}",
    ]


def _paint(text: str, code: str, color: bool) -> str:
    return f"{code}{text}{_RESET}" if color else text
