#!/bin/sh
# The vault module's age format against the real `age` command (Debian's age
# package), both ways, for X25519 keys and scrypt passphrases; and wrong
# passphrases, truncated and altered files: a clear error and no output.
. "$TOP_SRCDIR/tests/e2e/lib.sh"

tool="$TOP_BUILDDIR/tests/tools/age-tool"
if ! command -v age >/dev/null 2>&1 || ! command -v script >/dev/null 2>&1; then
	echo "1..0 # SKIP the age command (Debian package age) or script is not installed"
	exit 0
fi

# Plaintexts: empty, one byte, exactly one 64 KiB chunk, a chunk and a byte, UTF-8 text.
: >"$work/p0"
printf 'x' >"$work/p1"
head -c 65536 /dev/urandom >"$work/p64k"
head -c 65537 /dev/urandom >"$work/p64k1"
printf '{"names": {"given": "José", "family": "Núñez"}}\n' >"$work/pj"
printf 'correct horse battery staple\n' >"$work/pass"
printf 'wrong horse\n' >"$work/wrong"

age-keygen -o "$work/key.txt" 2>/dev/null
pub=$(age-keygen -y "$work/key.txt")

# age_pty ARGS...: run age with the passphrase typed at a terminal (twice when encrypting).
age_pty() {
	printf '%s\n%s\n' "$(cat "$work/pass")" "$(cat "$work/pass")" |
		script -qec "age $*" /dev/null >/dev/null 2>&1
}

for p in p0 p1 p64k p64k1 pj; do
	"$tool" encrypt -r "$pub" "$work/$p" "$work/$p.o.age"
	age -d -i "$work/key.txt" "$work/$p.o.age" >"$work/$p.o.out"
	check_eq "optout → age -d, X25519 key, $p" "" "$(cmp "$work/$p" "$work/$p.o.out" 2>&1)"
	age -r "$pub" -o "$work/$p.a.age" "$work/$p"
	"$tool" decrypt -i "$work/key.txt" "$work/$p.a.age" "$work/$p.a.out"
	check_eq "age -r → optout, X25519 key, $p" "" "$(cmp "$work/$p" "$work/$p.a.out" 2>&1)"
done

# Passphrases (scrypt): age reads them only from a terminal.
"$tool" encrypt -P "$work/pass" "$work/pj" "$work/pj.op.age"
age_pty -d -o "$work/pj.op.out" "$work/pj.op.age"
check_eq "optout → age -d, passphrase" "" "$(cmp "$work/pj" "$work/pj.op.out" 2>&1)"
check_eq "written with age's own work factor" "scrypt 18" \
	"$(sed -n 2p "$work/pj.op.age" | awk '{ print $2, $4 }')"
age_pty -p -o "$work/pj.ap.age" "$work/pj"
"$tool" decrypt -P "$work/pass" "$work/pj.ap.age" "$work/pj.ap.out"
check_eq "age -p → optout, passphrase" "" "$(cmp "$work/pj" "$work/pj.ap.out" 2>&1)"

# attempt NAME ARGS...: decrypt, keeping the status and stderr; no output file may appear.
attempt() {
	name=$1
	shift
	set +e
	"$tool" decrypt "$@" "$work/$name.out" 2>"$work/err"
	status=$?
	set -e
}
attempt wrong -P "$work/wrong" "$work/pj.ap.age"
check_status "a wrong passphrase fails" 1
check_has "and says so" "$work/err" "wrong passphrase"
check_eq "and writes nothing" "no" "$([ -e "$work/wrong.out" ] && echo yes || echo no)"

age-keygen -o "$work/other.txt" 2>/dev/null
attempt other -i "$work/other.txt" "$work/p1.a.age"
check_has "another key: not encrypted to it" "$work/err" "the file was not encrypted to this key"

# Truncated: cut inside the payload, and at the boundary after a full chunk.
size=$(stat -c %s "$work/p64k1.a.age")
head -c $((size - 5)) "$work/p64k1.a.age" >"$work/trunc.age"
attempt trunc -i "$work/key.txt" "$work/trunc.age"
check_has "a truncated file is refused" "$work/err" "truncated or was altered"
check_eq "and nothing is written" "no" "$([ -e "$work/trunc.out" ] && echo yes || echo no)"
hdr=$(( $(stat -c %s "$work/p64k1.a.age") - 65537 - 32 - 16 ))
head -c $((hdr + 16 + 65536 + 16)) "$work/p64k1.a.age" >"$work/cut.age"
attempt cut -i "$work/key.txt" "$work/cut.age"
check_has "a file cut after a whole chunk is refused (no final chunk)" "$work/err" "truncated or was altered"
head -c 30 "$work/p1.a.age" >"$work/head.age"
attempt head -i "$work/key.txt" "$work/head.age"
check_has "a file cut in its header is refused" "$work/err" "truncated"

