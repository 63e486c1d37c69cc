#!/bin/sh
# Filing as an authorized agent where the broker turns agents away (its procedure's
# agent_allowed, or its state registration's): the plan prefers a channel that accepts
# agents; where none does, the person files personally, and the plan, the letter, the
# cover and the authorization say so.
. "$TOP_SRCDIR/tests/e2e/lib.sh"

fx="$TOP_SRCDIR/tests/fixtures"
ex="$TOP_SRCDIR/letters/examples/profile.json"
agent="$TOP_SRCDIR/letters/examples/agent.json"
export OPTOUT_TODAY=2026-11-22
fixture_datadir
"$PYTHON" - "$fx/data/brokers/example-cra.json" "$work/data/brokers" <<'PY'
import json, sys, copy
base = json.load(open(sys.argv[1]))
src = {"ref": "invented fixture: a state registration", "as_of": "2021-06-01"}
# Declared in a registry that it lets no third party act for the consumer.
b = copy.deepcopy(base)
b["id"], b["name"] = "no-agents", "No Agents Inc"
b["registrations"] = [{"registry": "vermont", "source": src, "agent_allowed": False}]
json.dump(b, open(sys.argv[2] + "/no-agents.json", "w"), ensure_ascii=False)
# Its email procedure refuses agents, its postal one (for the same request) takes them.
b = copy.deepcopy(base)
b["id"], b["name"] = "some-agents", "Some Agents Inc"
for p in b["procedures"]:
    if p["id"] == "state-delete-email":
        p["agent_allowed"] = False
        post = copy.deepcopy(p)
post.update({"id": "state-delete-postal", "channel": "postal", "agent_allowed": True,
    "postal": {"recipient": "Some Agents Inc", "street": ["1 Example Plaza"], "city": "Austin",
               "region": "TX", "postal_code": "78701", "country": "US"}})
post.pop("email", None)
b["procedures"].append(post)
json.dump(b, open(sys.argv[2] + "/some-agents.json", "w"), ensure_ascii=False)
PY
export OPTOUT_DATADIR="$work/data"

run plan -p "$ex" -b no-agents,some-agents -r delete --agent "$agent" --json
check_status "plan exits 0" 0
"$PYTHON" - "$work/out" >"$work/items" <<'PY'
import json, sys
for x in json.load(open(sys.argv[1])):
    print(x["broker"], x["procedure"], x["channel"], x.get("agent_refused", False), sep="|")
    for n in x["notes"]:
        if "authorized agent" in n:
            print("note", x["broker"], n, sep="|")
PY
check_eq "a channel that takes agents is chosen; where none does, the person files" \
	"no-agents|state-delete-email|email|True
note|no-agents|This broker does not accept requests from an authorized agent (its procedure record or its filing in a state data-broker registry says so): the person makes this request personally. The letter is written in the person's own name, for the person to sign and send.
some-agents|state-delete-postal|postal|False" "$(cat "$work/items")"

run packet -p "$ex" -b no-agents,some-agents -r delete --agent "$agent" -o "$work/pk" --lang en --no-ledger
check_status "packet exits 0" 0
tr '\n' ' ' <"$work/pk/emails/no-agents-delete.txt" | tr -s ' ' >"$work/self"
check_lacks "the letter to the broker that refuses agents is not the agent's" "$work/self" "on behalf of"
check_lacks "and does not name the clinic" "$work/self" "Community Legal Aid Clinic"
pdftotext -layout "$work/pk/letters/some-agents-delete.pdf" - | tr '\n' ' ' | tr -s ' ' >"$work/agent"
check_has "the letter to the broker that takes agents is the agent's" "$work/agent" "Community Legal Aid Clinic"
pdftotext -layout "$work/pk/cover.pdf" - | tr '\n' ' ' | tr -s ' ' >"$work/cover"
check_has "the cover says which requests the client sends personally" "$work/cover" \
	"These brokers do not accept requests from an authorized agent, by their own procedure record or their filing in a state data-broker registry."
check_has "and lists them" "$work/cover" "No Agents Inc (delete)"
pdftotext -layout "$work/pk/authorization.pdf" - | tr '\n' ' ' | tr -s ' ' >"$work/auth"
check_has "the authorization covers the request the agent makes" "$work/auth" "Some Agents Inc"
check_lacks "and not the one the client makes personally" "$work/auth" "No Agents Inc"

# Without an agent nothing changes: the email is chosen and no note is given.
run plan -p "$ex" -b some-agents -r delete --json
check_has "without an agent the preferred channel stays" "$work/out" '"procedure": "state-delete-email"'
check_lacks "and there is no agent note" "$work/out" "agent_refused"

done_testing
