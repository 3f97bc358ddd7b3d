#!/usr/bin/env bash
# The demo in one command, on a fresh clone (no ../shared needed): packs the two libraries into nuget/ when nuget/ lacks
# the packages of the current sources (the samples consume the packages, never the projects), then runs
# samples/QuickStart on the shipped Fashion-MNIST victim and images. Arguments go to QuickStart, for example
#   samples/quickstart.sh --count 3 --iterations 20 --out /tmp/quickstart
# Local packs are versioned 0.1.0-local-<stamp>, the stamp a hash of the library sources (Directory.Build.targets,
# docs/packaging.md#versions): the version of the current sources says whether nuget/ is up to date, and a copy of
# DipDefense that an application of your own put into the NuGet cache never stands in for a newer pack.
set -euo pipefail
cd "$(dirname "$0")/.."

# The version the current sources pack to (the target only hashes files: a second or two, no build).
version=$(dotnet msbuild src/DipDefense/DipDefense.csproj -nologo -t:DipDefenseLocalVersion -getProperty:Version)
missing=""
for id in DipDefense DipDefense.MLNet; do
  [ -f "nuget/$id.$version.nupkg" ] || missing="$missing nuget/$id.$version.nupkg"
done
if [ -n "$missing" ] || [ "$(cat nuget/DipDefense.version 2>/dev/null)" != "$version" ]; then
  echo "== packing DipDefense and DipDefense.MLNet $version into nuget/ (the packages of the current sources are missing:${missing:- nuget/DipDefense.version names another version})"
  # The two library projects of `dotnet pack DipDefense.MLNet.sln -c Release -o nuget`, without building the CLI and the tests.
  for id in DipDefense DipDefense.MLNet; do
    dotnet pack "src/$id/$id.csproj" -c Release -o nuget -nologo -v quiet
  done
fi

exec dotnet run --project samples/QuickStart -c Release -- "$@"
