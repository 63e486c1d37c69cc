#!/bin/sh
# Shared computers: with --ephemeral a whole packet writes nothing outside the
# folder the person takes away (traced with strace, every file call); what
# would keep data (ledger, vault, evidence) is refused.  And an encrypted
# batch leaves no byte of its clients' details outside their packets.
. "$TOP_SRCDIR/tests/e2e/lib.sh"

ex="$TOP_SRCDIR/letters/examples/profile.json"
if ! command -v strace >/dev/null 2>&1 || ! command -v age >/dev/null 2>&1; then
	echo "1..0 # SKIP strace or age is not installed"
	exit 0
fi
export HOME="$work/home" XDG_CACHE_HOME="$work/cache"
mkdir -p "$HOME"

# written TRACE OUTDIR: the paths a traced run created, wrote, renamed, linked or removed
# outside OUTDIR (and its temporary sibling OUTDIR.tmp-*), one a line.
written() {
	"$PYTHON" - "$1" "$2" <<'PY'
import re, sys
trace, out = sys.argv[1], sys.argv[2]
seen = set()
for line in open(trace, encoding="utf-8", errors="replace"):
    m = re.search(r'(open|openat|creat|mkdir|mkdirat|rename|renameat2?|unlink|unlinkat|rmdir|link|linkat|symlink|truncate)\((?:AT_FDCWD, )?"([^"]*)"(.*)', line)
    if not m or "= -1" in line:
        continue
    call, path, rest = m.groups()
    if call in ("open", "openat") and not re.search(r"O_WRONLY|O_RDWR|O_CREAT|O_TRUNC", rest):
        continue
    if path.startswith(("/dev/", "/proc/")) or path.startswith(out):
        continue
    if call.startswith("mkdir") and "EEXIST" in line:
        continue
    seen.add(path)
print("\n".join(sorted(seen)))
PY
}

set +e
ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" strace -f -qq -e trace=%file -o "$work/trace" "$OPTOUT" --ephemeral packet -p "$ex" -o "$work/pk" >"$work/pk.out" 2>&1
status=$?
set -e
check_status "an ephemeral packet is written" 0
check_has "with its cover" "$work/pk.out" "Start with cover.pdf"
check_eq "traced: nothing written outside the packet folder" "" "$(written "$work/trace" "$work/pk")"
check_eq "no data folder was made" "no" "$([ -e "$XDG_DATA_HOME" ] && echo yes || echo no)"
check_eq "and no cache" "no" "$([ -e "$XDG_CACHE_HOME/optout" ] && echo yes || echo no)"
check_lacks "and no ledger mentioned" "$work/pk.out" "Recorded"

run --ephemeral packet -p "$ex" -o "$work/out2" --ledger "$work/l.db"
check_status "--ledger with --ephemeral is a usage error" 64
# A ledger that exists (made without --ephemeral) is not even opened.
"$OPTOUT" packet -p "$ex" -b spokeo -r opt-out -o "$work/own" --ledger "$work/own.db" >/dev/null
OPTOUT_EPHEMERAL=1 run status --ledger "$work/own.db"
check_status "the ledger is refused in ephemeral mode" 65
check_has "and says why" "$work/err" "--ephemeral: the ledger would be kept on this computer"
run --ephemeral vault add "$ex"
check_has "the vault is refused" "$work/err" "--ephemeral: a profile in the vault would be kept"
check_eq "and still nothing in the data folder" "no" "$([ -e "$XDG_DATA_HOME" ] && echo yes || echo no)"

# An encrypted client list, with canary values: after the batch, no file
# outside the client packets holds any byte of them (ledger, notes, temp).
age-keygen -o "$work/key.txt" 2>/dev/null
printf 'label,given,family,street,city,region,postal_code,country,email\n' >"$work/c.csv"
printf 'c-001,Canaryqxv,Zebrafinchqxv,77 Canarystreetqxv,Portland,OR,97201,US,canary.qxv@example.org\n' >>"$work/c.csv"
printf 'c-002,Ospreyqxv,Kestrelqxv,78 Ospreystreetqxv,Los Angeles,CA,90012,US,osprey.qxv@example.org\n' >>"$work/c.csv"
# The values whole, as written: a short piece such as "qxv" turns up by chance in
# a packet's random encrypted bytes or a reference.
canaries='Canaryqxv|Zebrafinchqxv|Canarystreetqxv|canary\.qxv@|Ospreyqxv|Kestrelqxv|Ospreystreetqxv|osprey\.qxv@'
age -r "$(age-keygen -y "$work/key.txt")" -o "$work/c.csv.age" "$work/c.csv"
rm "$work/c.csv"
set +e
ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" strace -f -qq -e trace=%file -o "$work/btrace" "$OPTOUT" --identity "$work/key.txt" batch \
	-c "$work/c.csv.age" -b spokeo -r opt-out -o "$work/batch" --ledger "$work/bl/ledger.db" \
	>"$work/b.out" 2>&1
