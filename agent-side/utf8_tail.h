/*
 * utf8_tail.h — where a chunk of terminal output may be cut without splitting
 * a UTF-8 character (data-channel.md §7.1: the official agent holds back up to
 * three bytes of an incomplete character for the next message).
 *
 * Pure: no I/O, no allocation. Invalid bytes are not this module's concern:
 * anything that cannot be the start of a valid character is passed through
 * (reported as complete), exactly as the official agent does.
 */
#ifndef POSTERN_UTF8_TAIL_H
#define POSTERN_UTF8_TAIL_H

#include <stddef.h>
#include <stdint.h>

/* The most bytes utf8_tail_incomplete() ever holds back. */
#define UTF8_TAIL_MAX 3u

/*
 * How many bytes at the end of buf[0..len) are the valid beginning of a
 * character whose remaining bytes have not arrived yet: 0 (the chunk ends on a
 * character boundary, or with bytes that can never become valid UTF-8) up to
 * UTF8_TAIL_MAX. Send buf[0..len - n) now and keep the n bytes for the next
 * chunk.
 */
size_t utf8_tail_incomplete(const uint8_t *buf, size_t len);

#endif
