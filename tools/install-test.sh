#!/usr/bin/env bash
# make install-test: checks a release in dist/ (make release-snapshot) the
# way the Terraform and OpenTofu registries read it, then installs it as
# users do: a filesystem mirror holding the zips, a CLI configuration with
# no development override, and a plain `init` of the quick start, whose
# version constraint must select the release; then the quick start's apply
# against winsim and a second, empty plan (tools/demo.sh). Then an init
# through the registry protocol (tools/testregistry), where the CLI checks
# the signature, one from a network mirror that `providers mirror` filled,
# and one after `make install`. Under OpenTofu, and under
# Terraform too when `terraform` is on PATH.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
dist="${1:-$root/dist}"
name=terraform-provider-rdslicensing
work="$(mktemp -d)"
registry_pid=""
trap '[ -z "$registry_pid" ] || kill "$registry_pid" 2>/dev/null || true; gpgconf --homedir "$work/gnupg" --kill gpg-agent >/dev/null 2>&1 || true; rm -rf "$work"' EXIT
fail() { echo "install-test: $*" >&2; exit 1; }

sums="$(ls "$dist"/${name}_*_SHA256SUMS 2>/dev/null || true)"
[ "$(echo "$sums" | grep -c .)" = 1 ] || fail "want one ${name}_<version>_SHA256SUMS in $dist, found: ${sums:-none}"
version="$(basename "$sums")"
version="${version#"${name}_"}"
version="${version%_SHA256SUMS}"
echo "==> Checking the release $version in $dist"

# The checksums cover every zip and the manifest, under their release names.
manifest="${name}_${version}_manifest.json"
[ -f "$dist/$manifest" ] || fail "no $manifest"
grep -q '"protocol_versions": *\[ *"6.0" *\]' "$dist/$manifest" || fail "$manifest does not declare protocol_versions [\"6.0\"]"
zips=("$dist"/${name}_"${version}"_*.zip)
[ -f "${zips[0]}" ] || fail "no zips"
listed="$(awk '{ print $2 }' "$sums" | sort)"
want="$( (for z in "${zips[@]}"; do basename "$z"; done; echo "$manifest") | sort)"
[ "$listed" = "$want" ] || fail "$(basename "$sums") lists:
$listed
want:
$want"
(cd "$dist" && sha256sum --check --strict --quiet "$(basename "$sums")") || fail "checksums do not match"

# A binary detached signature (the registries take no armoured one) by the
# key that signed the release.
sig="$sums.sig"
[ -f "$sig" ] || fail "no $(basename "$sig")"
if head -c 5 "$sig" | grep -q -- '-----'; then fail "$(basename "$sig") is ASCII-armoured; the registries want a binary signature"; fi
mkdir -m 700 "$work/gnupg"
gpg --homedir "$work/gnupg" --batch --quiet --import "$dist/snapshot-signing-key.asc"
gpg --homedir "$work/gnupg" --batch --verify "$sig" "$sums" 2>"$work/verify.log" || { cat "$work/verify.log"; fail "bad signature"; }
echo "signature good: $(grep -o 'using .*' "$work/verify.log" | head -n 1)"

# Each zip holds the binary the registries name, with the version stamped.
for z in "${zips[@]}"; do
  platform="$(basename "$z" .zip)"
  platform="${platform#"${name}_${version}_"}"
  case "$platform" in
    *_*) ;;
    *) fail "$(basename "$z"): want ${name}_${version}_<os>_<arch>.zip" ;;
  esac
  bin="${name}_v${version}"
  case "$platform" in windows_*) bin="$bin.exe" ;; esac
  unzip -Z1 "$z" | grep -qx "$bin" || fail "$(basename "$z") does not hold $bin"
done
here="$(go env GOOS)_$(go env GOARCH)"
[ -f "$dist/${name}_${version}_${here}.zip" ] || fail "no zip for this machine ($here)"
unzip -q -d "$work/bin" "$dist/${name}_${version}_${here}.zip"
stamped="$("$work/bin/${name}_v${version}" -version)"
[ "$stamped" = "$version" ] || fail "the binary says it is version \"$stamped\", want $version (-X main.version)"
echo "${#zips[@]} zip(s), each with ${name}_v${version} (.exe on Windows); version stamped"