status=$?
set -e
check_status "a batch from an encrypted client list" 0
leaked=
for f in $(written "$work/btrace" "$work/batch"); do
	[ -f "$f" ] || continue
	if grep -qaE "$canaries" "$f"; then leaked="$leaked $f"; fi
done
check_eq "no file written outside the packets holds a canary value" "" "$leaked"
check_has "while the packets do (they are what the person takes away)" \
	"$work/batch/c-001/web/spokeo-opt-out.txt" "Canaryqxv"

# The same batch sealed (--encrypt-to): now no byte written anywhere, the
# packets included, holds a canary value; each client's packet opens with age.
set +e
ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" strace -f -qq -e trace=%file -o "$work/strace" "$OPTOUT" --identity "$work/key.txt" batch \
	-c "$work/c.csv.age" -b spokeo -r opt-out -o "$work/sealed" --ledger "$work/bl/ledger.db" \
	--encrypt-to "$(age-keygen -y "$work/key.txt")" >"$work/s.out" 2>&1
status=$?
set -e
check_status "a sealed batch from an encrypted client list" 0
check_eq "each client's folder holds one encrypted archive" "packet.tar.age packet.tar.age" \
	"$(ls "$work/sealed/c-001" "$work/sealed/c-002" | grep -v : | grep . | tr '\n' ' ' | sed 's/ $//')"
leaked=
for f in $("$PYTHON" - "$work/strace" <<'PY'
import re, sys
seen = set()
for line in open(sys.argv[1], encoding="utf-8", errors="replace"):
    m = re.search(r'(open|openat|creat|rename|renameat2?|link|linkat)\((?:AT_FDCWD, )?"([^"]*)"(?:, (?:AT_FDCWD, )?"([^"]*)")?(.*)', line)
    if not m or "= -1" in line:
        continue
    call, path, dest, rest = m.groups()
    if call in ("open", "openat") and not re.search(r"O_WRONLY|O_RDWR|O_CREAT|O_TRUNC", rest or ""):
        continue
    for q in (path, dest):
        if q and not q.startswith(("/dev/", "/proc/")):
            seen.add(q)
print("\n".join(sorted(seen)))
PY
); do
	[ -e "$f" ] || continue
	# A folder renamed into place (a packet) is searched whole.
	if grep -rqaE "$canaries" "$f"; then leaked="$leaked $f"; fi
done
check_eq "no file written during the sealed batch, packets included, holds a canary value" "" "$leaked"
mkdir -p "$work/open1"
age -d -i "$work/key.txt" "$work/sealed/c-001/packet.tar.age" | tar -x -C "$work/open1"
check_has "the client's packet, opened with age, holds their web sheet" \
	"$work/open1/web/spokeo-opt-out.txt" "Canaryqxv"

# The process itself is out of reach: no core file can be written (a crash
# must not leave a profile on disk), and it is not dumpable, so a program of
# the same user cannot attach to it or read its memory through /proc.
set +e
ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" strace -qq -e trace=prctl,setrlimit,prlimit64,mlockall \
	-o "$work/ptrace" "$OPTOUT" --ephemeral plan -p "$ex" -b spokeo -r opt-out >/dev/null 2>&1
status=$?
set -e
check_status "a traced plan" 0
check_has "core files are turned off (soft and hard limit 0)" "$work/ptrace" \
	'RLIMIT_CORE, {rlim_cur=0, rlim_max=0}'
check_has "the process is made non-dumpable" "$work/ptrace" \
	'prctl(PR_SET_DUMPABLE, SUID_DUMP_DISABLE) = 0'
# Locked out of swap where the system allows it: root, or no limit on locked memory.
# The sanitizers' runtime answers mlockall itself without calling the kernel.
if ldd "$OPTOUT" 2>/dev/null | grep -q 'libasan\|libtsan\|libmsan'; then
	ok "its memory is locked out of swap # SKIP the sanitizers intercept mlockall"
elif [ "$(id -u)" -eq 0 ] || [ "$(ulimit -l)" = unlimited ]; then
	check_has "its memory is locked out of swap, page by page as it is used" "$work/ptrace" \
		'mlockall(MCL_CURRENT|MCL_FUTURE|MCL_ONFAULT) = 0'
else
	check_lacks "with a user's limit on locked memory, nothing that would make allocations fail" \
		"$work/ptrace" 'mlockall('
fi

done_testing
