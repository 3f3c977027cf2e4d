/*
 * json_util.h — the JSON plumbing shared by the payload codecs (payload_*.c);
 * not part of the public payload API, and the only place that maps jansson's
 * failures onto enum proto_err.
 *
 * Reading follows Go's encoding/json, which produced and consumes these
 * payloads (data-channel.md §5):
 *   - keys match case-insensitively (ASCII), an exact match winning; among
 *     several case-insensitive matches the last one in the text wins;
 *   - unknown keys are ignored;
 *   - a missing key and a JSON null both read as the zero value, except where
 *     the caller asks for JSON_UTIL_REQUIRED (then PROTO_E_FIELD_MISSING);
 *   - a value of the wrong JSON type is PROTO_E_FIELD_TYPE, a number outside
 *     the field's range (or not an integer) PROTO_E_FIELD_RANGE.
 * Writing is compact (no whitespace) with keys in insertion order.
 *
 * Every function returning int returns PROTO_OK or a negative proto_err code;
 * on error it leaves nothing allocated and its outputs untouched, except where
 * its comment says otherwise (the struct readers of the field tables).
 *
 * json_util.c holds parsing, output and the getters; json_util_fields.c the
 * field tables and the decoder body.
 */
#ifndef POSTERN_JSON_UTIL_H
#define POSTERN_JSON_UTIL_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define JSON_UTIL_COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* The (fields, n) argument pair of the table functions below, for an array. */
#define JSON_UTIL_FIELDS(table) (table), JSON_UTIL_COUNT(table)

/*
 * Largest JSON text a writer embeds (raw members, e.g. Properties). Larger than
 * the 64 KiB decode cap on purpose: jansson re-serializes reals at 17 digits
 * ("1e9" becomes "1000000000.0"), so a value decoded from a 64 KiB payload can
 * come back several times longer, and encoding it must still work.
 */
#define JSON_UTIL_TEXT_MAX (1024u * 1024u)

/* What a getter does when the key is missing or null, and (in field tables) what
 * the writer does with a NULL string. */
enum json_util_absent {
	JSON_UTIL_ZERO,     /* read: the zero value ("", 0, false); write: NULL is
			     * PROTO_E_INVALID_ARG (raw JSON: null) */
	JSON_UTIL_NULL,     /* read: NULL (numbers: 0); write: NULL as null */
	JSON_UTIL_OMIT,     /* read: NULL (numbers: 0); write: NULL leaves the key out */
	JSON_UTIL_REQUIRED, /* read: PROTO_E_FIELD_MISSING; write: as ZERO */
};

/*
 * Parse buf[0..len) as one JSON object. Inputs longer than max are refused
 * before any parsing (PROTO_E_TOO_LARGE). Malformed JSON, invalid UTF-8, a \u0000
 * escape, or a top-level value that is not an object give PROTO_E_JSON; an
 * integer beyond int64 or a real beyond double gives PROTO_E_FIELD_RANGE. On
 * success *out holds a new reference the caller must json_decref().
 */
int json_util_parse_object(const uint8_t *buf, size_t len, size_t max, json_t **out);

/*
 * Parse a NUL-terminated JSON text holding any value (used to embed JSON kept
 * as text, e.g. Properties). NULL text yields a JSON null. Longer than max:
 * PROTO_E_TOO_LARGE; not JSON: PROTO_E_JSON. *out is a new reference.
 */
int json_util_parse_text(const char *text, size_t max, json_t **out);

/*
 * Serialize value compactly (keys in insertion order) into a malloc'd buffer
 * of *out_len bytes, not NUL-terminated, that the caller frees. Any JSON value
 * is accepted. Returns PROTO_OK or PROTO_E_NOMEM.
 */
int json_util_dump(const json_t *value, uint8_t **out, size_t *out_len);

/* As json_util_dump, but a malloc'd NUL-terminated string. */
int json_util_dump_text(const json_t *value, char **out);

/*
 * json_pack_ex() with the failure mapped: NULL for a required string or
 * invalid UTF-8 is PROTO_E_INVALID_ARG, allocation failure PROTO_E_NOMEM.
 * As with json_pack, "o" arguments are stolen even on failure.
 */
int json_util_pack(json_t **out, const char *fmt, ...);

/*
 * Pack an object from fmt, serialize it as json_util_dump does, and release
 * it. The one-call encoder for flat payloads.
 */
int json_util_pack_dump(uint8_t **out, size_t *out_len, const char *fmt, ...);

/*
 * The value for key in obj, Go-style (see above). NULL when the key is missing
 * or its value is JSON null. Borrowed: valid while obj is.
 */
json_t *json_util_get(const json_t *obj, const char *key);

/* A string, copied into a malloc'd NUL-terminated buffer. */
int json_util_get_string(const json_t *obj, const char *key, enum json_util_absent absent,
			 char **out);

/* The same for a value already looked up (NULL = missing). */
int json_util_string_value(const json_t *v, enum json_util_absent absent, char **out);

/*
 * An integer in [min, max]. Reals, even integral ones, are PROTO_E_FIELD_RANGE
 * (Go refuses "1.0" for an integer field). Missing reads as 0 unless
 * JSON_UTIL_REQUIRED.
 */
int json_util_get_int(const json_t *obj, const char *key, int64_t min, int64_t max,
		      enum json_util_absent absent, int64_t *out);

/* true or false; missing reads as false. */
int json_util_get_bool(const json_t *obj, const char *key, bool *out);

