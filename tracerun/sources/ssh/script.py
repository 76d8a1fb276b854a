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
rest is `grep -n` output (`N:hit`, `N-context`, `--`), which an awk program
there thins out before it is sent: context that is not a continuation, hit
lines that cannot hold a field equal to a needle (read/bounds.py's test).

Over 400 lines: most of it is the one awk program after grep (its rules,
the reads past and before grep's window, the byte test), kept here with the
sh that runs it, since neither is read or tested without the other; and the
sh that sends a file whole whose text grep cannot see (`_WHOLE`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from tracerun.read.scan import MAX_RECORD

CONTEXT_LINES = 2000
"""Lines after a hit a remote host may send for its multi-line continuation."""
WINDOW_LINES = 256
"""Lines after a hit the host's grep hands on (`-A`); a record that continues
past them is read on from the file (#14: with dense ids the 2,000-line window
was most of what grep wrote and awk read)."""
BACK_LINES = 256
"""Lines before a hit the host's grep hands on (`-B`): a hit on a continuation
line (a trace's `Caused by: … id`) belongs to the record above it, which the
host must send. A record whose start is further back is found by reading the
file from its start on the host (FAR_BYTES), once per file at most."""
FAR_BYTES = MAX_RECORD
"""How far before a hit the host looks for its record's start when BACK_LINES
did not reach it: as far as a local scan does (it keeps the whole record open
at a block's end up to the record size cap, read/scan.py `_kept_from`), so a
record a local trace prints is never missed here. A start further back is
told (`@L LINE`), never silently lost."""
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

    A directory means every log file below it (LOG_NAME_AWK); `**` searches below
    its fixed prefix with `find`. `@D INDEX` reports a directory that cannot
    be read; `@T TOOL` a missing tool.
    """
    lines = [_PRELUDE, "for t in grep find stat awk tail; do"]
    lines.append('  command -v "$t" >/dev/null 2>&1 || echo "@T $t"')
    lines.append("done")
    for index, pattern in enumerate(patterns):
        lines.append(_list_one(index, pattern))
    return "\n".join(lines) + "\n"


def _list_one(index: int, pattern: str) -> str:
    """Write the sh code that lists one pattern's files."""
    if not _GLOB.search(pattern):  # a file or a directory
        return _find(index, pattern, None, pattern)
    if _is_recursive(pattern):  # `**`: find below the fixed prefix
        root = pattern[: _GLOB.search(pattern).start()].rsplit("/", 1)[0] or "/"  # type: ignore[union-attr]
        name = pattern.rsplit("/", 1)[1].replace("**", "*")
        return _find(index, root, name, None)
    folder = pattern.rsplit("/", 1)[0] or "/"
    return (
        f'n=0; for f in {glob_words(pattern)}; do tr_list "$f" && n=1; done\n'
        f"if [ $n = 0 ]; then tr_none {index} {glob_words(folder)}; fi"
    )


# A directory stands for its log files, as locally (sources/file/paths.py
# is_log_name): `*.log*`, and with rotation suffixes taken off, `*_log`,
# `*.out` and syslog's own names. tests/sources/ssh/test_ssh_script.py runs
# both on the same names.
LOG_NAME_AWK = quote(
    "{ n = $NF } n ~ /[.]log/ { print; next }\n"
    '{ while (sub(/([.-][0-9]+|[.](gz|zst|bz2|xz|lz4))$/, "", n)) ; }\n'
    "n ~ /(_log|[.]out)$/ || n ~ /^(syslog|messages|secure|maillog|cron|debug|dmesg)$/"
)


def _find(index: int, root: str, name: str | None, single: str | None) -> str:
    """List the files named `name` below `root` (or `single` itself when a file).

    `name` None: the log files below it (LOG_NAME_AWK).
    """
    where = glob_words(root)
    lines = [f"if [ -d {where} ]; then"]
    lines.append(f"  if [ -r {where} ] && [ -x {where} ]; then")
    if name is None:
        found = f"find {where} -type f 2>/dev/null | awk -F/ {LOG_NAME_AWK}"
    else:
        found = f"find {where} -type f -name {quote(name)} 2>/dev/null"
    lines.append(f"    n=$({found})")
    lines.append(
        '    if [ -n "$n" ]; then printf \'%s\\n\' "$n" | while IFS= read -r f;'
    )
    lines.append(f"      do tr_list \"$f\"; done; else echo '@N {index}'; fi")
    lines.append(f"  else echo '@D {index}'; fi")
    if single is not None:
        lines.append(f"elif [ -f {where} ]; then tr_list {where} || echo '@D {index}'")
    lines.append(f"else tr_none {index} {where}; fi")
    return "\n".join(lines)


HEAD_BYTES = 64 * 1024
"""How much of a file's text the host looks at to tell a file it sends whole."""

# A file whose text is not the bytes grep sees is sent whole (#14): UTF-16
# (FF FE or FE FF first, in the file or its archive: every character is two
# bytes, grep -F matched none of them) and lines ended by lone CRs (old Mac
# OS: grep sees one line). tr_kind names it (`utf16`, `cr`; exit status 0)
# from the first line of its first HEAD_BYTES (a CR before the first LF and
# not just before it is a lone one, read/endings.py); the local side then
# decides exactly as for a local file (read/utf16.py's test, the scan's line
# ends). Its cost on the host, a `head` and an `awk` per file: about 2.4 ms a
# file with dash, 0.7 ms with busybox (300 small files, a loaded 2-core box:
# 5.0 → 7.4 and 2.6 → 3.2 ms a file in all).
#
# tr_whole sends it as `@W CODE` and its text compressed again (gzip -1) in
# base64 (CODE b64) or, without base64, od's hex (CODE hex): bytes on the
# wire are the gzip size times 4/3 (b64) or about 3 (hex); for PowerShell's
# UTF-16LE logs, about a tenth of the file (measured in the ssh tests'
# test_a_utf16_file_costs_about_its_compressed_size_on_the_wire).
_KIND = quote(
    'NR == 1 { b = substr($0, 1, 2); c = index($0, "\\r")\n'
    '  if (b == "\\377\\376" || b == "\\376\\377") w = "utf16"\n'
    '  else if (c && c < length($0)) w = "cr"; exit }\n'
    'END { if (w != "") print w; exit w == "" }'
)
_WHOLE = f"""\
tr_cat() {{
  case "$1" in
  *.gz) gzip -dc -- "$1" ;;
  *.zst) zstd -dc -- "$1" ;;
  *) cat -- "$1" ;;
  esac
}}
tr_kind() {{
  case "$1" in
  *.gz|*.zst) tr_cat "$1" 2>/dev/null | head -c {HEAD_BYTES} | awk {_KIND} ;;
  *) head -c {HEAD_BYTES} -- "$1" 2>/dev/null | awk {_KIND} ;;
  esac
}}
tr_code=b64; command -v base64 >/dev/null 2>&1 || tr_code=hex
tr_whole() {{
  echo "@W $tr_code"
  if [ $tr_code = b64 ]; then tr_cat "$1" | gzip -1c | base64
  else tr_cat "$1" | gzip -1c | od -An -v -tx1; fi
}}
"""


def count_script(files: Sequence[str]) -> str:
    """Count each file's lines: `@C INDEX COUNT` (where following starts).

    A file the search would send whole (UTF-16 text, lone-CR line ends) is
    named as `@K INDEX KIND` too: `tail -F | awk` cannot follow its text.
    """
    lines = [_PRELUDE, _WHOLE]
    for index, path in enumerate(files):
        lines.append(
            f'echo "@C {index} $(wc -l < {quote(path)} 2>/dev/null || echo 0)"'
        )
        lines.append(f'k=$(tr_kind {quote(path)}); [ -z "$k" ] || echo "@K {index} $k"')
    return "\n".join(lines) + "\n"


def search_script(
    files: Sequence[str],
    needles: Sequence[str],
    *,
    ignore_case: bool,
    whole_tokens: bool = False,
    keyed: bool = False,
) -> str:
    """Search each file for the needles: `@F INDEX`, grep -n lines, `@R RC`, `@E INDEX`.

    Each hit comes with the lines after it that look like its continuation
    (up to CONTEXT_LINES after the last hit line); a hit on a line that looks
    like a continuation, outside any record sent, comes with the lines before
    it back to the nearest one that does not (the record's probable start,
    up to BACK_LINES back; the exact start rule runs locally). Compressed files are
    decompressed on the host. A file's problems go to stderr after an
    `@F INDEX` marker of their own.

    `whole_tokens`: the parser's values are whole tokens (read/bounds.py), so
    a hit line on which every needle occurrence has a word byte (ASCII letter,
    digit, `_`) just before or after it cannot hold a field equal to one; it
    is not sent, nor its continuation (a decoy such as `req-420` for `req-42`
    costs no bytes on the wire). Needles that are not all ASCII keep every hit
    under `-i` (awk's `tolower` is ASCII only here).

    `keyed` (with `whole_tokens`): the parser writes every value the query can
    match after `key=` or `"key":`, so nor is a line sent whose whole-token
    needles are all written after something else (message text); their count
    and the first one's line come back as `@U COUNT LINE` after `@R`.

    A file whose text grep cannot see (UTF-16, lone-CR line ends) comes whole
    instead, as `@W CODE` and its encoded lines (_WHOLE above; whole.py).
    """
    flags = f"-n -F -B {BACK_LINES} -A {WINDOW_LINES}" + (" -i" if ignore_case else "")
    patterns = " ".join(f"-e {quote(n)}" for n in needles)
    program = _keep_program(needles, ignore_case, whole_tokens, keyed)
    lines = [
        _PRELUDE,
        _WHOLE,
        f'tr_grep() {{ grep $tr_a {flags} {patterns} "$@"; }}',
        # A plain file is grep's operand: no `cat` copying it through a pipe.
        "tr_search() {",
        '  case "$1" in',
        '  *.gz) gzip -dc -- "$1" | tr_grep ;;',
        '  *.zst) zstd -dc -- "$1" | tr_grep ;;',
        '  *) tr_grep -- "$1" ;;',
        "  esac",
        "}",
        f"tr_keep() {{ awk {quote(program)}; }}",
        "tr_one() {",
        '  echo "@F $1"; echo "@F $1" >&2',
        "  TR_FILE=$2; export TR_FILE  # for the awk's own reads past the window",
        '  if tr_kind "$2" >/dev/null; then tr_whole "$2"',
        '  else { tr_search "$2"; echo "@R $?"; } | tr_keep; fi',
        '  echo "@E $1"',
        "}",
    ]
    for index, path in enumerate(files):
        lines.append(f"tr_one {index} {quote(path)}")
    return "\n".join(lines) + "\n"


def _keep_program(
    needles: Sequence[str], ignore_case: bool, whole_tokens: bool, keyed: bool
) -> str:
    """Write the awk program after grep: continuations kept, decoy hits dropped if asked."""
    judge = whole_tokens and not (ignore_case and not all(n.isascii() for n in needles))
    lowered = [n.lower() if ignore_case else n for n in needles]
    values = "; ".join(f"nd[{i}] = {_awk_string(n)}" for i, n in enumerate(lowered))
    return (
        f"BEGIN {{ {values}; nn = {len(lowered)}\n"
        f"  judge = {int(judge)}; keyed = {int(judge and keyed)}; icase = {int(ignore_case)}\n"
        f"  win = {WINDOW_LINES}; most = {CONTEXT_LINES}; bk = {BACK_LINES}\n"
        f"  fb = {FAR_BYTES}\n"
        f"  reread = {_awk_string(_REREAD)}\n"
        '  keep = 0; open = 0; pend = ""; esc = sprintf("%c", 27); nu = 0; skip = 0 }\n'
        + _KEEP_FUNCTIONS
        + _VERDICT_FUNCTIONS
        + _KEEP_RULES
    )


# How the awk reads a file on from line $tr_x itself (a record whose
# continuation outlasts grep's window): the path is in $TR_FILE, never in the
# program text; the first pass already reported the file's errors.
_REREAD = (
    '{ case $TR_FILE in *.gz) gzip -dc -- "$TR_FILE" | tail -n "+$tr_x" ;;'
    ' *.zst) zstd -dc -- "$TR_FILE" | tail -n "+$tr_x" ;;'
    ' *) tail -n "+$tr_x" -- "$TR_FILE" ;; esac; } 2>/dev/null'
)

# The rules. The first is the hot path: with dense ids most of what grep sends
# is the context around hits outside any record being sent; one regex test and
# one array store (the ring `r`, by NR, for a later hit on a continuation line:
# `back`) handle it (#14: the whole rule set on each such line cost ~40 % of
# the host's CPU). A window that ends (`--`, a jump in the numbers, the end)
# while a record still continues is read on from the file (`more`).
_KEEP_RULES = (
    "/^[0-9]+-/ { if (!keep && !open) { r[NR % bk] = $0; next } }\n"
    "/^@R / { if (keep || open) more(); print; next }\n"
    '/^--$/ { if (keep || open) more(); keep = 0; open = 0; pend = ""; next }\n'
    "{\n"
    '  if (!match($0, /^[0-9]+[-:]/)) { keep = 0; open = 0; pend = ""; next }\n'
    "  num = substr($0, 1, RLENGTH - 1) + 0\n"
    "  if ((keep || open) && num != last + 1) more()\n"
    "  if (num <= skip) next\n"
    "  last = num\n"
    '  take($0, num, (substr($0, RLENGTH, 1) == ":"), substr($0, RLENGTH + 1))\n'
    "}\n"
    'END { if (fcmd != "") close(fcmd); if (bcmd != "") close(bcmd)\n'
    '  if (nu) print "@U " nu " " fu }\n'
)

# take(): one line of the file, numbered, `hit` when it holds a needle. A hit
# line whose needles cannot be a field value (verdict below 2) is held back
# (`pend`) with its continuation lines, and sent only if a wanted hit comes
# while they still continue one record: a record whose first line holds a
# decoy and a later line the id is sent whole, as without the test. A hit
# inside a record being sent is not judged (the local scan does not judge hits
# inside a record it framed either); the others judged message text are
# counted (`@U`), for the "only in message text" hint.
#
# more(): grep's window ended at line `last` (= the last hit + win) while a
# record continues: read the file from there, on one stream kept open (later
# windows read on from where it is), up to `most` lines after the last hit;
# grep's own lines up to where this read ended are then skipped. A window that
# ended before `win` lines is the end of the input.
#
# back(num): a hit on line `num` looks like a continuation and no record is
# being sent: the lines right before it (grep's `-B` context, in the ring) to
# send first, back to the nearest that does not look like one (the record's
# probable start; the exact rule runs locally), each as `N-text` and a
# newline. A ring line is used only if its number is exactly the one expected,
# so a `--`, a jump in the numbers or a line not stored (sent, held back) ends
# the walk. When all `bk` lines look like continuations, far() reads the file
# itself; when the record began more than `fb` bytes back, `@L num` is sent
# (the local side tells it); when far() finds no start (it is inside what
# was sent or skipped), what the ring holds is sent (the local side decides).
#
# far(num): one stream per file reads it from line 1, on from where the last
# far() stopped (so all of them read the file once), keeping the lines since
# the last one that does not look like a continuation (line 1 starts a record,
# as for the local scan), while they stay within `fb` bytes (`bo`: they did
# not); fj() joins them without copying the text once per line.
_KEEP_FUNCTIONS = (
    "function take(line, num, hit, body,    cont, v, pre) {\n"
    f"  cont = (body ~ /{CONTINUATION_ERE}/)\n"
    "  if (hit) {\n"
    "    lh = num\n"
    "    if (keep && cont) { print line; return }\n"
    "    v = judge ? verdict(icase ? tolower(body) : body) : 2\n"
    '    pre = (cont && !keep && !open) ? back(num) : ""\n'
    "    if (v == 2) {\n"
    "      if (open && cont) print pend\n"
    '      printf "%s", pre\n'
    '      open = 0; pend = ""; keep = 1; print line; return\n'
    "    }\n"
    "    if (v == 1) { if (!nu) fu = num; nu++ }\n"
    '    if (open && cont) pend = pend "\\n" line\n'
    "    else pend = pre line\n"
    "    open = 1; keep = 0; return\n"
    "  }\n"
    "  if (cont) {\n"
    "    if (keep) { print line; return }\n"
    '    if (open) { pend = pend "\\n" line; return }\n'
    "  }\n"
    '  keep = 0; open = 0; pend = ""; r[NR % bk] = line\n'
    "}\n"
    "function back(num,    j, e, s, t, u) {\n"
    '  t = ""\n'
    "  for (j = 1; j <= bk && num - j > skip; j++) {\n"
    '    e = r[(NR - j) % bk]; s = (num - j) "-"\n'
    "    if (substr(e, 1, length(s)) != s) return t\n"
    '    t = e "\\n" t\n'
    f"    if (substr(e, length(s) + 1) !~ /{CONTINUATION_ERE}/) return t\n"
    "  }\n"
    '  if (j > bk && num - j > skip && (u = far(num)) != "") return u\n'
    "  return t\n"
    "}\n"
    "function far(num,    line) {\n"
    '  if (bcmd == "") { bcmd = "tr_x=1; " reread; bpos = 0; bst = 0; bn = 0 }\n'
    "  while (bpos < num - 1 && (bcmd | getline line) > 0) {\n"
    "    bpos++\n"
    f"    if (bpos == 1 || line !~ /{CONTINUATION_ERE}/) {{\n"
    '      bst = bpos; bn = 0; bo = 0; split("", bf) }\n'
    "    else if (!bst) continue\n"
    "    bn += length(line) + 1\n"
    '    if (bn > fb) { bst = 0; bo = 1; split("", bf) } else bf[bpos] = line\n'
    "  }\n"
    '  if (bpos != num - 1) return ""\n'
    '  if (bo) return "@L " num "\\n"\n'
    '  if (!bst || bst <= skip) return ""\n'
    "  return fj(bst, num - 1)\n"
    "}\n"
    "function fj(a, b,    m) {\n"
    '  if (a == b) return a "-" bf[a] "\\n"\n'
    "  m = int((a + b) / 2)\n"
    "  return fj(a, m) fj(m + 1, b)\n"
    "}\n"
    "function more(    line, n, h, got) {\n"
    "  n = last\n"
    "  if (last == lh + win && fpos >= 0) {\n"
    '    if (fcmd == "") { fcmd = "tr_x=" (last + 1) "; " reread; fpos = last }\n'
    "    while (fpos < last && (got = (fcmd | getline line)) > 0) fpos++\n"
    "    if (fpos < last) fpos = -1\n"
    "    while (fpos >= 0) {\n"
    "      if ((fcmd | getline line) <= 0) { fpos = -1; break }\n"
    "      n++; fpos = n; h = has(line)\n"
    "      if (h) lh = n\n"
    f"      if (n > lh + most || line !~ /{CONTINUATION_ERE}/) {{ n--; break }}\n"
    '      take(n (h ? ":" : "-") line, n, h, line)\n'
    "    }\n"
    "  }\n"
    '  skip = n; keep = 0; open = 0; pend = ""\n'
    "}\n"
    "function has(s,    j) {\n"
    "  if (icase) s = tolower(s)\n"
    "  for (j = 0; j < nn; j++) if (index(s, nd[j])) return 1\n"
    "  return 0\n"
    "}\n"
)

# verdict(s): 2 when some needle occurs in `s` with no word byte right before or
# after it (and, `keyed`, written after a key: keyat); 1 when only such
# occurrences not after a key; 0 when each is inside a longer token. Both
# mirror read/bounds.py byte for byte (_inside_word, _after_key).
_VERDICT_FUNCTIONS = (
    "function verdict(s,    j, p, q, n, b, a, found) {\n"
    "  found = 0\n"
    "  for (j = 0; j < nn; j++) {\n"
    "    n = length(nd[j]); q = 0\n"
    "    while ((p = index(substr(s, q + 1), nd[j])) > 0) {\n"
    "      p += q\n"
    '      b = (p > 1) ? substr(s, p - 1, 1) : ""\n'
    # an escape ending just before (`ESC[36m`): the auto parser strips it
    '      if (b ~ /[A-Za-z0-9_]/ && match(substr(s, 1, p - 1), esc "\\\\[[0-9;]*[A-Za-z0-9_]$")) b = ""\n'
    "      a = substr(s, p + n, 1)\n"
    "      if (b !~ /[A-Za-z0-9_]/ && a !~ /[A-Za-z0-9_]/) {\n"
    "        if (!keyed || keyat(s, p)) return 2\n"
    "        found = 1\n"
    "      }\n"
    "      q = p\n"
    "    }\n"
    "  }\n"
    "  return found\n"
    "}\n"
    "function keyat(s, p,    k, c, q, b) {\n"
    "  k = p - 1; q = 0\n"
    '  while (k > 0 && match(substr(s, 1, k), esc "\\\\[[0-9;]*[@-~]$")) k = RSTART - 1\n'
    '  if (k > 0 && ((c = substr(s, k, 1)) == "{" || c == "|")) return 1\n'
    '  if (k > 0 && substr(s, k, 1) == "\\"") { q = 1; k--; if (k > 0 && substr(s, k, 1) == "\\\\") k-- }\n'
    "  b = k\n"
    '  while (k > 0 && ((c = substr(s, k, 1)) == " " || c == "\\t")) k--\n'
    "  if (k < 1) return 1\n"
    "  c = substr(s, k, 1)\n"
    # a JSON list's item: `["VALUE"]`, `["a","VALUE"]` (Caddy's headers)
    '  if (c == "[" || (q && c == "," && k > 1 && substr(s, k - 1, 1) == "\\"")) return 1\n'
    '  if (!q && k < b && c == "Z" && k > 1) return substr(s, k - 1, 1) ~ /[0-9]/\n'
    '  return c == "=" || c == ":" || (q && k < b && c == "\\"")\n'
    "}\n"
)


# The follow's awk, per file (`ix`). `b` holds the lines since the last one
# that does not look like a continuation (the probable start of the record
# they belong to; line 1 starts one), by number, while they stay within `fb`
# bytes: a hit on a continuation line outside a record being sent comes after
# them, as far back as the one-shot read (far()) and the local scan reach. A
# record that began further back is told (`@L LINE`, `bo`); one that began
# before the follow's first line is the history's (`bs` 0: nothing held).
_FOLLOW_RULES = (
    "{ line++; hit = 0\n"
    "  for (k in n) if (index($0, n[k])) { hit = 1; break }\n"
    f"  cont = ($0 ~ /{CONTINUATION_ERE}/)\n"
    "  if (hit || (keep && cont)) {\n"
    "    if (hit && !keep && cont) {\n"
    '      if (bs) for (j = bs; j < line; j++) printf "%s\\t%s\\n", ix, b[j]\n'
    '      else if (bo) printf "%s\\t@L %s\\n", ix, line\n'
    "    }\n"
    '    printf "%s\\t%s%s%s\\n", ix, line, hit ? ":" : "-", $0\n'
    '    fflush(); keep = 1; bs = 0; bo = 0; split("", b); next }\n'
    "  keep = 0\n"
    '  if (!cont || line == 1) { split("", b); bs = line; bn = 0; bo = 0 }\n'
    "  else if (!bs) next\n"
    "  bn += length($0) + 1\n"
    '  if (bn > fb) { split("", b); bs = 0; bo = 1 } else b[line] = line "-" $0\n'
    "}\n"
)


def follow_script(
    files: Sequence[tuple[str, int] | None], needles: Sequence[str]
) -> str:
    """Follow files from a line on: `INDEX<TAB>N:TEXT` for hits, `N-TEXT` continuations.

    Runs until its stdin ends (start it with `client.start(..., hold=True)`).

    A hit on a line that looks like a continuation, outside a record being
    sent, comes after the lines before it back to the nearest one that does
    not (its record's probable start), up to FAR_BYTES back; past that,
    `INDEX<TAB>@L N` comes before it.

    Args:
        files: (path, first line to send) per file, None for one not followed
            (its index is still its own); `tail -F` keeps reading a path
            through rotations.
        needles: the values to find (few, while following).
    """
    values = "; ".join(f"n[{i}] = {_awk_string(n)}" for i, n in enumerate(needles))
    lines = [_PRELUDE]
    for index, followed in enumerate(files):
        if followed is None:
            continue
        path, first = followed
        program = (
            f"BEGIN {{ {values}; ix = {index}; line = {first - 1}\n"
            f"  keep = 0; bs = 0; bo = 0; fb = {FAR_BYTES} }}\n" + _FOLLOW_RULES
        )
        lines.append(
            f"tail -n +{first} -F -- {quote(path)} 2>/dev/null | $tr_awk {quote(program)} &"
        )
    # The session's stdin stays open while the follow runs (client.start's
    # `hold`). Its end, when the local ssh stops or the connection goes, ends
    # the whole follow: a `tail -F | awk` would otherwise run on the host until
    # its next hit met the closed pipe, after tracerun had gone. sshd starts the
    # session in a process group of its own, so `kill 0` stops only it.
    lines.append("IFS= read -r tr_end; kill 0")
    return "\n".join(lines) + "\n"


def _awk_string(text: str) -> str:
    """Write an awk string literal for `text` (backslashes and quotes escaped)."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'