# A filesystem mirror in the packed layout: HOSTNAME/NAMESPACE/TYPE/<zip>,
# under both registries' host names (`rdslicensing/rdslicensing` means
# registry.terraform.io to Terraform and registry.opentofu.org to OpenTofu).
for host in registry.terraform.io registry.opentofu.org; do
  mkdir -p "$work/mirror/$host/rdslicensing/rdslicensing"
  cp "${zips[@]}" "$work/mirror/$host/rdslicensing/rdslicensing/"
done

# The CLI configuration that docs/index.md gives for a private mirror,
# pointed at this one.
sed -n '/^   ```hcl$/,/^   ```$/p' templates/index.md.tmpl | sed '1d;$d;s/^   //' |
  sed "s#/opt/terraform/providers#$work/mirror#" > "$work/mirror.tfrc"
grep -q "filesystem_mirror" "$work/mirror.tfrc" || fail "no mirror configuration found in templates/index.md.tmpl"

clis=("$(realpath "${TOFU:-$root/.tools/bin/tofu}")")
if command -v terraform >/dev/null 2>&1; then clis+=("$(command -v terraform)"); fi
ran=()
for cli in "${clis[@]}"; do
  echo
  echo "==> Installing from the mirror with $(TF_CLI_CONFIG_FILE=/dev/null "$cli" version | sed -n 1p)"
  DEMO_CLI="$cli" DEMO_TFRC="$work/mirror.tfrc" tools/demo.sh
  # init chose the release from the mirror, as the constraint asked.
  grep -Eq "Install(ing|ed) rdslicensing/rdslicensing v${version}" .demo/init.log ||
    fail "init did not install rdslicensing/rdslicensing v${version} from the mirror"
  grep -q "version *= *\"${version}\"" .demo/examples/quickstart/.terraform.lock.hcl ||
    fail "the lock file does not record version ${version}"
  ran+=("$(TF_CLI_CONFIG_FILE=/dev/null "$cli" version | sed -n 1p)")
done

# Through the provider registry protocol (tools/testregistry, HTTPS on
# loopback, standing in for registry.terraform.io and registry.opentofu.org
# through `host` blocks): the CLI checks the zip against the SHA256SUMS and
# the SHA256SUMS against its signature and the signing key, as it does for
# a published release.
echo
echo "==> init through the registry protocol, signature checked by the CLI"
keyid="$(gpg --homedir "$work/gnupg" --batch --with-colons --list-keys | awk -F: '$1 == "pub" { print $5; exit }')"
go build -o "$work/testregistry" ./tools/testregistry
mkdir "$work/netmirror"
"$work/testregistry" -dist "$dist" -key "$dist/snapshot-signing-key.asc" -key-id "$keyid" -mirror "$work/netmirror" \
  -cert-out "$work/registry.pem" -ready-file "$work/registry.url" 2>"$work/registry.log" &
registry_pid=$!
for _ in $(seq 1 100); do [ -s "$work/registry.url" ] && break; sleep 0.1; done
[ -s "$work/registry.url" ] || { cat "$work/registry.log"; fail "the test registry did not start"; }
url="$(cat "$work/registry.url")"
cat > "$work/registry.tfrc" <<TFRC
host "registry.terraform.io" {
  services = { "providers.v1" = "$url/v1/providers/" }
}
host "registry.opentofu.org" {
  services = { "providers.v1" = "$url/v1/providers/" }
}
TFRC
sum="$(awk -v f="${name}_${version}_${here}.zip" '$2 == f { print $1 }' "$sums")"
cp -r examples "$work/registry-examples"
for cli in "${clis[@]}"; do
  q="$work/registry-examples/quickstart"
  rm -rf "$q/.terraform" "$q/.terraform.lock.hcl"
  (cd "$q" && SSL_CERT_FILE="$work/registry.pem" TF_CLI_CONFIG_FILE="$work/registry.tfrc" CHECKPOINT_DISABLE=1 \
    "$cli" init -input=false -no-color >"$work/init-registry.log" 2>&1) || { cat "$work/init-registry.log" "$work/registry.log"; fail "init through the registry protocol failed"; }
  grep -Eq "Installed rdslicensing/rdslicensing v${version} \((self-)?signed" "$work/init-registry.log" ||
    { cat "$work/init-registry.log"; fail "init did not report v${version} as signed"; }
  grep -q "zh:${sum}" "$q/.terraform.lock.hcl" ||
    { cat "$q/.terraform.lock.hcl"; fail "the lock file does not record the SHA256SUMS hash of the zip"; }
  echo "$(basename "$cli"): $(grep -o "Installed rdslicensing/rdslicensing.*" "$work/init-registry.log")"
