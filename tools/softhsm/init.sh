#!/usr/bin/env bash
# Create a SoftHSM2 token holding the agency's organisation key and certificate (and the CA
# certificates of its chain), for tests and local development. Debian packages: softhsm2, opensc.
#
#   EDOC_PKCS11_PIN=1234 tools/softhsm/init.sh DIR org.key.pem org.cert.pem [ca.cert.pem ...]
#
# DIR gets softhsm2.conf and the token files; the last line printed is
#   export SOFTHSM2_CONF=DIR/softhsm2.conf
# which every process using the token needs in its environment (eval it).
#
# Environment (the same variables eDoc reads; only the PIN is required):
#   EDOC_PKCS11_PIN          user PIN of the new token (required, never printed)
#   EDOC_PKCS11_SO_PIN       security officer PIN (default: random, not kept)
#   EDOC_PKCS11_TOKEN_LABEL  token label (default: edoc-org)
#   EDOC_PKCS11_KEY_LABEL    label of the key and of its certificate (default: org)
#   EDOC_PKCS11_MODULE       PKCS#11 module (default: /usr/lib/softhsm/libsofthsm2.so)
#
# The key file must be an unencrypted PKCS#8 PEM ("BEGIN PRIVATE KEY"). PINs are passed to
# softhsm2-util and pkcs11-tool on their command lines: test tooling, not for production keys.
set -euo pipefail

if [ "$#" -lt 3 ]; then
  sed -n '2,21p' "$0" >&2
  exit 2
fi
dir=$1
key=$2
cert=$3
shift 3

pin=${EDOC_PKCS11_PIN:?EDOC_PKCS11_PIN is required}
so_pin=${EDOC_PKCS11_SO_PIN:-$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')}
label=${EDOC_PKCS11_TOKEN_LABEL:-edoc-org}
key_label=${EDOC_PKCS11_KEY_LABEL:-org}
module=${EDOC_PKCS11_MODULE:-/usr/lib/softhsm/libsofthsm2.so}

for tool in softhsm2-util pkcs11-tool openssl; do
  command -v "$tool" >/dev/null || { echo "init.sh: $tool is missing (apt-get install softhsm2 opensc openssl)" >&2; exit 1; }
done
[ -r "$module" ] || { echo "init.sh: PKCS#11 module $module not found" >&2; exit 1; }

dir=$(mkdir -p "$dir" && cd "$dir" && pwd)
mkdir -p "$dir/tokens"
cat > "$dir/softhsm2.conf" <<CONF
directories.tokendir = $dir/tokens
objectstore.backend = file
log.level = ERROR
slots.removable = false
CONF
export SOFTHSM2_CONF="$dir/softhsm2.conf"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

softhsm2-util --init-token --free --label "$label" --pin "$pin" --so-pin "$so_pin" >/dev/null
softhsm2-util --import "$key" --token "$label" --label "$key_label" --id 01 --pin "$pin" >/dev/null

write_cert() {  # PEM file, label, hex id
  openssl x509 -in "$1" -outform DER -out "$work/cert.der"
  pkcs11-tool --module "$module" --token-label "$label" --login --pin "$pin" \
    --write-object "$work/cert.der" --type cert --label "$2" --id "$3" >/dev/null
}
write_cert "$cert" "$key_label" 01
index=2
for ca in "$@"; do
  write_cert "$ca" "ca-$index" "$(printf '%02x' "$index")"
  index=$((index + 1))
done

echo "token '$label' ready: key and certificate '$key_label', $(($# )) CA certificate(s)" >&2
echo "export SOFTHSM2_CONF=$dir/softhsm2.conf"
