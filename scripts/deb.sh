#!/usr/bin/env bash
# Builds the Debian package, target/debian/maildoctor_<version>_<arch>.deb, with cargo-deb
# ([package.metadata.deb] in Cargo.toml): the stripped release binary in /usr/bin, the man page
# and the bash, zsh and fish completions as the just-built binary prints them (`maildoctor man`,
# `maildoctor completions SHELL`) in Debian's places, the README and the copyright file in
# /usr/share/doc/maildoctor; Depends computed by dpkg-shlibdeps, so libssl is named.
#
#   scripts/deb.sh           builds it and prints its path
#   scripts/deb.sh --check   then unpacks it into a scratch directory and checks what a user
#                            gets: its Depends, every file in its place, the binary stripped and
#                            running, the man page rendered by `man -l` without a warning, the
#                            completions loadable (CI runs this)
#
# Installs cargo-deb (the pinned version, with --locked) and, as root, dpkg-dev (and man-db for
# --check) when missing. Honours CARGO_TARGET_DIR: the package is written below the target
# directory cargo uses.
set -euo pipefail
cd "$(dirname "$0")/.."

CARGO_DEB_VERSION=3.8.0
CHECK=
case ${1:-} in
    "") ;;
    --check) CHECK=1 ;;
    *)
        echo "usage: $0 [--check]" >&2
        exit 2
        ;;
esac

fail() {
    echo "deb: $*" >&2
    exit 1
}

# Debian packages the script needs: installed as root, else named.
need=()
for pkg in dpkg-dev ${CHECK:+man-db}; do
    dpkg -s "$pkg" >/dev/null 2>&1 || need+=("$pkg")
done
if [ ${#need[@]} -gt 0 ]; then
    [ "$(id -u)" = 0 ] || fail "missing ${need[*]}: sudo apt-get install ${need[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
fi
if ! cargo deb --version >/dev/null 2>&1; then
    echo "deb: installing cargo-deb $CARGO_DEB_VERSION"
    cargo install --locked --quiet "cargo-deb@$CARGO_DEB_VERSION"
fi
have=$(cargo deb --version)
[ "$have" = "cargo-deb $CARGO_DEB_VERSION" ] \
    || echo "deb: warning: $have, not the pinned $CARGO_DEB_VERSION" >&2

TARGET=$(cargo metadata --format-version 1 --no-deps | sed -E 's/.*"target_directory":"([^"]*)".*/\1/')
VERSION=$(cargo metadata --format-version 1 --no-deps | sed -E 's/.*"name":"maildoctor","version":"([^"]*)".*/\1/')
[ -d "$TARGET" ] || mkdir -p "$TARGET"

echo "== cargo build --release --locked"
cargo build --release --locked
BIN=$TARGET/release/maildoctor
"$BIN" --version | grep -qxF "maildoctor $VERSION" || fail "$BIN is not maildoctor $VERSION"

# What the package installs beside the binary, printed by the binary itself.
ASSETS=$TARGET/release/deb
rm -rf "$ASSETS"
mkdir -p "$ASSETS"
"$BIN" man | gzip -9n >"$ASSETS/maildoctor.1.gz"
"$BIN" completions bash >"$ASSETS/maildoctor.bash"
"$BIN" completions zsh >"$ASSETS/_maildoctor"
"$BIN" completions fish >"$ASSETS/maildoctor.fish"

echo "== cargo deb --no-build"
DEB=$(cargo deb --no-build --locked --quiet)
[ -f "$DEB" ] || fail "cargo deb made no package (it said '$DEB')"
echo "deb: $DEB ($(du -k "$DEB" | cut -f1) KiB)"
[ -n "$CHECK" ] || exit 0

echo "== dpkg-deb -I $DEB"
dpkg-deb -I "$DEB"
depends=$(dpkg-deb -f "$DEB" Depends)
[[ $depends == *libssl* ]] || fail "Depends does not name libssl: '$depends'"
[[ $depends == *libc6* ]] || fail "Depends does not name libc6: '$depends'"

echo "== dpkg-deb -c $DEB"
dpkg-deb -c "$DEB"
ROOT=$(mktemp -d)
trap 'rm -rf "$ROOT"' EXIT
dpkg-deb -x "$DEB" "$ROOT"
for file in usr/bin/maildoctor usr/share/man/man1/maildoctor.1.gz \
    usr/share/bash-completion/completions/maildoctor usr/share/zsh/vendor-completions/_maildoctor \
    usr/share/fish/vendor_completions.d/maildoctor.fish usr/share/doc/maildoctor/README.md \
    usr/share/doc/maildoctor/copyright; do
    [ -s "$ROOT/$file" ] || fail "the package lacks /$file"
done

grep -q '^License: none' "$ROOT/usr/share/doc/maildoctor/copyright" \
    || fail "/usr/share/doc/maildoctor/copyright is not packaging/copyright"

echo "== the unpacked binary"
INSTALLED=$ROOT/usr/bin/maildoctor
[ -x "$INSTALLED" ] || fail "/usr/bin/maildoctor is not executable"
if command -v readelf >/dev/null; then
    readelf -S "$INSTALLED" >"$ROOT/sections"
    ! grep -qE '\.symtab|\.debug_' "$ROOT/sections" || fail "/usr/bin/maildoctor is not stripped"
fi
"$INSTALLED" --version
[ "$("$INSTALLED" --version)" = "maildoctor $VERSION" ] || fail "the unpacked binary is not maildoctor $VERSION"
# The README's first example: port 465 set to STARTTLS is an error, so it exits 2 on purpose.
status=0
"$INSTALLED" lint alice@outlook.com --smtp smtp.office365.com:465/starttls \
    >"$ROOT/lint.out" 2>&1 || status=$?
if [ "$status" != 2 ] || ! grep -q port-security-mismatch "$ROOT/lint.out"; then
    cat "$ROOT/lint.out" >&2
    fail "lint of the README's example exited $status, not 2 with port-security-mismatch"
fi
echo "lint of the README's example: exit 2 with port-security-mismatch, as it should"
cmp -s <("$INSTALLED" completions bash) "$ROOT/usr/share/bash-completion/completions/maildoctor" \
    || fail "the packaged bash completion is not what the packaged binary prints"
bash -c 'source "$1" && complete -p maildoctor' _ "$ROOT/usr/share/bash-completion/completions/maildoctor" \
    || fail "the bash completion does not load"

echo "== man -l /usr/share/man/man1/maildoctor.1.gz"
warnings=$(MANWIDTH=80 MANPAGER=cat man --warnings -l "$ROOT/usr/share/man/man1/maildoctor.1.gz" 2>&1 >"$ROOT/man.txt") \
    || fail "man -l failed: $warnings"
[ -z "$warnings" ] || fail "man -l warns: $warnings"
head -n 8 "$ROOT/man.txt"
grep -q 'EXIT STATUS' "$ROOT/man.txt" || fail "the rendered page has no EXIT STATUS"
echo "deb: $DEB checks out"
