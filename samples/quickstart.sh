#!/usr/bin/env bash
# The demo in one command, on a fresh clone (no ../shared needed): packs each library into nuget/ when its package is
# missing or older than its sources (the samples consume the packages, never the projects), then runs
# samples/QuickStart on the shipped Fashion-MNIST victim and images. Arguments go to QuickStart, for example
#   samples/quickstart.sh --count 3 --iterations 20 --out /tmp/quickstart
set -euo pipefail
cd "$(dirname "$0")/.."

version=$(sed -n 's:.*<Version>\(.*\)</Version>.*:\1:p' Directory.Build.props)
for id in DipDefense DipDefense.MLNet; do
  package="nuget/$id.$version.nupkg"
  if [ ! -f "$package" ] || [ -n "$(find "src/$id" LICENSE Directory.Build.props Directory.Build.targets Directory.Packages.props \
        -newer "$package" -type f -not -path '*/bin/*' -not -path '*/obj/*' -print -quit)" ]; then
    echo "== packing $id into nuget/ ($package is missing or older than src/$id)"
    # One project of `dotnet pack DipDefense.MLNet.sln -c Release -o nuget`, without building the CLI and the tests.
    dotnet pack "src/$id/$id.csproj" -c Release -o nuget -nologo -v quiet
    touch "$package" # pack leaves a package whose inputs did not change as it is: mark it as checked
  fi
done

exec dotnet run --project samples/QuickStart -c Release -- "$@"
