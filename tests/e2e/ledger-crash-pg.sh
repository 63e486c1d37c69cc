#!/bin/sh
# tests/e2e/ledger-crash.sh on a PostgreSQL ledger.
OPTOUT_TEST_BACKEND=pg
export OPTOUT_TEST_BACKEND
. "$TOP_SRCDIR/tests/e2e/ledger-crash.sh"
