#!/usr/bin/env bash
# Uploads a model folder for the GPU workers and prints its SHA-256 manifest.
#
#   infra/scripts/upload-model.sh --account ST --source DIR --name NAME            # blob (models container)
#   infra/scripts/upload-model.sh --account SM --source DIR --name NAME --share models  # Azure Files share
#   infra/scripts/upload-model.sh --source DIR --name NAME --dry-run                # manifest only
#
# The manifest, NAME/manifest.sha256, has one line per file in `sha256sum` format ("<hex>  <path>", paths
# relative to the folder, '/'-separated, byte-wise sorted). It is uploaded last, so a folder without it is
# an incomplete upload. The SHA-256 of the manifest itself pins the whole model version: pass it to the
# deployment as modelSha256 (MiniGpt5__ModelSha256); workers refuse a folder whose manifest differs.
#
# Blob uploads use your Entra ID login (--auth-mode login; you need Storage Blob Data Contributor on the
# account), so they work with Shared Key disabled. Share uploads use the share account's key, which az reads
# with your management-plane rights; the key is passed in the environment, never on a command line.
set -euo pipefail

account="" source_dir="" name="" container=models share="" dry_run=0 overwrite=false

usage() { sed -n '2,16p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; }
die() { echo "upload-model.sh: $*" >&2; exit 2; }

while [ $# -gt 0 ]; do
  case "$1" in
    --account) account=${2:?}; shift ;;
    --source) source_dir=${2:?}; shift ;;
    --name) name=${2:?}; shift ;;
    --container) container=${2:?}; shift ;;
    --share) share=${2:?}; shift ;;
    --overwrite) overwrite=true ;;
    --dry-run) dry_run=1 ;;
    -h|--help) usage; exit 0 ;;
    *) die "unknown argument '$1' (see --help)" ;;
  esac
  shift
done

[ -n "$source_dir" ] || die "--source DIR is required"
[ -d "$source_dir" ] || die "--source '$source_dir' is not a folder"
[ -n "$name" ] || die "--name is required (the folder name under the container or share, e.g. minigpt5-nano-v1)"
[[ "$name" =~ ^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$ ]] || die "--name '$name' may hold only letters, digits, '.', '_' and '-'"
[ "$dry_run" = 1 ] || [ -n "$account" ] || die "--account is required unless --dry-run"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
manifest="$work/manifest.sha256"

# Byte-wise path order (LC_ALL=C) makes the manifest, and so its hash, independent of locale and file system.
(
  cd "$source_dir"
  find . -type f ! -path './manifest.sha256' -print0 | LC_ALL=C sort -z | while IFS= read -r -d '' file; do
    rel=${file#./}
    case "$rel" in *$'\n'*|*\\*) die "file name '$rel' holds a newline or backslash; rename it" ;; esac
    hash=$(sha256sum -- "$file" | cut -d' ' -f1)
    printf '%s  %s\n' "$hash" "$rel"
  done
) >"$manifest"
[ -s "$manifest" ] || die "'$source_dir' holds no files"
manifest_sha=$(sha256sum "$manifest" | cut -d' ' -f1)
files=$(wc -l <"$manifest" | tr -d ' ')
bytes=$(find "$source_dir" -type f ! -path "$source_dir/manifest.sha256" -printf '%s\n' | awk '{s+=$1} END {print s+0}')

echo "# manifest.sha256 ($files files, $bytes bytes)"
cat "$manifest"
echo

if [ "$dry_run" = 0 ]; then
  command -v az >/dev/null 2>&1 || die "the Azure CLI (az) is not installed: https://aka.ms/azure-cli"
  if [ -z "$share" ]; then
    echo "Uploading to https://$account.blob.core.windows.net/$container/$name/ ..." >&2
    az storage blob upload-batch --auth-mode login --account-name "$account" \
      --destination "$container" --destination-path "$name" --source "$source_dir" \
      --pattern '*' --overwrite "$overwrite" --only-show-errors --output none
    az storage blob upload --auth-mode login --account-name "$account" \
      --container-name "$container" --name "$name/manifest.sha256" --file "$manifest" \
      --content-type 'text/plain; charset=utf-8' --overwrite "$overwrite" --only-show-errors --output none
  else
    echo "Uploading to //$account.file.core.windows.net/$share/$name/ ..." >&2
    AZURE_STORAGE_KEY=$(az storage account keys list --account-name "$account" --query '[0].value' --output tsv)
    export AZURE_STORAGE_KEY
    az storage directory create --account-name "$account" --share-name "$share" --name "$name" \
      --only-show-errors --output none
    az storage file upload-batch --account-name "$account" --destination "$share" \
      --destination-path "$name" --source "$source_dir" --only-show-errors --output none
    az storage file upload --account-name "$account" --share-name "$share" \
      --path "$name/manifest.sha256" --source "$manifest" --only-show-errors --output none
  fi
  echo "Uploaded." >&2
fi

echo "modelName=$name"
echo "modelSha256=$manifest_sha"
