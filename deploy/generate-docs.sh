#!/usr/bin/env bash
# Generates crier's man pages and shell completions from the argument parser's own definitions,
# so they cannot drift from the binary:
#
#   deploy/generate-docs.sh BINARY OUTDIR [--scratch-path DIR] [--date YYYY-MM-DD]
#
#   OUTDIR/man/crier.1, crier-run.1, crier-check.1, … one page per subcommand (mdoc), written by
#       swift-argument-parser's `generate-manual` tool from `BINARY --experimental-dump-help`
#       (and renamed to Debian's convention for subcommand pages, see below);
#   OUTDIR/completions/crier.bash, _crier (zsh), crier.fish, from
#       `BINARY --generate-completion-script bash|zsh|fish`.
#
# Why not `swift package generate-manual` (the plugin)? The plugin first builds every product of the
# package in release mode, crier-bench included and without --static-swift-stdlib, i.e. a second
# full release build (~10 min on 2 cores) of things the package does not ship. This script builds
# only the tool the plugin runs, `generate-manual`, from the swift-argument-parser that this package
# resolved (so its version is Package.resolved's), in DIR/generate-manual (about a minute, once),
# and runs it on the binary that goes into the package.
#
# --scratch-path DIR is the SwiftPM scratch path whose checkouts/ holds swift-argument-parser
# (default: .build). --date sets the pages' date (default: the last commit's date, so that
# rebuilding the same commit gives the same pages).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/.." && pwd)

die() { printf 'generate-docs: error: %s\n' "$*" >&2; exit 1; }
usage() { sed -n '2,21s/^# \{0,1\}//p' "${BASH_SOURCE[0]}"; }

scratch=$repo/.build
date=""
positional=()
while (($#)); do
    case $1 in
        --scratch-path) [[ $# -ge 2 ]] || die "--scratch-path needs a directory"; scratch=$2; shift ;;
        --date) [[ $# -ge 2 ]] || die "--date needs YYYY-MM-DD"; date=$2; shift ;;
        -h|--help) usage; exit 0 ;;
        -*) die "unknown option '$1'" ;;
        *) positional+=("$1") ;;
    esac
    shift
done
((${#positional[@]} == 2)) || { usage >&2; exit 2; }
binary=$(cd "$(dirname "${positional[0]}")" && pwd)/$(basename "${positional[0]}")
out=${positional[1]}
[[ -x $binary ]] || die "$binary is not an executable"
[[ $scratch == /* ]] || scratch=$repo/$scratch
if [[ -z $date ]]; then
    date=$(git -C "$repo" log -1 --format=%cd --date=format:%Y-%m-%d 2>/dev/null || date -u +%Y-%m-%d)
fi

# --- the generate-manual tool -------------------------------------------------------------------
# The checkout SwiftPM resolved for this package (Package.resolved's version).
parser_path=$scratch/checkouts/swift-argument-parser
[[ -d $parser_path ]] || (cd "$repo" && swift package --scratch-path "$scratch" resolve)
[[ -d $parser_path ]] || die "no swift-argument-parser checkout in $scratch/checkouts (is it still a dependency?)"
parser_version=$(git -C "$parser_path" describe --tags --always 2>/dev/null || echo unknown)
[[ -f $parser_path/Tools/generate-manual/GenerateManual.swift ]] ||
    die "swift-argument-parser $parser_version at $parser_path has no Tools/generate-manual"

# Built from a copy: building inside SwiftPM's own checkout would leave files in it.
tool_dir=$scratch/generate-manual
tool_src=$tool_dir/src-$parser_version
if [[ ! -f $tool_src/Package.swift ]]; then
    rm -rf "$tool_dir"
    mkdir -p "$tool_dir"
    cp -R "$parser_path" "$tool_src.tmp"
    rm -rf "$tool_src.tmp/.git"
    mv "$tool_src.tmp" "$tool_src"
fi
echo "generate-docs: building generate-manual from swift-argument-parser $parser_version (once per version)"
swift build --package-path "$tool_src" --scratch-path "$tool_dir/build" --product generate-manual
tool=$(swift build --package-path "$tool_src" --scratch-path "$tool_dir/build" --product generate-manual --show-bin-path)/generate-manual
[[ -x $tool ]] || die "generate-manual was built but $tool is missing"

# --- the pages and completions -----------------------------------------------------------------------
rm -rf "$out/man" "$out/completions" "$out/mdoc"
mkdir -p "$out/man" "$out/completions" "$out/mdoc"
"$tool" "$binary" --multi-page --section 1 --date "$date" --output-directory "$out/mdoc"

# generate-manual names a subcommand's page crier.run.1 with the NAME line `.Nm "crier run"`, which
# man-db's lexgrog (so whatis/apropos, and lintian's bad-whatis-entry) cannot parse: a page's name
# must be one word. Debian's convention for subcommand pages (git-commit(1), podman-run(1)) is a
# dashed name, so each page becomes crier-run.1 with `.Nm crier-run` in NAME, while the SYNOPSIS and
# EXIT STATUS keep the command as typed (`crier run`); cross-references follow the new names, the
# quotes around the one-line description (which whatis would show) go, and a subcommand's page
# refers back to crier(1).
for page in "$out/mdoc"/*.1; do
    name=$(sed -n 's/^\.Nm "\{0,1\}\([^"]*\)"\{0,1\}$/\1/p' "$page" | head -n 1)
    [[ -n $name ]] || die "$(basename "$page") has no .Nm line; generate-manual's output changed"
    dashed=${name// /-}
    awk -v name="$name" -v dashed="$dashed" '
        /^\.Sh / { section = $0; if ($0 ~ /SEE ALSO/) see_also = 1 }
        /^\.Dt / { print ".Dt " toupper(dashed) " " $3; next }
        section == ".Sh NAME" && /^\.Nm/ { print ".Nm " dashed; next }
        /^\.Nd "/ { sub(/^\.Nd "/, ".Nd "); sub(/"$/, "") }
        section == ".Sh SYNOPSIS" && $0 == ".Nm" && !synopsis { print ".Nm \"" name "\""; synopsis = 1; next }
        $0 == ".Ex -std" { print ".Ex -std \"" name "\""; next }
        /^\.Xr [^ ]+ [0-9]/ { gsub(/\./, "-", $2) }
        { print }
        END { if (!see_also && name != dashed) { print ".Sh \"SEE ALSO\""; print ".Xr crier 1" } }
    ' "$page" >"$out/man/$dashed.1"
done

"$binary" --generate-completion-script bash >"$out/completions/crier.bash"
"$binary" --generate-completion-script zsh >"$out/completions/_crier"
"$binary" --generate-completion-script fish >"$out/completions/crier.fish"
# bash-completion sources its files; a #! line would only suggest the file is meant to be run.
sed -i '1{/^#!/d}' "$out/completions/crier.bash"

pages=$(cd "$out/man" && ls)
[[ -f $out/man/crier.1 ]] || die "generate-manual wrote no crier.1 (wrote: ${pages:-nothing})"
for f in "$out"/completions/*; do [[ -s $f ]] || die "$f is empty"; done
echo "generate-docs: $(printf '%s\n' "$pages" | wc -l) man pages and 3 completion scripts in $out"