/*
 * A []byte field: base64 text decoded into a malloc'd buffer. Missing or null
 * gives *out = NULL, *out_len = 0 (or PROTO_E_FIELD_MISSING when required); a
 * present string, even "", gives a non-NULL buffer. More than max decoded
 * bytes: PROTO_E_TOO_LARGE; malformed: PROTO_E_BASE64.
 */
int json_util_get_bytes(const json_t *obj, const char *key, size_t max,
			enum json_util_absent absent, uint8_t **out, size_t *out_len);

/* The base64 JSON string for data[0..len), or JSON null when data is NULL. */
int json_util_bytes_value(const uint8_t *data, size_t len, json_t **out);

/*
 * Any value kept as compact JSON text (malloc'd), for fields whose shape the
 * codec does not own. Missing or null gives NULL (or PROTO_E_FIELD_MISSING if
 * required).
 */
int json_util_get_raw(const json_t *obj, const char *key, enum json_util_absent absent,
		      char **out);

/*
 * A []string field: *out is a malloc'd, NULL-terminated array of malloc'd
 * strings with *count entries, or NULL (count 0) for a missing or null key.
 * An empty JSON array gives a non-NULL array holding only the terminator.
 * Null elements read as "". More than max_items: PROTO_E_TOO_LARGE.
 * Free with json_util_free_strings().
 */
int json_util_get_strings(const json_t *obj, const char *key, size_t max_items, char ***out,
			  size_t *count);

/* A JSON array of count strings, or JSON null when strings is NULL. */
int json_util_strings_value(char *const *strings, size_t count, json_t **out);

/* Free a list from json_util_get_strings(); NULL is fine. */
void json_util_free_strings(char **strings);

/*
 * Reads one element of an object array into *item (zeroed beforehand). v is
 * the element's object, or NULL for a JSON null element (every key then reads
 * as missing). On error the reader must leave *item owning nothing.
 */
typedef int (*json_util_item_reader)(const json_t *v, void *item);
typedef void (*json_util_item_release)(void *item);

/*
 * An array-of-objects field: a malloc'd array of *count items of item_size
 * bytes, each filled by read(), or NULL with *count 0 for a missing/null key
 * or an empty array. Not an array, or an element neither an object nor null:
 * PROTO_E_FIELD_TYPE; more than max_items: PROTO_E_TOO_LARGE. On error every
 * item already read is passed to release() and nothing stays allocated.
 */
int json_util_get_objects(const json_t *obj, const char *key, size_t max_items,
			  size_t item_size, json_util_item_reader read,
			  json_util_item_release release, void **out, size_t *count);

/* Builds the JSON value of one item (a new reference in *out). */
typedef int (*json_util_item_builder)(const void *item, json_t **out);

/* A JSON array of count items built by build() (always an array, [] when 0). */
int json_util_objects_value(const void *items, size_t count, size_t item_size,
			    json_util_item_builder build, json_t **out);

/* Reads a whole parsed payload into out. */
typedef int (*json_util_reader)(const json_t *root, void *out);

/*
 * The body of every JSON decoder: zero out[0..out_size), parse buf as an object
 * capped at max bytes (json_util_parse_object), run read(root, out) and release
 * the parse tree. Returns the first error; the caller frees *out on error.
 */
int json_util_decode(const uint8_t *buf, size_t len, size_t max, json_util_reader read,
		     void *out, size_t out_size);

/* ---- flat objects described by a field table ----------------------------- */

enum json_util_type {
	JSON_UTIL_STRING, /* char * */
	JSON_UTIL_INT32,  /* int32_t */
	JSON_UTIL_UINT32, /* uint32_t */
	JSON_UTIL_INT64,  /* int64_t */
	JSON_UTIL_RAW,    /* char *: any JSON value as compact text, NULL = null */
};

/*
 * One member of a C struct mirrored by one JSON key. Tables list the keys in
 * wire order; `absent` says how a missing key reads and how a NULL string or
 * raw member is written. Raw members are written by parsing their text with
 * json_util_parse_text(), capped at JSON_UTIL_TEXT_MAX bytes.
 */
struct json_util_field {
	const char *key;
	enum json_util_type type;
	size_t offset; /* offsetof() the member */
	enum json_util_absent absent;
};

/* Read every field of the table from obj into the struct at out. On error the
 * strings already read stay in *out for the caller to free. */
int json_util_read_fields(const json_t *obj, const struct json_util_field *fields, size_t n,
			  void *out);

/* Append every field of the table, in order, from the struct at in to obj. */
int json_util_write_fields(json_t *obj, const struct json_util_field *fields, size_t n,
			   const void *in);

/* A new object holding every field of the table. */
int json_util_fields_value(const struct json_util_field *fields, size_t n, const void *in,
			   json_t **out);

/* A whole flat payload: a new object from the table, serialized compactly. */
int json_util_encode_fields(const struct json_util_field *fields, size_t n, const void *in,
			    uint8_t **out, size_t *out_len);

/* A whole flat payload read with the table (as json_util_decode). */
int json_util_decode_fields(const uint8_t *buf, size_t len, size_t max,
			    const struct json_util_field *fields, size_t n, void *out,
			    size_t out_size);

/* Free the string and raw members named by the table and zero the struct. */
void json_util_free_fields(const struct json_util_field *fields, size_t n, void *obj,
			   size_t obj_size);

#endif
