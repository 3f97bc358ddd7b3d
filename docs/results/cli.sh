# Sourced by the scripts of docs/results from the repository root: builds the CLI (Release) and sets
# cli=(dotnet COPY/DipDefense.Cli.dll) on a private copy of the build, removed when the script exits, so that a build
# during a long run cannot rewrite the assemblies the run has loaded (a test-project build copies into the CLI's bin;
# calibration.md section 15 lost a run that way). A script with its own EXIT trap adds "$cli_copy" to it.
dotnet build src/DipDefense.Cli -c Release -v q -nologo >/dev/null
cli_copy=$(mktemp -d)
trap 'rm -rf "$cli_copy"' EXIT
cp -r src/DipDefense.Cli/bin/Release/net10.0/. "$cli_copy"
cli=(dotnet "$cli_copy/DipDefense.Cli.dll")
