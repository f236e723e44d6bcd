#!/usr/bin/env bash
# make release-snapshot: the release archives as a release builds them
# (.goreleaser.yml), into dist/, signed with a throwaway GPG key made for
# this run in a temporary GNUPGHOME (its public key is left in
# dist/snapshot-signing-key.asc so that tests can check the signature; the
# secret key is deleted). RELEASE_LINUX_AMD64_ONLY=1 builds linux_amd64
# only; SNAPSHOT_VERSION sets the version (default: CHANGELOG.md's newest).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
goreleaser="${GORELEASER:-$root/.tools/bin/goreleaser}"

version="${SNAPSHOT_VERSION:-$(sed -n 's/^## \([0-9][0-9.]*\) .*/\1/p' CHANGELOG.md | head -n 1)}"
[ -n "$version" ] || { echo "no version: set SNAPSHOT_VERSION or add a '## X.Y.Z' section to CHANGELOG.md" >&2; exit 1; }
export SNAPSHOT_VERSION="$version"

GNUPGHOME="$(mktemp -d)"
export GNUPGHOME
trap 'gpgconf --kill gpg-agent >/dev/null 2>&1 || true; rm -rf "$GNUPGHOME"' EXIT
# RSA: the registries take RSA and DSA signing keys.
gpg --batch --quiet --passphrase '' --quick-gen-key \
  "terraform-provider-rdslicensing snapshot (throwaway) <snapshot@rdslicensing.invalid>" rsa3072 sign 1d
GPG_FINGERPRINT="$(gpg --batch --list-secret-keys --with-colons | awk -F: '$1 == "fpr" { print $10; exit }')"
export GPG_FINGERPRINT

echo "==> GoReleaser snapshot $version${RELEASE_LINUX_AMD64_ONLY:+ (linux_amd64 only)}, signed with throwaway key $GPG_FINGERPRINT"
"$goreleaser" release --snapshot --clean

# A release uploads the manifest under this name (release.extra_files); a
# snapshot publishes nothing, so put it beside the archives here.
cp terraform-registry-manifest.json "dist/terraform-provider-rdslicensing_${version}_manifest.json"
gpg --batch --armor --export "$GPG_FINGERPRINT" > dist/snapshot-signing-key.asc
echo "==> dist/:"
ls -1 dist/*.zip dist/*_SHA256SUMS* dist/*_manifest.json dist/snapshot-signing-key.asc