# Altered: one payload byte, then one header byte (the MAC catches it).
cp "$work/pj.a.age" "$work/alt.age"
size=$(stat -c %s "$work/alt.age")
printf '\001' | dd of="$work/alt.age" bs=1 seek=$((size - 20)) conv=notrunc 2>/dev/null
attempt alt -i "$work/key.txt" "$work/alt.age"
check_has "an altered payload is refused" "$work/err" "was altered"
cp "$work/pj.ap.age" "$work/alt2.age"
# Change the scrypt work factor argument 18 → 17: the header MAC no longer matches.
sed -i '2s/ 18$/ 17/' "$work/alt2.age"
attempt alt2 -P "$work/pass" "$work/alt2.age"
check_status "an altered header is refused" 1
check_has "an altered header: not opened" "$work/err" "age-tool:"
check_eq "an altered header: nothing written" "no" "$([ -e "$work/alt2.out" ] && echo yes || echo no)"

# A huge work factor is refused before any work is done.
sed '2s/ 18$/ 40/' "$work/pj.ap.age" >"$work/slow.age"
attempt slow -P "$work/pass" "$work/slow.age"
check_has "a work factor above 2^22 is refused" "$work/err" "above the limit"

# Keys optout makes are age's: age-keygen -y reads the identity file.
"$tool" keygen "$work/mine.txt"
check_eq "an optout identity gives the same recipient to age-keygen -y" \
	"$(sed -n 's/^# public key: //p' "$work/mine.txt")" "$(age-keygen -y "$work/mine.txt")"
check_eq "and its identity file is 0600" "600" "$(stat -c %a "$work/mine.txt")"

# Encrypted inputs: every command that takes -p, --agent or -c reads age files.
ex="$TOP_SRCDIR/letters/examples/profile.json"
label=$("$PYTHON" -c 'import json,sys; print(json.load(open(sys.argv[1]))["label"])' "$ex")
# unref FILE: the text with request references (random, new each run without a ledger) masked.
unref() { sed -E 's/OPT-[0-9A-Z]{4}-[0-9A-Z]{4}/OPT-XXXX-XXXX/g' "$1"; }
age -r "$pub" -o "$work/me.age" "$ex"
run --identity "$work/key.txt" plan -p "$work/me.age" -b spokeo -r opt-out
check_status "plan -p an encrypted profile with --identity" 0
run plan -p "$ex" -b spokeo -r opt-out
unref "$work/out" >"$work/plain-plan"
run --identity "$work/key.txt" plan -p "$work/me.age" -b spokeo -r opt-out
check_eq "the same plan as from the plain profile" "" "$(unref "$work/out" | diff "$work/plain-plan" -)"
OPTOUT_IDENTITY="$work/key.txt" run plan -p "$work/me.age" -b spokeo -r opt-out
check_status "or with OPTOUT_IDENTITY" 0
run plan -p "$work/me.age" -b spokeo -r opt-out
check_status "without a key: bad input (65)" 65
check_has "and says what to give" "$work/err" "give --identity FILE"

age_pty -p -o "$work/me.pass.age" "$ex"
run --passphrase-command "cat $work/pass" plan -p "$work/me.pass.age" -b spokeo -r opt-out
check_status "a passphrase-encrypted profile with --passphrase-command" 0
OPTOUT_PASSPHRASE_COMMAND="cat $work/wrong" run plan -p "$work/me.pass.age" -b spokeo -r opt-out
check_status "a wrong passphrase: 65" 65
check_has "a wrong passphrase: says so, naming the file" "$work/err" "me.pass.age: wrong passphrase"
# At a terminal, the passphrase is asked for without echo.
# A pseudo-terminal: the passphrase is typed once the prompt has appeared.
"$PYTHON" - "$OPTOUT" "$work/me.pass.age" "$work/pass" >"$work/tty.out" 2>&1 <<'PY' || true
import os, pty, sys
optout, profile, passfile = sys.argv[1:4]
pid, fd = pty.fork()
if pid == 0:
    os.execv(optout, [optout, "plan", "-p", profile, "-b", "spokeo", "-r", "opt-out"])