done

# The private mirror as docs/index.md fills it, `providers mirror` (here
# from the registry above), served over HTTPS as a network mirror.
echo
echo "==> providers mirror, then init from it as a network mirror"
cat > "$work/netmirror.tfrc" <<TFRC
provider_installation {
  network_mirror {
    url = "$url/mirror/"
  }
}
TFRC
for cli in "${clis[@]}"; do
  # In the directory of docs/index.md's example, which requires the provider.
  (cd "$work/registry-examples/provider" && SSL_CERT_FILE="$work/registry.pem" TF_CLI_CONFIG_FILE="$work/registry.tfrc" CHECKPOINT_DISABLE=1 \
    "$cli" providers mirror -platform="$here" "$work/netmirror" >"$work/mirror.log" 2>&1) || { cat "$work/mirror.log"; fail "providers mirror failed"; }
done
for host in registry.terraform.io registry.opentofu.org; do
  [ -f "$work/netmirror/$host/rdslicensing/rdslicensing/index.json" ] || { ls -R "$work/netmirror"; fail "providers mirror wrote no index for $host"; }
done
for cli in "${clis[@]}"; do
  rm -rf "$q/.terraform" "$q/.terraform.lock.hcl"
  (cd "$q" && SSL_CERT_FILE="$work/registry.pem" TF_CLI_CONFIG_FILE="$work/netmirror.tfrc" CHECKPOINT_DISABLE=1 \
    "$cli" init -input=false -no-color >"$work/init-netmirror.log" 2>&1) || { cat "$work/init-netmirror.log"; fail "init from the network mirror failed"; }
  grep -q "Installed rdslicensing/rdslicensing v${version}" "$work/init-netmirror.log" ||
    { cat "$work/init-netmirror.log"; fail "init from the network mirror did not install v${version}"; }
  echo "$(basename "$cli"): $(grep -o "Installed rdslicensing/rdslicensing.*" "$work/init-netmirror.log") from the network mirror"
done

# From a clone of the repository: `make install`, then a plain init with no
# CLI configuration at all finds it (the implicit local mirror).
echo
echo "==> make install, then init with no CLI configuration"
make -s install PLUGIN_DIR="$work/home/.terraform.d/plugins" VERSION="$version" >/dev/null
cp -r examples "$work/examples"
for cli in "${clis[@]}"; do
  rm -rf "$work/examples/quickstart/.terraform" "$work/examples/quickstart/.terraform.lock.hcl"
  (cd "$work/examples/quickstart" &&
    env -u TF_CLI_CONFIG_FILE -u TF_PLUGIN_CACHE_DIR HOME="$work/home" CHECKPOINT_DISABLE=1 \
      "$cli" init -input=false -no-color >"$work/init-local.log" 2>&1) || { cat "$work/init-local.log"; fail "init after make install failed"; }
  grep -q "Installed rdslicensing/rdslicensing v${version}" "$work/init-local.log" ||
    { cat "$work/init-local.log"; fail "init after make install did not install v${version}"; }
  echo "$(basename "$cli"): installed rdslicensing/rdslicensing v${version} from ~/.terraform.d/plugins"
done

echo
echo "install-test: release ${version} installed from a filesystem mirror and applied, through the registry protocol, from a network mirror and after make install, with: $(IFS=,; echo "${ran[*]}" | sed 's/,/, /g')"
