#!/usr/bin/env bash
# CI: the musicrnn tool package as a new user gets it. Packs src/MusicRnn.Cli with the
# README's command, checks the package's metadata (version from Directory.Build.props, the
# package readme), installs it into a temporary tool path, and runs `musicrnn demo` with a
# tiny setting from a temporary folder outside the repository: it must exit 0 and write
# report.html, which also proves the installed tool loads libtorch (on Debian 12 that needs the
# GLIBCXX fix-up of build/TorchSharpGlibcxxFix.targets to have reached the packed library).
# Prints the package's size. Non-zero on any failure.
set -euo pipefail
cd "$(dirname "$0")/.."
repo="$PWD"

die() { echo "tool-package: error: $*" >&2; exit 1; }

tmp="$(mktemp -d /tmp/musicrnn-tool.XXXXXX)"
trap 'rm -rf "$tmp"' EXIT
version="$(sed -n 's:.*<Version>\(.*\)</Version>.*:\1:p' Directory.Build.props | head -n 1)"
[ -n "$version" ] || die "no <Version> in Directory.Build.props"

# The README's pack command, into a temporary folder instead of ./nupkg.
dotnet pack src/MusicRnn.Cli -c Release -o "$tmp/nupkg"
pkg="$tmp/nupkg/MusicRnn.Cli.$version.nupkg"
[ -f "$pkg" ] || die "dotnet pack did not write $pkg (found: $(ls "$tmp/nupkg"))"
bytes="$(stat -c %s "$pkg")"
echo "tool-package: $(basename "$pkg"): $(awk -v b="$bytes" 'BEGIN { printf "%.0f MB (%d bytes)", b / 1e6, b }')"

command -v python3 >/dev/null || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3 >/dev/null)
python3 - "$pkg" "$version" <<'EOF'
import re, sys, zipfile
pkg, version = sys.argv[1], sys.argv[2]
with zipfile.ZipFile(pkg) as z:
    names = set(z.namelist())
    nuspec = z.read("MusicRnn.Cli.nuspec").decode("utf-8-sig")
def field(tag):
    m = re.search(rf"<{tag}>(.*?)</{tag}>", nuspec, re.S)
    return m.group(1).strip() if m else ""
problems = []
if field("version") != version: problems.append(f"version {field('version')!r}, expected {version!r}")
if field("readme") != "README.md" or "README.md" not in names: problems.append("no package readme (README.md)")
for tag in ("description", "authors", "tags", "projectUrl"):
    if not field(tag): problems.append(f"no <{tag}>")
if '<repository type="git" url="' not in nuspec: problems.append("no <repository>")
if '<packageType name="DotnetTool"' not in nuspec: problems.append("not a DotnetTool package")
if problems: sys.exit("tool-package: error: MusicRnn.Cli.nuspec: " + "; ".join(problems))
print(f"tool-package: nuspec: version {version}, readme, description, authors, tags, project and repository URLs")
EOF

dotnet tool install --tool-path "$tmp/tools" --add-source "$tmp/nupkg" --version "$version" MusicRnn.Cli
musicrnn="$tmp/tools/musicrnn"
"$musicrnn" --version

# From a folder outside the repository, so nothing of the checkout can be picked up.
mkdir "$tmp/run"
case "$tmp/run" in "$repo"/*) die "$tmp/run is inside the repository" ;; esac
cd "$tmp/run"
"$musicrnn" demo --seconds 3 --epochs 1 --hidden 16 --archs rnn --layers 1 --sample-seconds 1 --quiet >demo.out \
  || { cat demo.out >&2; die "musicrnn demo (installed tool) failed"; }
[ -s musicrnn-demo/report.html ] || die "musicrnn demo exited 0 but wrote no musicrnn-demo/report.html"
grep -q '<audio' musicrnn-demo/report.html || die "musicrnn-demo/report.html has no sample player"
echo "tool-package: the installed musicrnn ran demo from $tmp/run and wrote musicrnn-demo/report.html ($(stat -c %s musicrnn-demo/report.html) bytes)"
