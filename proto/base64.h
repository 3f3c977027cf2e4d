/*
 * base64.h — standard base64 (RFC 4648 §4, alphabet A–Z a–z 0–9 + /, '=' padding),
 * as Go's encoding/json writes []byte fields (data-channel.md §5). Used by the
 * encryption challenge (§5.8) and the KMS fields of the handshake (§5.5, §5.6).
 *
 * The decoder is strict: the length must be a multiple of 4, only alphabet
 * characters may appear before the padding, padding is '=' or '==' at the very
 * end, no whitespace or line breaks, and the unused low bits of the last
 * character must be zero (so every byte string has exactly one accepted
 * encoding). Both directions work on caller buffers, allocate nothing and never
 * touch a byte outside the lengths they are given.
 */
#ifndef POSTERN_BASE64_H
#define POSTERN_BASE64_H

#include <stddef.h>
#include <stdint.h>

/* Characters base64_encode() writes for n bytes (no NUL counted), or 0 if that
 * number would not fit in a size_t. */
size_t base64_encoded_len(size_t n);

/* Upper bound of the bytes base64_decode() can produce from n characters. */
size_t base64_decoded_max(size_t n);

/*
 * Encode in[0..len) into out as text followed by a NUL; out_cap counts the NUL.
 * *out_len (may be NULL) receives the text length without the NUL.
 * Returns PROTO_OK, or PROTO_E_BUFFER_SMALL (out untouched) if out_cap is below
 * base64_encoded_len(len) + 1.
 */
int base64_encode(const uint8_t *in, size_t len, char *out, size_t out_cap, size_t *out_len);

/*
 * Decode text[0..len) (no NUL needed) into out[0..out_cap); *out_len receives
 * the number of bytes written. Returns PROTO_OK, PROTO_E_BASE64 for any
 * malformed input, or PROTO_E_BUFFER_SMALL when out_cap is too small for the
 * decoded bytes. On error the contents of out are unspecified.
 */
int base64_decode(const char *text, size_t len, uint8_t *out, size_t out_cap, size_t *out_len);

#endif
