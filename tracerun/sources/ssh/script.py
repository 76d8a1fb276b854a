"""Script: what to find or search on a remote host → the POSIX sh script sent to it.

Why a script on stdin: `ssh` joins its command line with spaces and the remote
user's *login shell* (bash, zsh, fish, csh) parses it. The command tracerun
sends is always the fixed `exec /bin/sh -s`; the work is a script read by
that `sh` from stdin, in which every value that came from a profile or a
search term is a single-quoted word (`'` as `'\\''`), so no id, path or glob
is ever parsed as shell code. Globs stay globs: their literal parts are
quoted, their `*`, `?` and `[…]` are not.

Only tools every Linux host has run remotely, GNU's or busybox's: `sh`,
`find`, `stat`, `grep -F`, `awk`, `gzip -dc` (and `zstd -dc` for `.zst`),
`tail -F`. Output is line-oriented: `@`-lines are tracerun's own markers, the
rest is `grep -n` output (`N:hit`, `N-context`, `--`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

CONTEXT_LINES = 2000
"""Lines after a hit a remote grep may send for its multi-line continuation."""
CONTINUATION_ERE = (
    r"^[[:space:]]|^$|^Traceback \(|^Caused by:|^During handling of"
    r"|^The above exception|^[A-Za-z0-9_.$]+(Error|Exception)(:|$)"
)
"""Lines a remote host keeps after a hit: indented frames, blank lines, trace heads.

The precise record-start rule (the parser's, or `multiline.start`) runs
locally on what comes back; this only keeps the bytes sent small.
"""
_GLOB = re.compile(r"\*\*|\*|\?|\[[A-Za-z0-9_.!^-]+\]")
_PLAIN_BRACKET = re.compile(r"\[")


def quote(text: str) -> str:
    """Quote a value as one single-quoted sh word: nothing in it is special."""
    return "'" + text.replace("'", "'\\''") + "'"


def glob_words(pattern: str) -> str:
    """Write a glob for sh: literal parts quoted, wildcards bare (`'/var/log/'*'.log'`).

    A leading `~/` becomes `"$HOME"/`. A `[` that does not start a simple
    bracket expression is taken literally.
    """
    parts: list[str] = []
    if pattern.startswith("~/"):
        parts.append('"$HOME"')
        pattern = pattern[1:]
    pos = 0
    for match in _GLOB.finditer(pattern):
        if match.start() > pos:
            parts.append(quote(pattern[pos : match.start()]))
        parts.append(match[0].replace("**", "*"))
        pos = match.end()
    if pos < len(pattern):
        parts.append(quote(pattern[pos:]))
    return "".join(parts) or "''"


def _is_recursive(pattern: str) -> bool:
    return "**" in pattern


_PRELUDE = """\
export LC_ALL=C
tr_a=; echo x | grep -a x >/dev/null 2>&1 && tr_a=-a
tr_awk=awk; case $(awk -W version 2>&1 | head -n 1) in
  *mawk*) tr_awk="awk -W interactive" ;;  # mawk reads pipes in blocks otherwise
