#!/usr/bin/env bash
# Writes the package's /usr/share/doc/crier/copyright to stdout (deploy/build-deb.sh runs it).
#
#   deploy/debian/copyright.sh CHECKOUTS_DIR
#
# /usr/bin/crier links the Swift runtime, Foundation and every Swift package crier depends on into
# one binary, so their notices travel with it. The list of packages is read from CHECKOUTS_DIR
# (SwiftPM's checkouts/ of the build that made the binary), each with its resolved version and its
# license file: MIT texts are copied in full; Apache-2.0 is referred to in /usr/share/common-licenses.
set -euo pipefail

checkouts=${1:?usage: copyright.sh CHECKOUTS_DIR}
[[ -d $checkouts ]] || { echo "copyright.sh: $checkouts is not a directory" >&2; exit 1; }

indent() { sed -e 's/^[[:space:]]*$/./' -e 's/^/ /'; }   # Debian's continuation-line format

cat <<'HEAD'
crier — cross-channel post scheduler daemon

crier's own code: Copyright the crier authors. The crier repository does not name a license yet;
until it does, all rights are reserved by its authors.

/usr/bin/crier is one binary that contains, besides crier's own code, the following components.

Swift standard library, Swift Concurrency, Foundation (swift-corelibs-foundation, swift-foundation),
libdispatch — the Swift project's runtime libraries, linked in with --static-swift-stdlib:
 Copyright (c) Apple Inc. and the Swift project authors.
 Licensed under the Apache License, Version 2.0, with the Runtime Library Exception:
 .
   As an exception, if you use this Software to compile your source code and
   portions of this Software are embedded into the binary product as a result,
   you may redistribute such product without providing attribution as would
   otherwise be required by Sections 4(a), 4(b) and 4(d) of the License.
 .
 The full text of the Apache License 2.0 is in /usr/share/common-licenses/Apache-2.0.

ICU (Unicode data and algorithms, as Foundation's _FoundationICU):
 Copyright (c) 2016 and later Unicode, Inc. and others. Licensed under the Unicode License
 (https://www.unicode.org/copyright.html): permission is granted to use, copy, modify, merge,
 publish, distribute and/or sell copies of the data files and software, provided that this
 copyright and permission notice appear with all copies.
HEAD

for dir in "$checkouts"/*/; do
    dir=${dir%/}
    name=$(basename "$dir")
    version=$(git -C "$dir" describe --tags --always 2>/dev/null || echo unknown)
    license=""
    for f in LICENSE LICENSE.txt LICENSE.md COPYING; do
        [[ -f $dir/$f ]] && { license=$dir/$f; break; }
    done
    printf '\n%s %s (a Swift package crier is built with)\n' "$name" "$version"
    if [[ -z $license ]]; then
        printf ' No license file found in its source; see its repository.\n'
    elif grep -q 'Apache License' "$license" && grep -q 'Version 2.0' "$license"; then
        holder=$(grep -h -m1 -E '^Copyright ' "$dir/NOTICE.txt" 2>/dev/null || true)
        printf ' %s\n' "${holder:-Copyright the $name authors.}"
        printf ' Licensed under the Apache License, Version 2.0'
        if grep -q 'Runtime Library Exception' "$license"; then printf ', with the Runtime Library Exception above'; fi
        printf '.\n The full text is in /usr/share/common-licenses/Apache-2.0.\n'
    else
        indent <"$license"
    fi
    if [[ $name == swift-crypto ]]; then
        cat <<'BORINGSSL'
 swift-crypto contains a copy of BoringSSL (CCryptoBoringSSL), whose files are under the
 licenses stated in each of them: Apache-2.0 or ISC for most, the OpenSSL and original SSLeay
 licenses for older parts. This product includes cryptographic software written by
 Eric Young (eay@cryptsoft.com).
BORINGSSL
    fi
    if [[ $name == Yams ]]; then
        printf ' Yams contains a copy of libyaml (CYaml), Copyright (c) 2006-2016 Kirill Simonov,\n'
        printf ' Copyright (c) 2017-2020 Ingy döt Net, under the same MIT license.\n'
    fi
done
