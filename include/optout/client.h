/*
 * client: who a profile is, as a ledger sees it, without putting anything
 * about the person in the ledger.
 *
 * Labels.  A client is named by the profile's "label".  A profile without
 * one gets a random label ("p-" and eight digits) kept in a note the person
 * keeps, $XDG_DATA_HOME/optout/labels (0600, one line "FINGERPRINT LABEL"),
 * so the same person gets the same label next time; the line is found by a
 * fingerprint (below) under a key of its own, labels.key beside the note,
 * so the note names nobody either.
 *
 * One label, one person.  A fingerprint is 64 bits of keyed BLAKE2b over
 * the person's name (given, middle and family, with case and diacritics
 * folded, so "José" and "JOSE" are one person) and the country and state of
 * residence (a different residence means a different law).  The ledger keeps
 * the fingerprint of the person each label was first used for; the key is a
 * file beside the ledger (LEDGER.key, 0600), never in it, so a copy of the
 * ledger alone cannot be used to test guesses of who its clients are.
 *
 * Contract: functions return 0 or -1 with an allocated *cause (never
 * quoting personal data); strings returned belong to the caller.
 */
#ifndef OPTOUT_CLIENT_H
#define OPTOUT_CLIENT_H

struct ledger;
struct profile;

enum client_status {
	CLIENT_OK,           /* the label is this person's (now, or from before) */
	CLIENT_ERROR,        /* a key or the ledger could not be read or written */
	CLIENT_OTHER_PERSON, /* the ledger has this label for a different person */
};

/*
 * The label from the person's note, making and recording a random one when
 * there is none (*made is then 1).  The profile is not changed.
 */
int client_note_label(const struct profile *p, char **label, int *made, char **cause);
/* Remove a label from the note (optout shred); *removed counts the lines. */
int client_note_forget(const char *label, int *removed, char **cause);
/* The note's path ($XDG_DATA_HOME/optout/labels), allocated. */
char *client_note_path(char **cause);
/* Tie the label to this person in the ledger, or refuse it for another person. */
enum client_status client_claim(struct ledger *l, const struct profile *p, const char *label,
    char **cause);

#endif
