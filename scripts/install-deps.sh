#!/usr/bin/env bash
# Installs what building and testing lockdiag needs on Debian 12, and nothing
# else: the MariaDB server packages pinned to the version in
# cmake/mariadb-pin.env, the build tools, GoogleTest, Google Benchmark,
# sysbench, galera-4 and rsync (the cluster test), plus one apt source entry
# (deb-src) so that `apt-get source` can fetch the matching server headers.
#
# Idempotent: when everything is present at the pinned version it only checks
# and returns (no apt-get update, no network).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=../cmake/mariadb-pin.env
source "$here/../cmake/mariadb-pin.env"
V=$MARIADB_DEB_VERSION

# Server packages that must all carry the pinned version: apt would otherwise
# mix in a newer security build whose ABI the plugin was not compiled for.
pinned=(mariadb-common mariadb-server mariadb-server-core mariadb-client
  mariadb-client-core mariadb-test mariadb-test-data libmariadb3 libmariadb-dev
  libmariadbd19 libmariadbd-dev)
# Everything else, at whatever version Debian 12 ships.
tools=(build-essential cmake pkg-config dpkg-dev libgtest-dev libgmock-dev
  libbenchmark-dev sysbench clang libclang-rt-14-dev clang-format xz-utils
  php8.2-cli php8.2-mysql libdbd-mariadb-perl percona-toolkit nlohmann-json3-dev zlib1g-dev
  graphviz chromium fonts-dejavu-core python3 debhelper lintian galera-4 rsync iproute2)

src_entry=/etc/apt/sources.list.d/lockdiag-deb-src.sources

missing=()
for p in "${pinned[@]}"; do
  have=$(dpkg-query -W -f='${Status} ${Version}' "$p" 2>/dev/null || true)
  [[ "$have" == "install ok installed $V" ]] || missing+=("$p=$V")
done
for p in "${tools[@]}"; do
  have=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
  [[ "$have" == "install ok installed" ]] || missing+=("$p")
done

if [[ ${#missing[@]} -eq 0 && -f $src_entry ]]; then
  exit 0
fi

if [[ $(id -u) -ne 0 ]]; then
  echo "install-deps: these packages are missing: ${missing[*]}" >&2
  echo "install-deps: run this script as root (or with sudo) to install them." >&2
  exit 1
fi

if [[ ! -f $src_entry ]]; then
  # Same archive as the binary entries, source packages only.
  cat >"$src_entry" <<'EOF'
# Added by lockdiag's scripts/install-deps.sh: lets `apt-get source mariadb`
# fetch the server source whose headers an INFORMATION_SCHEMA plugin needs.
Types: deb-src
URIs: http://deb.debian.org/debian
Suites: bookworm
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOF
fi

echo "install-deps: installing ${missing[*]:-(none; refreshing apt lists)}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
if [[ ${#missing[@]} -gt 0 ]]; then
  # --no-install-recommends: the recommended compression providers would pull
  # the newer, unpinned server build.  --allow-downgrades: a machine that
  # already has the newer security build gets the pinned one.
  apt-get install -y -qq --no-install-recommends --allow-downgrades \
    -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold \
    "${missing[@]}" >/dev/null
fi
