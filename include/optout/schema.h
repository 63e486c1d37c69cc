/*
 * schema: validate JSON values against the project's JSON Schema files.
 *
 * The broker, law, profile and agent schemas (brokers/schema.json,
 * letters/NAME.schema.json) are the contract; this module interprets the
 * subset of JSON Schema 2020-12 they use, so the C loader and an
 * independent validator (python3-jsonschema) judge the same files alike.
 *
 * Supported keywords: type (string or list), enum, const, properties,
 * required, additionalProperties (false or a schema), items, prefixItems
 * is NOT supported, minItems, maxItems, uniqueItems, minLength, maxLength
 * (in characters), pattern (PCRE2), format ("date", "date-time", "email",
 * "uri"), minimum, maximum, allOf, anyOf, oneOf, not, if/then/else,
 * dependentRequired, $ref to "#/$defs/NAME", $defs.  Annotations ($schema,
 * $id, $comment, title, description, examples, default) are ignored.
 * "x-expected" (an extension other validators ignore) words a pattern or
 * an enum for people: a failure then reads "expected a US ZIP code (12345
 * or 12345-6789)" instead of quoting the regular expression; with
 * SCHEMA_REDACT a pattern without one says only that the form is wrong.
 * An unsupported keyword in a schema is an error at schema load time.
 *
 * Contract: schema_load returns a struct schema owned by the caller
 * (schema_free accepts NULL).  schema_validate returns 0 when valid; else
 * -1 with *cause set to one message per problem, newline-separated, each as
 *   NAME: PATH: WHAT
 * e.g. `brokers/spokeo.json: procedures[1].channel: "mail" is not one of
 * web, email, postal, phone, fax`.  PATH is "(top)" for the root.  With
 * SCHEMA_REDACT, messages never quote the value (for personal data).
 */
#ifndef OPTOUT_SCHEMA_H
#define OPTOUT_SCHEMA_H

struct jv;
struct schema;

#define SCHEMA_REDACT 1

struct schema *schema_load(const char *path, char **cause);
struct schema *schema_from_jv(struct jv *owned, const char *name, char **cause);
void schema_free(struct schema *s);
int schema_validate(const struct schema *s, const struct jv *doc, const char *name,
    int flags, char **cause);

#endif
