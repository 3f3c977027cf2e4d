/*
 * uuid.h — the 16-byte message ids of the data channel.
 *
 * A `struct uuid` holds the RFC 4122 byte string u[0..15] in printed order. On the
 * wire (data-channel.md §2.6) the halves are swapped: u[8..15] first, then u[0..7];
 * uuid_to_wire()/uuid_from_wire() do that swap. The printed form is lower-case,
 * hyphenated 8-4-4-4-12. The module owns no randomness: uuid_v4_from_bytes() turns
 * 16 caller-supplied random bytes into a version-4 UUID.
 */
#ifndef POSTERN_UUID_H
#define POSTERN_UUID_H

#include <stdint.h>
#include <stdbool.h>

#define UUID_LEN 16
#define UUID_STR_LEN 36 /* without the terminating NUL */

struct uuid {
	uint8_t b[UUID_LEN];
};

/* Set the version (4) and variant (10xx) bits of 16 random bytes. */
struct uuid uuid_v4_from_bytes(const uint8_t random16[UUID_LEN]);

/* Write the printed form and a NUL into out (UUID_STR_LEN + 1 bytes). */
void uuid_format(const struct uuid *id, char out[UUID_STR_LEN + 1]);

/* Parse exactly 36 characters of 8-4-4-4-12 hex (either case), NUL-terminated.
 * Returns PROTO_OK or PROTO_E_UUID. */
int uuid_parse(const char *text, struct uuid *out);

/* Wire order: second half first (data-channel.md §2.6). */
void uuid_to_wire(const struct uuid *id, uint8_t wire[UUID_LEN]);
void uuid_from_wire(const uint8_t wire[UUID_LEN], struct uuid *out);

bool uuid_equal(const struct uuid *a, const struct uuid *b);

#endif
