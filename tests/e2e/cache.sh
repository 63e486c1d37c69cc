#!/bin/sh
# The validation cache ($XDG_CACHE_HOME/optout/registry.cache, laws.cache):
# keyed by the files' bytes, the schema and the program; a changed file or
# schema is checked again; a damaged or deleted cache is rebuilt the same.
# And the listing index of brokers list (brokers-list.cache), keyed the same
# way: an unchanged registry is listed without loading a record.
. "$TOP_SRCDIR/tests/e2e/lib.sh"

export XDG_CACHE_HOME="$work/cache"
cache="$XDG_CACHE_HOME/optout/registry.cache"
index="$XDG_CACHE_HOME/optout/brokers-list.cache"
laws="$XDG_CACHE_HOME/optout/laws.cache"
data="$work/data"
mkdir -p "$data"
cp -R "$TOP_SRCDIR/brokers" "$data/brokers"
cp -R "$TOP_SRCDIR/letters" "$data/letters"
export OPTOUT_DATADIR="$data"

run brokers list
check_status "a first run without a cache lists the brokers" 0
cp "$work/out" "$work/list1"
if [ -f "$cache" ]; then ok "the first run leaves a cache"; else not_ok "the first run leaves a cache" "no $cache"; fi
check_eq "the cache is readable by the user only" "600" "$(stat -c %a "$cache")"
cp "$cache" "$work/cache1"
check_lacks "the cache holds digests, not the records" "$cache" "LexisNexis"

run brokers list
check_status "a second run, from the cache, exits 0" 0
check_eq "it lists exactly the same" "$(cat "$work/list1")" "$(cat "$work/out")"
if cmp -s "$cache" "$work/cache1"; then ok "an unchanged registry leaves the cache as it was"; else
	not_ok "an unchanged registry leaves the cache as it was"; fi

# A file changed after it was cached is checked again.
f="$data/brokers/acxiom.json"
cp "$f" "$work/acxiom.json"
sed 's/"verified": "[0-9-]*"/"verified": "last spring"/' "$work/acxiom.json" >"$f"
run brokers list
check_status "a record made invalid after caching is rejected (65)" 65
check_has "the error names the file and the field" "$work/err" "acxiom.json: verified"
cp "$work/acxiom.json" "$f"

# A schema changed after caching: every record is checked against the new one.
"$PYTHON" - "$data/brokers/schema.json" <<'PY'
import json, sys
p = sys.argv[1]
s = json.load(open(p))
s["properties"]["name"]["maxLength"] = 2
json.dump(s, open(p, "w"), indent=2)
PY
run brokers list
check_status "a stricter schema rejects the cached records (65)" 65
check_has "the error names the field the new schema limits" "$work/err" ": name:"
cp "$TOP_SRCDIR/brokers/schema.json" "$data/brokers/schema.json"

# The listing index: kept beside the validation cache, private, no records in it.
run brokers list
check_status "with the schema back, the list works again" 0
check_eq "and lists what it did at first" "$(cat "$work/list1")" "$(cat "$work/out")"
if [ -f "$index" ]; then ok "brokers list keeps a listing index"; else not_ok "brokers list keeps a listing index" "no $index"; fi
check_eq "the index is readable by the user only" "600" "$(stat -c %a "$index")"
check_lacks "the index holds ids, not the records' text" "$index" "LexisNexis"
cp "$index" "$work/index1"
# An unchanged registry is listed from the index alone: even a damaged
# validation cache is not read, so it stays as it is.
printf 'X' | dd of="$cache" bs=1 seek=100 conv=notrunc 2>/dev/null
cp "$cache" "$work/damaged"
run brokers list --sells-to-government
check_status "a listing from the index exits 0" 0
check_eq "with the filters applied as before" "$(grep -c ' yes ' "$work/list1")" "$(($(wc -l <"$work/out") - 1))"
if cmp -s "$cache" "$work/damaged"; then ok "an unchanged registry is listed without loading its records"; else
	not_ok "an unchanged registry is listed without loading its records"; fi
# A record changed (validly) after indexing is read again, and the index follows it.
sed 's/"verified": "[0-9-]*"/"verified": "2020-01-02"/' "$work/acxiom.json" >"$f"
run brokers list
check_status "a changed record is listed" 0
check_eq "with its new content" "acxiom 2020-01-02" "$(awk '$1 == "acxiom" { print $1, $3 }' "$work/out")"
if cmp -s "$index" "$work/index1"; then not_ok "the index was rewritten for the changed registry"; else
	ok "the index was rewritten for the changed registry"; fi
