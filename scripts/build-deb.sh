#!/usr/bin/env bash
# build-deb.sh: builds the Debian package mariadb-plugin-lockdiag
# (docs/packaging.md). As root it first installs what the build needs; the
# server packages at the version pinned in cmake/mariadb-pin.env, the rest
# with `apt-get build-dep` on debian/control.
#
#   scripts/build-deb.sh [OUTPUT_DIR]        # default: build/deb
#
# Writes OUTPUT_DIR/mariadb-plugin-lockdiag_<version>_<arch>.deb (and its
# -dbgsym package, .buildinfo, .changes, dpkg-buildpackage.log). The package
# is built from a copy of the tree in OUTPUT_DIR/lockdiag (removed after a
# successful build), so the work tree gets no obj-* or debian/tmp.
#
# The server source (sql/*.h) is $MARIADB_SOURCE_DIR when set, else the tree
# a configure of build/ fetched (build/_deps/mariadb-src), else it is fetched
# there once with apt-get source.
set -euo pipefail

top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
out=$(realpath -m "${1:-$top/build/deb}")
# shellcheck source=../cmake/mariadb-pin.env
source "$top/cmake/mariadb-pin.env"
V=$MARIADB_DEB_VERSION
upstream=${V#*:}
upstream=${upstream%-*}

# --- build dependencies ----------------------------------------------------
# The server packages first and pinned: apt-get build-dep would otherwise take
# the newest mariadb-server-core (a security build whose source is not
# available), and the plugin must be compiled from the server's own source.
pinned=(mariadb-common mariadb-client-core mariadb-server-core libmariadb3 libmariadb-dev libmariadbd19
  libmariadbd-dev)
missing=()
for p in "${pinned[@]}"; do
  [[ $(dpkg-query -W -f='${Status} ${Version}' "$p" 2>/dev/null || true) == "install ok installed $V" ]] ||
    missing+=("$p=$V")
done
if ! dpkg-checkbuilddeps "$top/debian/control" 2>/dev/null || [[ ${#missing[@]} -gt 0 ]]; then
  if [[ $(id -u) -ne 0 ]]; then
    echo "build-deb: build dependencies are missing; run as root to install them:" >&2
    dpkg-checkbuilddeps "$top/debian/control" || true
    echo "  and ${missing[*]:-}" >&2
    exit 1
  fi
  export DEBIAN_FRONTEND=noninteractive
  apt_opts=(-y -qq --no-install-recommends -o DPkg::Lock::Timeout=600)
  if [[ ${#missing[@]} -gt 0 ]]; then
    apt-get install "${apt_opts[@]}" --allow-downgrades "${missing[@]}" >/dev/null
  fi
  dpkg-checkbuilddeps "$top/debian/control" 2>/dev/null || apt-get build-dep "${apt_opts[@]}" "$top" >/dev/null
fi

# --- the server source -----------------------------------------------------
src=${MARIADB_SOURCE_DIR:-$top/build/_deps/mariadb-src/mariadb-$upstream}
if [[ ! -f $src/VERSION ]]; then
  [[ -z ${MARIADB_SOURCE_DIR:-} ]] || { echo "build-deb: no server source in $src" >&2; exit 1; }
  cmake -DDEPS="$top/build/_deps/mariadb-src" -P "$top/cmake/fetch-mariadb-source.cmake"
fi
src=$(realpath "$src")

# --- the package -----------------------------------------------------------
# dpkg-buildpackage writes its results next to the tree it builds: a copy
# in $out/lockdiag puts them in $out, and obj-* out of the work tree.
rm -rf "$out/lockdiag"
mkdir -p "$out/lockdiag"
rm -f "$out"/mariadb-plugin-lockdiag*_*.deb "$out"/lockdiag_*.buildinfo "$out"/lockdiag_*.changes
excludes=(--exclude=./.git --exclude='./build*' --exclude=./.cache --exclude='./obj-*')
[[ $out != "$top"/* ]] || excludes+=("--exclude=./${out#"$top"/}")
tar -C "$top" "${excludes[@]}" -cf - . | tar -C "$out/lockdiag" -xf -
cd "$out/lockdiag"
start=$SECONDS
MARIADB_SOURCE_DIR=$src dpkg-buildpackage -b -us -uc -j"$(nproc)" >"$out/dpkg-buildpackage.log" 2>&1 ||
  { tail -40 "$out/dpkg-buildpackage.log" >&2; echo "build-deb: failed; log: $out/dpkg-buildpackage.log" >&2; exit 1; }
cd "$out"
rm -rf "$out/lockdiag"
echo "build-deb: built in $((SECONDS - start)) s:" >&2
ls -1 "$out"/*.deb >&2