out = b""
typed = False
while True:
    try:
        chunk = os.read(fd, 4096)
    except OSError:
        break
    if not chunk:
        break
    out += chunk
    if not typed and b"passphrase: " in out:
        os.write(fd, open(passfile, "rb").read().splitlines()[0] + b"\n")
        typed = True
os.waitpid(pid, 0)
sys.stdout.write(out.decode("utf-8", "replace"))
PY
check_has "at a terminal: asks for the passphrase" "$work/tty.out" "optout: passphrase:"
check_has "and goes on with the plan" "$work/tty.out" "spokeo — opt-out: ready"
check_lacks "the typed passphrase is not echoed" "$work/tty.out" "$(cat "$work/pass")"

# An identity file encrypted to a passphrase (age -p of age-keygen's file) works too.
age_pty -p -o "$work/key.txt.age" "$work/key.txt"
run --identity "$work/key.txt.age" --passphrase-command "cat $work/pass" plan -p "$work/me.age" -b spokeo -r opt-out
check_status "an identity file that is itself encrypted" 0

# A tampered encrypted profile: a clear error, and no packet folder at all.
cp "$work/me.age" "$work/bad.age"
size=$(stat -c %s "$work/bad.age")
printf '\001' | dd of="$work/bad.age" bs=1 seek=$((size - 3)) conv=notrunc 2>/dev/null
run --identity "$work/key.txt" packet -p "$work/bad.age" -b spokeo -r opt-out -o "$work/pk" --no-ledger
check_status "a tampered profile: 65" 65
check_has "a tampered profile: says it was altered" "$work/err" "was altered"
check_eq "and no packet was written" "no" "$([ -e "$work/pk" ] && echo yes || echo no)"

# Client lists: an encrypted CSV and an encrypted JSON list give the same batch as plain ones.
clients="$TOP_SRCDIR/letters/examples/clients.csv"
age -r "$pub" -o "$work/clients.csv.age" "$clients"
run --identity "$work/key.txt" batch -c "$work/clients.csv.age" -b spokeo -r opt-out -o "$work/b-enc" --ledger "$work/b-enc.db"
check_status "batch -c an encrypted CSV" 0
run batch -c "$clients" -b spokeo -r opt-out -o "$work/b-plain" --ledger "$work/b-plain.db"
check_eq "the same client folders as the plain CSV" "$(ls "$work/b-plain")" "$(ls "$work/b-enc")"
"$PYTHON" -c 'import csv,json,sys; print(json.dumps([{"label": r["label"], "names": {"given": r["given"], "family": r["family"]}, "addresses": [{"street": [r["street"]], "city": r["city"], "region": r["region"], "postal_code": r["postal_code"], "country": r["country"] or "US", "current": True}]} for r in csv.DictReader(open(sys.argv[1], encoding="utf-8-sig"))]))' "$clients" >"$work/clients.json" 2>/dev/null || true
if [ -s "$work/clients.json" ] && "$OPTOUT" batch -c "$work/clients.json" -b spokeo -r opt-out -o "$work/bj-plain" --ledger "$work/bj.db" >/dev/null 2>&1; then
	age -r "$pub" -o "$work/clients.json.age" "$work/clients.json"
	run --identity "$work/key.txt" batch -c "$work/clients.json.age" -b spokeo -r opt-out -o "$work/bj-enc" --ledger "$work/bj-enc.db"
	check_status "batch -c an encrypted JSON list" 0
	check_eq "the same client folders as the plain JSON list" "$(ls "$work/bj-plain")" "$(ls "$work/bj-enc")"
fi

# Sealed packets: one encrypted archive, and no plain file ever written.
run packet -p "$ex" -b spokeo,acxiom -r opt-out,delete -o "$work/plainpk" --no-ledger
run packet -p "$ex" -b spokeo,acxiom -r opt-out,delete -o "$work/sealed" --no-ledger --encrypt-to "$pub"
check_status "packet --encrypt-to" 0
check_eq "the folder holds only packet.tar.age" "packet.tar.age" "$(ls "$work/sealed")"
mkdir "$work/opened"
age -d -i "$work/key.txt" "$work/sealed/packet.tar.age" | tar -x -C "$work/opened"
check_eq "age -d | tar x gives the same files as a plain packet" \
	"$(cd "$work/plainpk" && find . -type f | sort)" "$(cd "$work/opened" && find . -type f | sort)"
