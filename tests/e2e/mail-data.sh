# The mail tests' invented brokers (tests/fixtures/data/brokers/mail) in a data
# folder of their own, with the real letters: sourcing this sets OPTOUT_DATADIR.
mkdir -p "$work/data/brokers"
ln -s "$TOP_SRCDIR/letters" "$work/data/letters"
ln -s "$TOP_SRCDIR/brokers/schema.json" "$work/data/brokers/schema.json"
for f in "$TOP_SRCDIR"/tests/fixtures/data/brokers/mail/*.json; do
	ln -s "$f" "$work/data/brokers/"
done
export OPTOUT_DATADIR="$work/data"
