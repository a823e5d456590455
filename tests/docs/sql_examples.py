#!/usr/bin/python3
"""sql_examples.py: runs every ```sql block of the given Markdown files
against a server with lockdiag, and fails with FILE:LINE of each block that
does not run as it stands.

  sql_examples.py SOCKET FILE.md...

The conventions (docs/user-guide.md, "About the examples"):
  * a ```sql block (also indented, in a list) is an example; each runs in
    its own session, in a fresh, empty default database;
  * a block whose first line is "-- continues the previous example" runs in
    the same session as the block before it in the same file (the two are
    sent together);
  * a block whose first lines say "lockdiag is not installed" starts on a
    server without lockdiag (the test uninstalls it first);
  * a statement whose last line carries "-- ERROR NNNN" must fail with that
    error; every other error fails the test, and so does an announced error
    that does not happen.
After each block lockdiag is installed again if the block uninstalled it.
"""
import os
import re
import subprocess
import sys

FENCE_OPEN = re.compile(r'^(\s*)```sql\s*$')
FENCE_ANY = re.compile(r'^\s*```')
CONTINUES = '-- continues the previous example'
NOT_INSTALLED = 'lockdiag is not installed'
EXPECTED = re.compile(r'--\s*ERROR\s+(\d{4})\b', re.IGNORECASE)
# Where to keep each example's output, to read what it showed (optional).
OUTPUT_DIR = os.environ.get('LOCKDIAG_DOCS_OUTPUT', '')
CLIENT_ERROR = re.compile(r'^ERROR (\d+)(?: \(\w+\))? at line (\d+)')


def blocks(path):
    """Yields (first doc line, [(doc line, text)]) per ```sql block."""
    with open(path, encoding='utf-8') as f:
        lines = f.read().split('\n')
    i = 0
    while i < len(lines):
        m = FENCE_OPEN.match(lines[i])
        if not m:
            i += 1
            continue
        indent = len(m.group(1))
        start = i + 1
        body = []
        i += 1
        while i < len(lines) and not FENCE_ANY.match(lines[i]):
            body.append((i + 1, lines[i][indent:] if lines[i][:indent].isspace() else lines[i]))
            i += 1
        if i == len(lines):
            raise SystemExit(f'{path}:{start}: the ```sql block is not closed')
        yield start, body
        i += 1


def groups(path):
    """Blocks joined with their continuations: (first line, [(doc line, text)])."""
    out = []
    for start, body in blocks(path):
        first = next((t.strip() for _, t in body if t.strip()), '')
        if first.startswith(CONTINUES):
            if not out:
                raise SystemExit(f'{path}:{start}: continues an example, but none comes before it')
            out[-1][1].extend(body)
        else:
            out.append((start, list(body)))
    return out


def client(socket, *args, stdin=''):
    return subprocess.run(['mariadb', '--no-defaults', f'--socket={socket}', '-uroot',
                           '--default-character-set=utf8mb4', *args],
                          input=stdin.encode('utf-8'), capture_output=True, timeout=60)


def admin(socket, sql):
    r = client(socket, '-N', '-e', sql)
    if r.returncode != 0:
        raise SystemExit(f'sql_examples: {sql}: {r.stderr.decode(errors="replace").strip()}')
    return r.stdout.decode().strip()


def lockdiag_installed(socket):
    return admin(socket, "SELECT COUNT(*) FROM information_schema.PLUGINS "
                         "WHERE PLUGIN_NAME = 'LOCKDIAG' AND PLUGIN_STATUS = 'ACTIVE'") == '1'


def run_group(socket, path, number, start, body):
    """Runs one example; returns a list of failure messages."""
    db = f'docs_example_{number}'
    # utf8mb4, the default of Debian's server configuration (50-server.cnf),
    # so that the examples' tables are what a DBA pasting them there gets,
    # whatever this private server's compiled-in default (latin1) is.
    admin(socket, f'DROP DATABASE IF EXISTS {db}; CREATE DATABASE {db} CHARACTER SET utf8mb4')
    head = ' '.join(t for _, t in body[:3])
    if NOT_INSTALLED in head and lockdiag_installed(socket):
        admin(socket, "UNINSTALL SONAME 'lockdiag'")
    # --force: go on after an error, as the interactive client does, so that
    # every error of the block is reported, not only the first.
    r = client(socket, '--force', db, stdin='\n'.join(t for _, t in body) + '\n')
    if OUTPUT_DIR:
        name = f'{OUTPUT_DIR}/{number:02d}-{path.replace("/", "_")}-{start}'
        with open(name + '.out', 'wb') as f:
            f.write(r.stdout + r.stderr)
    failures = []
    expected = {}
    for n, (line, text) in enumerate(body, 1):
        m = EXPECTED.search(text)
        if m:
            expected[n] = m.group(1)
    seen = set()
    echo = False
    for err in r.stderr.decode('utf-8', errors='replace').splitlines():
        # With --force the client repeats a failing statement between two
        # lines of dashes before its error line.
        if err == '--------------':
            echo = not echo
            continue
        m = CLIENT_ERROR.match(err)
        if not m:
            if err.strip() and not echo:
                failures.append(f'{path}:{start}: the client said: {err}')
            continue
        code, n = m.group(1), int(m.group(2))
        doc_line = body[n - 1][0] if 0 < n <= len(body) else start
        if expected.get(n) == code:
            seen.add(n)
        else:
            failures.append(f'{path}:{doc_line}: {err}')
    for n, code in expected.items():
        if n not in seen:
            failures.append(f'{path}:{body[n - 1][0]}: announces error {code}, which did not happen')
    if not lockdiag_installed(socket):
        admin(socket, "INSTALL SONAME 'lockdiag'")
    admin(socket, f'DROP DATABASE {db}')
    return failures


def main():
    if len(sys.argv) < 3:
        raise SystemExit('usage: sql_examples.py SOCKET FILE.md...')
    socket, files = sys.argv[1], sys.argv[2:]
    failures, count = [], 0
    for path in files:
        for start, body in groups(path):
            count += 1
            got = run_group(socket, path, count, start, body)
            print(f'{"FAIL" if got else "ok"}: {path}:{start}', flush=True)
            failures.extend(got)
    if count == 0:
        failures.append('no ```sql block found: the extraction is broken')
    for f in failures:
        print(f'FAIL: {f}')
    print(f'{count} examples, {len(failures)} failures')
    return 1 if failures else 0


if __name__ == '__main__':
    sys.exit(main())
