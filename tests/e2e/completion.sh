#!/bin/sh
# Shell completions made from the command table: real bash completion is
# driven (COMP_WORDS/COMP_CWORD, then COMPREPLY is read), and the zsh and fish
# scripts must at least parse.
. "$TOP_SRCDIR/tests/e2e/lib.sh"

export OPTOUT_TODAY=2026-11-22
run completion bash
check_status "optout completion bash prints a script" 0
cp "$work/out" "$work/optout.bash"

# A ledger with known requests, for the references 'mark' completes.
run packet -p "$TOP_SRCDIR/letters/examples/profile.json" -b spokeo -o "$work/p"
check_status "a packet records requests to complete" 0
refs=$("$OPTOUT" status --json | sed -n 's/.*"reference": "\([^"]*\)".*/\1/p' | sort | tr '\n' ' ')

# complete WORDS...: the candidates bash offers for the last word, sorted, one line.
cat >"$work/drive.bash" <<'EOS'
source "$1"; shift
COMP_WORDS=("$@"); COMP_CWORD=$((${#COMP_WORDS[@]} - 1)); COMPREPLY=()
_optout
printf '%s\n' "${COMPREPLY[@]}" | sort | tr '\n' ' '
EOS
complete() { bash "$work/drive.bash" "$work/optout.bash" "$OPTOUT" "$@"; }
# expect DESC EXPECTED WORDS...
expect() {
	desc=$1 want=$2; shift 2
	got=$(cd "$work" && complete "$@")
	check_eq "$desc" "$want" "$got"
}

expect "commands complete" "packet plan " p
expect "a command completes from its prefix" "send serve shred status submit " s
expect "the commands include completion and help" "completion " comp
expect "global options complete" "--ephemeral " --ep
expect "after a global option's argument the command completes" "help " --identity key.txt he
expect "a command's options complete" "--send --sendmail " batch --se
expect "packet's options include --no-ledger" "--no-ledger " packet --no
expect "short options are offered too" "-p " letter -p
expect "--scope offers its scopes" "all curated government people-search registered " packet --scope ""
expect "-r offers request types" "correct " packet -r co
expect "-r completes the last item of a list" "access,delete " plan -r access,de
expect "-b offers broker ids from 'optout brokers list'" "spokeo " packet -b spok
expect "-b completes the last broker of a list" "spokeo,lexisnexis-risk spokeo,lexisnexis-risk-solutions-inc-and-affiliates " packet -b spokeo,lexisnexis-r
expect "letter -f offers its formats" "eml pdf txt " letter -f ""
expect "brokers offers its subcommands" "import list search show validate " brokers ""
expect "brokers list has its own filters" "--category --channel " brokers list --c
expect "brokers import has its own options" "--as-of " brokers import --as
expect "ledger offers its subcommands" "check migrate " ledger ""
expect "ledger migrate has its own options" "--from " ledger migrate --fr
expect "brokers list --channel offers the channels" "email " brokers list --channel em
expect "mark offers the ledger's references" "$refs" mark ""
first=${refs%% *}
expect "mark then offers the states" "delivered denied " mark "$first" de
expect "mark's options complete" "--reason " mark "$first" denied --rea
expect "help offers the commands" "template " help tem
expect "init --lang offers en and es" "en es " init --lang ""
expect "completion offers the shells" "bash " completion ba
mkdir -p "$work/dirs/folder-a"
: >"$work/dirs/file-a"
expect "-o DIR offers folders only" "dirs/folder-a " packet -o dirs/
expect "-p FILE offers files" "dirs/file-a dirs/folder-a " plan -p dirs/

# Every option --help lists is offered by the completion, and nothing else.
for cmd in $("$OPTOUT" --help | sed -n '/^Commands:/,/^$/s/^  \([a-z]*\) .*/\1/p'); do
	want=$("$OPTOUT" "$cmd" --help | sed -n 's/^ *\(-[A-Za-z]\), \(--[a-z-]*\).*/\1 \2/p; s/^ *\(--[a-z-]*\).*/\1/p' | tr ' ' '\n' | sort -u | tr '\n' ' ')
	got=$(cd "$work" && complete "$cmd" - | tr ' ' '\n' | grep -v '^--help$' | sort -u | tr '\n' ' ')
	case $cmd in
	brokers | vault | template | completion | ledger) ;; # options of a subcommand, or none
	*) check_eq "$cmd: the completion offers the options of --help" "$want" "$got" ;;
	esac
done

run completion zsh
check_status "optout completion zsh prints a script" 0
if zsh -n "$work/out" 2>"$work/zsh.err"; then ok "the zsh script parses"; else
	not_ok "the zsh script parses" "$(cat "$work/zsh.err")"; fi
check_has "the zsh script is a #compdef function" "$work/out" "#compdef optout"
check_has "the zsh script knows packet's --scope and its scopes" "$work/out" "--scope[the brokers of a scope"
run completion fish
check_status "optout completion fish prints a script" 0
if fish -n "$work/out" 2>"$work/fish.err"; then ok "the fish script parses"; else
	not_ok "the fish script parses" "$(cat "$work/fish.err")"; fi
check_has "the fish script offers mark's references" "$work/out" "__fish_seen_subcommand_from mark' -x -a '(__optout_refs)'"
run completion tcsh
check_status "an unknown shell is a usage error" 64
check_has "the error names the shells" "$work/err" "'tcsh' is not one of bash, zsh, fish"

done_testing