esac
tr_list() { [ -f "$1" ] && [ -r "$1" ] && stat -c '@F %s %Y %n' -- "$1"; }
tr_none() {
  d=$2; while [ "$d" != / ] && [ ! -e "$d" ]; do d=${d%/*}; d=${d:-/}; done
  if [ -d "$d" ] && { [ ! -r "$d" ] || [ ! -x "$d" ]; }; then echo "@D $1"
  else echo "@N $1"; fi
}
"""


def discover_script(patterns: Sequence[str]) -> str:
    """List the files behind each pattern: `@F SIZE MTIME PATH`, `@N INDEX` when none.

    A directory means every `*.log*` below it; `**` in a glob searches below
    its fixed prefix with `find`. `@D INDEX` reports a directory that cannot
    be read; `@T TOOL` a missing tool.
    """
    lines = [_PRELUDE, "for t in grep find stat awk; do"]
    lines.append('  command -v "$t" >/dev/null 2>&1 || echo "@T $t"')
    lines.append("done")
    for index, pattern in enumerate(patterns):
        lines.append(_list_one(index, pattern))
    return "\n".join(lines) + "\n"


def _list_one(index: int, pattern: str) -> str:
    """Write the sh code that lists one pattern's files."""
    if not _GLOB.search(pattern):  # a file or a directory
        return _find(index, pattern, "*.log*", pattern)
    if _is_recursive(pattern):  # `**`: find below the fixed prefix
        root = pattern[: _GLOB.search(pattern).start()].rsplit("/", 1)[0] or "/"  # type: ignore[union-attr]
        name = pattern.rsplit("/", 1)[1].replace("**", "*")
        return _find(index, root, name, None)
    folder = pattern.rsplit("/", 1)[0] or "/"
    return (
        f'n=0; for f in {glob_words(pattern)}; do tr_list "$f" && n=1; done\n'
        f"if [ $n = 0 ]; then tr_none {index} {glob_words(folder)}; fi"
    )


def _find(index: int, root: str, name: str, single: str | None) -> str:
    """List the files named `name` below `root` (or `single` itself when a file)."""
    where = glob_words(root)
    lines = [f"if [ -d {where} ]; then"]
    lines.append(f"  if [ -r {where} ] && [ -x {where} ]; then")
    lines.append(f"    n=$(find {where} -type f -name {quote(name)} 2>/dev/null)")
    lines.append(
        '    if [ -n "$n" ]; then printf \'%s\\n\' "$n" | while IFS= read -r f;'
    )
    lines.append(f"      do tr_list \"$f\"; done; else echo '@N {index}'; fi")
    lines.append(f"  else echo '@D {index}'; fi")
    if single is not None:
        lines.append(f"elif [ -f {where} ]; then tr_list {where} || echo '@D {index}'")
    lines.append(f"else tr_none {index} {where}; fi")
    return "\n".join(lines)


def count_script(files: Sequence[str]) -> str:
    """Count each file's lines: `@C INDEX COUNT` (where following starts)."""
    lines = [_PRELUDE]
    for index, path in enumerate(files):
        lines.append(
            f'echo "@C {index} $(wc -l < {quote(path)} 2>/dev/null || echo 0)"'
        )
    return "\n".join(lines) + "\n"


def search_script(
    files: Sequence[str],
    needles: Sequence[str],
    *,
    ignore_case: bool,
    whole_tokens: bool = False,
) -> str:
    """Search each file for the needles: `@F INDEX`, grep -n lines, `@R RC`, `@E INDEX`.

    Each hit comes with the lines after it that look like its continuation;
    compressed files are decompressed on the host. A file's problems go to
    stderr after an `@F INDEX` marker of their own.

    `whole_tokens`: the parser's values are whole tokens (read/bounds.py), so
    a hit line on which every needle occurrence has a word byte (ASCII letter,
    digit, `_`) just before or after it cannot hold a field equal to one; it
    is not sent, nor its continuation (a decoy such as `req-420` for `req-42`
    costs no bytes on the wire). Needles that are not all ASCII keep every hit
    under `-i` (awk's `tolower` is ASCII only here).
    """
    flags = f"-n -F -A {CONTEXT_LINES}" + (" -i" if ignore_case else "")
    patterns = " ".join(f"-e {quote(n)}" for n in needles)
    lines = [
        _PRELUDE,
        "tr_cat() {",
        '  case "$1" in',
        '  *.gz) gzip -dc -- "$1" ;;',
        '  *.zst) zstd -dc -- "$1" ;;',
        '  *) cat -- "$1" ;;',
        "  esac",
        "}",
        f"tr_grep() {{ grep $tr_a {flags} {patterns}; }}",
        f"tr_keep() {{ awk {quote(_keep_program(needles, ignore_case, whole_tokens))}; }}",
        "tr_one() {",
        '  echo "@F $1"; echo "@F $1" >&2',
        '  tr_cat "$2" | { tr_grep; echo "@R $?"; } | tr_keep',
        '  echo "@E $1"',
        "}",
    ]
    for index, path in enumerate(files):
        lines.append(f"tr_one {index} {quote(path)}")
    return "\n".join(lines) + "\n"


def _keep_program(needles: Sequence[str], ignore_case: bool, whole_tokens: bool) -> str:
    """Write the awk program after grep: continuations kept, decoy hits dropped if asked."""
    if not whole_tokens or (ignore_case and not all(n.isascii() for n in needles)):
        return _KEEP_CONTINUATION
    lowered = [n.lower() if ignore_case else n for n in needles]
    values = "; ".join(f"nd[{i}] = {_awk_string(n)}" for i, n in enumerate(lowered))
    text = "tolower(body)" if ignore_case else "body"
    return (
        f"BEGIN {{ {values}; nn = {len(lowered)}; keep = 0; open = 0\n"
        '  pend = ""; esc = sprintf("%c", 27) }\n'
        + _WHOLE_FUNCTION
        + _KEEP_WHOLE.replace("whole(body)", f"whole({text})")
    )


# As _KEEP_CONTINUATION, but a hit line whose needles are all inside longer
# tokens is held back (`pend`) with its continuation lines, and sent only if a
# whole hit comes while they still continue one record: a record whose first
# line holds a decoy and a later line the id is sent whole, as without the test.
_KEEP_WHOLE = (
    "/^@R / { print; next }\n"
    '/^--$/ { keep = 0; open = 0; pend = ""; next }\n'
    "{\n"
    "  if (match($0, /^[0-9]+[-:]/)) {\n"
    "    body = substr($0, RLENGTH + 1)\n"
    f"    cont = (body ~ /{CONTINUATION_ERE}/)\n"
    "  } else { body = $0; cont = 0 }\n"
    "  if ($0 ~ /^[0-9]+:/) {\n"
    "    if (keep && cont) { print; next }\n"
    "    if (whole(body)) {\n"
    "      if (open && cont) print pend\n"
    '      open = 0; pend = ""; keep = 1; print; next\n'
    "    }\n"
    '    pend = (open && cont) ? pend "\\n" $0 : $0\n'
    "    open = 1; keep = 0; next\n"
    "  }\n"
    "  if ($0 ~ /^[0-9]+-/ && cont) {\n"
    "    if (keep) { print; next }\n"
    '    if (open) { pend = pend "\\n" $0; next }\n'
    "  }\n"
    '  keep = 0; open = 0; pend = ""\n'
    "}\n"
)


# 1 when some needle occurs in `s` with no word byte right before or after it.
_WHOLE_FUNCTION = (
    "function whole(s,    j, p, q, n, b, a) {\n"
    "  for (j = 0; j < nn; j++) {\n"
    "    n = length(nd[j]); q = 0\n"
    "    while ((p = index(substr(s, q + 1), nd[j])) > 0) {\n"
    "      p += q\n"
    '      b = (p > 1) ? substr(s, p - 1, 1) : ""\n'
    # a colour escape just before (`ESC[36m`): the auto parser strips it
    '      if (b ~ /[A-Za-z]/ && match(substr(s, 1, p - 1), esc "\\\\[[0-9;]*[A-Za-z]$")) b = ""\n'
    "      a = substr(s, p + n, 1)\n"
    "      if (b !~ /[A-Za-z0-9_]/ && a !~ /[A-Za-z0-9_]/) return 1\n"
    "      q = p\n"
    "    }\n"
    "  }\n"
    "  return 0\n"
    "}\n"
)

# Passes grep's output through, dropping context lines after the first one
# that does not look like a continuation (until the next hit).
_KEEP_CONTINUATION = (
    "BEGIN { keep = 0 }\n"
    "/^@R / { print; next }\n"
    "/^--$/ { keep = 0; next }\n"
    "{\n"
    "  if (match($0, /^[0-9]+:/)) { keep = 1; print; next }\n"
    "  if (keep && match($0, /^[0-9]+-/)) {\n"
    "    body = substr($0, RLENGTH + 1)\n"
    f"    if (body ~ /{CONTINUATION_ERE}/) {{ print; next }}\n"
    "  }\n"
    "  keep = 0\n"
    "}\n"
)


def follow_script(files: Sequence[tuple[str, int]], needles: Sequence[str]) -> str:
    """Follow files from a line on: `INDEX<TAB>N:TEXT` for hits, `N-TEXT` continuations.

    Args:
        files: (path, first line to send) per file; `tail -F` keeps reading a
            path through rotations.
        needles: the values to find (few, while following).
    """
    values = "; ".join(f"n[{i}] = {_awk_string(n)}" for i, n in enumerate(needles))
    lines = [_PRELUDE]
    for index, (path, first) in enumerate(files):
        program = (
            f"BEGIN {{ {values}; line = {first - 1}; keep = 0 }}\n"
            "{ line++; hit = 0\n"
            "  for (k in n) if (index($0, n[k])) { hit = 1; break }\n"
            f"  if (hit || (keep && $0 ~ /{CONTINUATION_ERE}/)) "
            f'{{ printf "%s\\t%s%s%s\\n", {index}, line, hit ? ":" : "-", $0; '
            "fflush(); keep = 1 }\n"
            "  else keep = 0 }\n"
        )
        lines.append(
            f"tail -n +{first} -F -- {quote(path)} 2>/dev/null | $tr_awk {quote(program)} &"
        )
    lines.append("wait")
    return "\n".join(lines) + "\n"


def _awk_string(text: str) -> str:
    """Write an awk string literal for `text` (backslashes and quotes escaped)."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'