"$PDFTOTEXT" "$work/plainpk/cover.pdf" "$work/a.txt"
"$PDFTOTEXT" "$work/opened/cover.pdf" "$work/b.txt"
# (words compared, not line breaks: a random reference may wrap its table cell otherwise)
unref "$work/a.txt" | tr -s ' \n\f' '   ' >"$work/a2.txt"
check_eq "and the same cover text" "" "$(unref "$work/b.txt" | tr -s ' \n\f' '   ' | diff "$work/a2.txt" -)"
check_eq "files in the archive are 0600, folders 0700" "-rw------- drwx------" \
	"$(age -d -i "$work/key.txt" "$work/sealed/packet.tar.age" | tar -tv | awk '{ print $1 }' | sort -u | tr '\n' ' ' | sed 's/ $//')"
run --passphrase-command "cat $work/pass" packet -p "$ex" -b spokeo -r opt-out -o "$work/sealed-pw" --no-ledger --encrypt-passphrase
check_status "packet --encrypt-passphrase" 0
age_pty -d -o "$work/pw.tar" "$work/sealed-pw/packet.tar.age"
check_has "age -d with the passphrase opens it" "$work/pw.tar" "packet.json"
if command -v strace >/dev/null 2>&1; then
	# (LeakSanitizer stops the program with ptrace, which it cannot do under strace.)
	ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" strace -f -qq -e trace=openat,creat,rename,renameat,renameat2,mkdir -o "$work/strace" \
		"$OPTOUT" packet -p "$ex" -b spokeo,acxiom -r opt-out,delete -o "$work/traced" --no-ledger \
		--encrypt-to "$pub" >/dev/null 2>&1 || true
	check_eq "traced: the only files created are the archive's temporary file, renamed into place" "" \
		"$(grep -E 'O_CREAT|creat\(' "$work/strace" | grep -v 'packet.tar.age' | grep -vE '/dev/|/proc/' || true)"
fi

# The vault: a store of encrypted profiles by label.
pc="cat $work/pass"
run --passphrase-command "$pc" vault init
check_status "vault init" 0
run vault add "$ex"
check_status "vault add needs no passphrase" 0
run vault add "$ex"
check_status "adding the same label again is refused" 65
check_has "and says how to replace it" "$work/err" "use --replace"
run vault list
check_eq "vault list: the labels" "$label" "$(cat "$work/out")"
family=$("$PYTHON" -c 'import json,sys; print(json.load(open(sys.argv[1]))["names"]["family"])' "$ex")
check_eq "nothing in the vault folder is plain text of the profile" "" \
	"$(grep -rl "$family" "$XDG_DATA_HOME/optout/vault" || true)"
check_eq "the vault folder is 0700" "700" "$(stat -c %a "$XDG_DATA_HOME/optout/vault")"
run --passphrase-command "$pc" plan -p "$label" -b spokeo -r opt-out
check_eq "plan -p LABEL reads the vault: the same plan" "" "$(unref "$work/out" | diff "$work/plain-plan" -)"
run --passphrase-command "cat $work/wrong" vault show "$label"
check_status "vault show with a wrong passphrase: 65" 65
run --passphrase-command "$pc" vault show "$label"
check_eq "vault show prints the profile as it was added" "" "$(cmp "$ex" "$work/out" 2>&1)"
run --passphrase-command "$pc" vault export "$label" --encrypt-to "$pub" -o "$work/exp.age"
check_status "vault export --encrypt-to" 0
age -d -i "$work/key.txt" "$work/exp.age" >"$work/exp.json"
check_eq "and age -d opens the export" "" "$(cmp "$ex" "$work/exp.json" 2>&1)"
# The store is plain age: its identity opens with the passphrase, and then the profile.
age_pty -d -o "$work/vault-key.txt" "$XDG_DATA_HOME/optout/vault/identity.age"
age -d -i "$work/vault-key.txt" "$XDG_DATA_HOME/optout/vault/$label.json.age" >"$work/v.json"
check_eq "age itself opens the vault with its passphrase" "" "$(cmp "$ex" "$work/v.json" 2>&1)"
run vault remove "$label"
check_status "vault remove" 0
run vault list
check_eq "and the label is gone" "" "$(cat "$work/out")"

done_testing
