#!/usr/bin/env bash
# The install tree and the Debian package as a user gets them: `cmake --install` into a
# prefix, then cpack's .deb read with dpkg-deb (control fields, Depends, file list), extracted,
# and its strata, man page and completion scripts used. Nothing is installed on this machine.
#   check_package.sh BINARY_DIR VERSION CMAKE CPACK
set -euo pipefail
BIN=$1 VERSION=$2 CMAKE=$3 CPACK=$4

TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
has_line() {  # has_line TEXT REGEX WHAT
  grep -Eq -- "$2" <<<"$1" || { printf '%s\n' "$1" >&2; fail "$3"; }
}

# cmake --install: the plain man page, the completions, the examples.
"$CMAKE" --install "$BIN" --prefix "$TMP/local" >"$TMP/install.log" || { cat "$TMP/install.log"; fail "cmake --install"; }
for f in bin/strata share/man/man1/strata.1 share/bash-completion/completions/strata \
         share/zsh/vendor-completions/_strata share/fish/vendor_completions.d/strata.fish \
         share/doc/strata/examples/quickstart/strata.yaml; do
  [ -f "$TMP/local/$f" ] || fail "cmake --install did not install $f"
done
[ ! -e "$TMP/local/share/man/man1/strata.1.gz" ] || fail "cmake --install installed the package's strata.1.gz too"

# cpack: one .deb named as Debian names packages.
"$CPACK" --config "$BIN/CPackConfig.cmake" -B "$TMP/out" >"$TMP/cpack.log" 2>&1 || { cat "$TMP/cpack.log"; fail "cpack"; }
DEB="$TMP/out/strata_${VERSION}_$(dpkg --print-architecture).deb"
[ -f "$DEB" ] || { ls "$TMP/out"; fail "no $(basename "$DEB")"; }

INFO=$(dpkg-deb -I "$DEB")
has_line "$INFO" "^ Package: strata$" "Package field"
has_line "$INFO" "^ Version: ${VERSION}$" "Version field"
has_line "$INFO" "^ Section: admin$" "Section field"
has_line "$INFO" "^ Maintainer: .+<.+@.+>$" "Maintainer field"
has_line "$INFO" "^ Description: .+" "Description field"
# Depends comes from dpkg-shlibdeps: every library strata links, from Debian's packages.
DEPENDS=$(grep '^ Depends:' <<<"$INFO") || fail "no Depends field"
# The libraries loaded at their first use (base/lazy_library.h) are named by hand.
for lib in libc6 libstdc\\+\\+6 libjavascriptcoregtk-4\\.1-0 libgit2- libyaml-cpp libssl3 libcurl4 libpq5 libarchive13 libsqlite3-0; do
  has_line "$DEPENDS" "[:,] $lib" "Depends lacks $lib"
done

FILES=$(dpkg-deb -c "$DEB")
for f in usr/bin/strata usr/libexec/strata/strata-supervise usr/share/man/man1/strata.1.gz usr/share/bash-completion/completions/strata \
         usr/share/zsh/vendor-completions/_strata usr/share/fish/vendor_completions.d/strata.fish \
         usr/share/doc/strata/examples/quickstart/strata.yaml; do
  has_line "$FILES" " \./$f$" "the package lacks /$f"
done
if grep -Eq '/\.strata/|\.tfstate|/\.terraform/|usr/share/man/man1/strata\.1$' <<<"$FILES"; then
  printf '%s\n' "$FILES" >&2
  fail "the package holds a work dir, state or an uncompressed man page"
fi

# Extracted: the binary runs, the man page renders, the completions load.
dpkg-deb -x "$DEB" "$TMP/root"
ROOT="$TMP/root"
VERSION_OUT=$("$ROOT/usr/bin/strata" --version)
has_line "$VERSION_OUT" "^strata ${VERSION} " "strata --version printed '$VERSION_OUT'"
# The engine supervisor, where strata looks for it (../libexec/strata beside usr/bin).
SUPERVISE_OUT=$("$ROOT/usr/libexec/strata/strata-supervise" 2>&1) && fail "strata-supervise without arguments exited 0"
has_line "$SUPERVISE_OUT" "for strata's own use" "strata-supervise printed '$SUPERVISE_OUT'"

MAN=$(LC_ALL=C MANWIDTH=100 man --warnings -l "$ROOT/usr/share/man/man1/strata.1.gz" 2>"$TMP/man.err")
[ ! -s "$TMP/man.err" ] || { cat "$TMP/man.err"; fail "man -l warned"; }
has_line "$MAN" "^NAME" "man page without NAME"
has_line "$MAN" "strata plan" "man page without strata plan"

COMPLETE=$(PATH="$ROOT/usr/bin:$PATH" bash --norc --noprofile -c '
  source "$1"
  complete -p strata
  COMP_WORDS=(strata pl); COMP_CWORD=1; _strata; printf "candidate %s\n" "${COMPREPLY[@]}"' \
  _ "$ROOT/usr/share/bash-completion/completions/strata")
has_line "$COMPLETE" "^complete .*-F _strata strata$" "bash completion not registered"
has_line "$COMPLETE" "^candidate plan$" "bash completion of 'strata pl' lacks plan"
if command -v zsh >/dev/null; then zsh -n "$ROOT/usr/share/zsh/vendor-completions/_strata" || fail "zsh -n _strata"; fi
if command -v fish >/dev/null; then fish -n "$ROOT/usr/share/fish/vendor_completions.d/strata.fish" || fail "fish -n strata.fish"; fi

echo "ok: $(basename "$DEB"): $DEPENDS"