cp "$work/acxiom.json" "$f"
run brokers list
check_eq "changed back, the list is as before" "$(cat "$work/list1")" "$(cat "$work/out")"
if cmp -s "$index" "$work/index1"; then ok "and so is the index"; else not_ok "and so is the index"; fi
# A damaged, truncated or deleted index is ignored and made again the same.
printf 'X' | dd of="$index" bs=1 seek=200 conv=notrunc 2>/dev/null
run brokers list
check_eq "a damaged index is ignored" "$(cat "$work/list1")" "$(cat "$work/out")"
if cmp -s "$index" "$work/index1"; then ok "the damaged index was rewritten as before"; else
	not_ok "the damaged index was rewritten as before"; fi
head -c 100 "$work/index1" >"$index"
run brokers list
check_eq "a truncated index is ignored" "$(cat "$work/list1")" "$(cat "$work/out")"
if cmp -s "$index" "$work/index1"; then ok "the truncated index was rewritten as before"; else
	not_ok "the truncated index was rewritten as before"; fi
rm -f "$index"
run brokers list
check_eq "a deleted index costs nothing but time" "$(cat "$work/list1")" "$(cat "$work/out")"
if cmp -s "$index" "$work/index1"; then ok "the deleted index was rebuilt the same"; else
	not_ok "the deleted index was rebuilt the same"; fi
rm -f "$index"
OPTOUT_EPHEMERAL=1 "$OPTOUT" brokers list >"$work/out" 2>"$work/err" || true
check_eq "on a shared computer (--ephemeral) the list is the same" "$(cat "$work/list1")" "$(cat "$work/out")"
if [ -e "$index" ]; then not_ok "and no index is kept" "$index"; else ok "and no index is kept"; fi
cp "$work/cache1" "$cache"

# A damaged cache is ignored and rewritten; a deleted one is rebuilt.  Without
# the listing index, so that the list loads (and checks) the records.
run brokers list
printf 'X' | dd of="$cache" bs=1 seek=100 conv=notrunc 2>/dev/null
rm -f "$index"
run brokers list
check_status "a damaged cache is ignored" 0
check_eq "the list is unchanged" "$(cat "$work/list1")" "$(cat "$work/out")"
if cmp -s "$cache" "$work/cache1"; then ok "the damaged cache was rewritten as before"; else
	not_ok "the damaged cache was rewritten as before"; fi
head -c 60 "$work/cache1" >"$cache"
rm -f "$index"
run brokers list
check_status "a truncated cache is ignored" 0
if cmp -s "$cache" "$work/cache1"; then ok "the truncated cache was rewritten as before"; else
	not_ok "the truncated cache was rewritten as before"; fi
rm -rf "$XDG_CACHE_HOME"
run brokers list
check_status "a deleted cache costs nothing but time" 0
check_eq "the list is unchanged without it" "$(cat "$work/list1")" "$(cat "$work/out")"
if cmp -s "$cache" "$work/cache1"; then ok "the deleted cache was rebuilt the same"; else
	not_ok "the deleted cache was rebuilt the same"; fi

# A cache that cannot be written does not stop the command.
rm -rf "$XDG_CACHE_HOME"
printf 'not a folder' >"$XDG_CACHE_HOME"
run brokers list
check_status "an unwritable cache folder does not stop the command" 0
check_eq "and the list is the same" "$(cat "$work/list1")" "$(cat "$work/out")"
rm -f "$XDG_CACHE_HOME"

# A command about named brokers reads only their records (#17): a broken
# record of another broker does not stop it, and it leaves the cache alone.
run brokers list
cp "$cache" "$work/cache2"
printf '{ "id": "zz-broken", ' >"$data/brokers/zz-broken.json"
profile="$TOP_SRCDIR/letters/examples/profile.json"
run plan -p "$profile" -b acxiom
check_status "plan -b reads only the named broker's records" 0
check_has "and plans for that broker" "$work/out" "acxiom — opt-out: ready"
if cmp -s "$cache" "$work/cache2"; then ok "a partial load leaves the cache as it was"; else
	not_ok "a partial load leaves the cache as it was"; fi
run plan -p "$profile" -b acxiomm
check_status "a mistyped id loads the whole registry, broken record and all (65)" 65
check_has "the error names the broken file" "$work/err" "zz-broken.json"
rm -f "$data/brokers/zz-broken.json"
run plan -p "$profile" -b acxiomm
check_has "and without it, the usual suggestion follows" "$work/err" "did you mean 'acxiom'?"

done_testing
