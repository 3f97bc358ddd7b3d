#!/usr/bin/env bash
# Fetches Fashion-MNIST from the Debian package dataset-fashion-mnist without root:
# `apt-get download` the .deb and unpack it with `dpkg -x` into a folder of your choice.
#
# Usage: tools/fetch-fashion-mnist.sh [DIR]      (default DIR: artifacts/fashion-mnist)
# Prints the folder holding the idx .gz files (train-images-idx3-ubyte.gz, t10k-images-idx3-ubyte.gz, ...)
# on stdout; everything else goes to stderr. Running it again reuses what is already there.
set -euo pipefail

dir="${1:-artifacts/fashion-mnist}"
package=dataset-fashion-mnist
data_subdir=usr/share/datasets/fashion-mnist

find_data() {
    local found
    found=$(find "$dir/root" -name 't10k-images-idx3-ubyte.gz' -print -quit 2>/dev/null || true)
    [ -n "$found" ] && dirname "$found"
}

if folder=$(find_data) && [ -n "$folder" ]; then
    echo "fetch-fashion-mnist: already unpacked in $dir/root" >&2
else
    for tool in apt-get dpkg; do
        command -v "$tool" >/dev/null || { echo "fetch-fashion-mnist: '$tool' not found; this script needs Debian or Ubuntu." >&2; exit 1; }
    done
    mkdir -p "$dir/root"
    # apt-get download writes to the current folder and needs no root, but it needs the package lists.
    if ! (cd "$dir" && apt-get download "$package" >&2); then
        echo "fetch-fashion-mnist: 'apt-get download $package' failed; the package lists may be missing or stale: run 'sudo apt-get update' (or as root: apt-get update) and try again." >&2
        exit 1
    fi
    deb=$(ls -t "$dir"/${package}_*.deb | head -n 1)
    dpkg -x "$deb" "$dir/root"
    echo "fetch-fashion-mnist: unpacked $(basename "$deb") into $dir/root" >&2
    folder=$(find_data) || true
    if [ -z "$folder" ]; then
        echo "fetch-fashion-mnist: $deb holds no t10k-images-idx3-ubyte.gz (expected under $data_subdir)." >&2
        exit 1
    fi
fi

version=$(ls "$dir"/${package}_*.deb 2>/dev/null | head -n 1 | sed -E "s/.*${package}_([^_]+)_.*/\1/" || true)
[ -n "$version" ] && echo "fetch-fashion-mnist: $package version $version" >&2
ls -l "$folder" >&2
cd "$folder" && pwd
