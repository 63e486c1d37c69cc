/* client: labels for profiles without one, and one label for one person in a ledger. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "optout/i18n.h"
#include "optout/client.h"
#include "optout/ledger.h"
#include "optout/profile.h"
#include "optout/util.h"
#include "optout/vault.h"

/* The note's size limit: one short line per person. */
#define NOTE_MAX_BYTES (4 << 20)

/* The folded words of a name part, or "" when it is missing. */
static char *
folded(const char *s)
{
	char *f, *out, *o;
	const char *p;

	if (s == NULL)
		return xstrdup("");
	f = str_fold(s);
	out = xstrdup(f);
	o = out;
	/* Words only: "Núñez-Peña" and "nunez pena" are the same name. */
	for (p = f; *p != '\0'; p++) {
		if ((unsigned char)*p >= 0x80 || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9'))
			*o++ = *p;
		else if (o > out && o[-1] != ' ')
			*o++ = ' ';
	}
	while (o > out && o[-1] == ' ')
		o--;
	*o = '\0';
	secure_free(f);
	return out;
}

/* The person's fingerprint under the key in keyfile. */
static int
fingerprint(const struct profile *p, const char *keyfile, char fp[17], char key_id[17],
    char **cause)
{
	unsigned char key[VAULT_KEY_BYTES];
	const char *id_parts[] = { "optout key id" };
	char *given = folded(p->given), *middle = folded(p->middle), *family = folded(p->family);
	const char *parts[5];

	if (vault_key_file(keyfile, key, cause) != 0) {
		secure_free(given);
		secure_free(middle);
		secure_free(family);
		return -1;
	}
	parts[0] = given;
	parts[1] = middle;
	parts[2] = family;
	parts[3] = p->current != NULL && p->current->country != NULL ? p->current->country : "";
	parts[4] = p->current != NULL && p->current->region != NULL ? p->current->region : "";
	vault_fingerprint(key, parts, 5, fp);
	if (key_id != NULL)
		vault_fingerprint(key, id_parts, 1, key_id);
	vault_wipe(key, sizeof key);
	secure_free(given);
	secure_free(middle);
	secure_free(family);
	return 0;
}

/* The note's path ($XDG_DATA_HOME/optout/labels). */
char *
client_note_path(char **cause)
{
	char *p = data_home_path("labels", "where to keep the label note", cause);

	if (p == NULL) {
		char *c = xasprintf("%s (give the profile a label)", *cause);

		free(*cause);
		*cause = c;
	}
	return p;
}

/* The label on the note's line for this fingerprint, or NULL. */
static char *
note_find(const char *data, const char *fp)
{
	const char *line = data;

	while (line != NULL && *line != '\0') {
		const char *end = strchr(line, '\n');
		size_t n = end != NULL ? (size_t)(end - line) : strlen(line);

		if (n > 17 && strncmp(line, fp, 16) == 0 && line[16] == ' ')
			return xstrndup(line + 17, n - 17);
		line = end != NULL ? end + 1 : NULL;
	}
	return NULL;
}

/* A random label, "p-" and eight digits, that says nothing about this person. */
static char *
random_label(const struct profile *p)
{
	for (;;) {
		unsigned char r[4];
		unsigned long v;
		char *label;
		struct profile probe;

		vault_random(r, sizeof r);
		v = ((unsigned long)r[0] << 24 | (unsigned long)r[1] << 16 |
		    (unsigned long)r[2] << 8 | r[3]) % 100000000UL;
		label = xasprintf("p-%04lu-%04lu", v / 10000, v % 10000);
		/* Chance digits could match a birth date or phone: draw again if so. */
		probe = *p;
		probe.label = label;
		if (profile_label_ok(&probe))
			return label;
		free(label);
	}
}

/* The note's label for this person, made and recorded if there is none. */
int
client_note_label(const struct profile *p, char **label, int *made, char **cause)
{
	char *path, *keyfile, *lockpath, *dir, *data = NULL, fp[17];
	size_t len = 0;
	int lock = -1, rc = -1;

	*label = NULL;
	*made = 0;
	if (ephemeral_mode()) {
		*cause = ephemeral_refusal("the note of your label");
		return -1;
	}
	if ((path = client_note_path(cause)) == NULL)
		return -1;
	dir = path_dirname(path);
	keyfile = xasprintf("%s.key", path);
	lockpath = xasprintf("%s.lock", path);
	if (make_dirs(dir, 0700, cause) != 0)
		goto out;
	/* One writer at a time: two people's runs must not drop each other's line. */
	if ((lock = open(lockpath, O_RDWR | O_CREAT | O_CLOEXEC, 0600)) == -1 ||
	    flock(lock, LOCK_EX) != 0) {
		*cause = xasprintf("%s: %s", lockpath, strerror(errno));
		goto out;
	}
	if (fingerprint(p, keyfile, fp, NULL, cause) != 0)
		goto out;
	if (access(path, F_OK) == 0 && read_file(path, NOTE_MAX_BYTES, &data, &len, cause) != 0)
		goto out;
	if (data != NULL && (*label = note_find(data, fp)) != NULL) {
		rc = 0;
		goto out;
	}
	{
		struct buf b;
		char *l = random_label(p);

		buf_init(&b);
		if (data != NULL) {
			buf_add(&b, data, len);
			if (len > 0 && data[len - 1] != '\n')
				buf_addc(&b, '\n');
		}
		buf_printf(&b, "%s %s\n", fp, l);
		rc = write_file_atomic(path, b.data, b.len, 0600, cause);
		buf_free(&b);
		if (rc != 0) {
			free(l);
			goto out;
		}
		*label = l;
		*made = 1;
	}
out:
	if (lock != -1)
		close(lock);
	free(data);
	free(lockpath);
	free(keyfile);
	free(dir);
	free(path);
	return rc;
}

/* Tie the label to this person in the ledger, or refuse it for another person. */
enum client_status
client_claim(struct ledger *l, const struct profile *p, const char *label, char **cause)
{
	char *keyfile = xasprintf("%s.key", ledger_files_base(l)), fp[17], key_id[17];
	int other = 0, rc;

	rc = fingerprint(p, keyfile, fp, key_id, cause);
	free(keyfile);
	if (rc != 0)
		return CLIENT_ERROR;
	if (ledger_claim_client(l, label, fp, key_id, &other, cause) != 0)
		return CLIENT_ERROR;
	if (other) {
		*cause = xasprintf(_("label \"%s\" is already used in the ledger %s for another person "
		    "(a different name, or a different state or country of residence): give this "
		    "profile its own label. A label copied from an example or from someone else's "
		    "profile would mix two people's requests."), label, ledger_path(l));
		return CLIENT_OTHER_PERSON;
	}
	return CLIENT_OK;
}

/* Remove a label's lines from the note (optout shred); *removed counts them. */
int
client_note_forget(const char *label, int *removed, char **cause)
{
	char *path, *lockpath = NULL, *data = NULL;
	const char *line;
	struct buf b;
	size_t len = 0;
	int lock = -1, rc = -1;

	*removed = 0;
	if ((path = client_note_path(cause)) == NULL)
		return -1;
	if (access(path, F_OK) != 0) {
		free(path);
		return 0; /* no note: nothing to forget */
	}
	lockpath = xasprintf("%s.lock", path);
	if ((lock = open(lockpath, O_RDWR | O_CREAT | O_CLOEXEC, 0600)) == -1 ||
	    flock(lock, LOCK_EX) != 0) {
		*cause = xasprintf("%s: %s", lockpath, strerror(errno));
		goto out;
	}
	if (read_file(path, NOTE_MAX_BYTES, &data, &len, cause) != 0)
		goto out;
	buf_init(&b);
	for (line = data; line != NULL && *line != '\0';) {
		const char *end = strchr(line, '\n');
		size_t n = end != NULL ? (size_t)(end - line) : strlen(line);

		/* "FINGERPRINT LABEL": the label is everything after the 17th byte. */
		if (n > 17 && n - 17 == strlen(label) && strncmp(line + 17, label, n - 17) == 0)
			(*removed)++;
		else {
			buf_add(&b, line, n);
			buf_addc(&b, '\n');
		}
		line = end != NULL ? end + 1 : NULL;
	}
	rc = *removed > 0 ? write_file_atomic(path, b.data != NULL ? b.data : "", b.len, 0600,
	    cause) : 0;
	buf_free(&b);
out:
	if (lock != -1)
		close(lock);
	free(data);
	free(lockpath);
	free(path);
	return rc;
}
