/*
 * store_fixture.h — what the store tests (tests/unit/test_store_*.c) share:
 * a fresh state.db in its own mkdtemp directory for every test (removed
 * afterwards), deterministic "random" bytes, a look at the connection's
 * pragmas and raw SQL for white-box checks, and builders for the rows most
 * tests need.
 *
 * Use it as: TestSuite(store_x, .init = fx_setup, .fini = fx_teardown);
 * Criterion runs each test in its own process, so the fixture's state is
 * per test. Helpers assert (cr_assert) on anything unexpected.
 */
#ifndef POSTERN_STORE_FIXTURE_H
#define POSTERN_STORE_FIXTURE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../../broker/store.h"

/* A fixed "now" the tests start from (2023-11-14T22:13:20Z). */
#define FX_NOW INT64_C(1700000000)

void fx_setup(void);
void fx_teardown(void);

/* The open store, its file and its directory. */
struct store *fx_store(void);
const char *fx_path(void);
const char *fx_dir(void);

/* Close and open the same file again (asserting success). */
void fx_reopen(void);

/* Close the store (fx_store() is NULL until fx_reopen()). */
void fx_close(void);

/* n bytes that depend only on seed (different seeds, different bytes). */
void fx_random(uint8_t *out, size_t n, uint32_t seed);

/* Integer value of PRAGMA name on the store's own connection. */
long fx_pragma_int(const char *name);

/* Text value of PRAGMA name into buf. */
void fx_pragma_text(const char *name, char *buf, size_t cap);

/* Run SQL on the store's connection; the SQLite result code. */
int fx_exec(const char *sql);

/* One integer from a one-row query on the store's connection. */
long long fx_query_int(const char *sql);

/* Whether the database file or its WAL contains needle (bytes, no NUL). */
bool fx_file_contains(const char *needle);

/* Lower-case hex SHA-256 of text. */
void fx_sha256_hex(const char *text, char out[65]);

/* File mode bits (07777) of path, or -1 if it does not exist. */
int fx_mode(const char *path);

/* Builders: create a row with plausible values, asserting STORE_OK. */
void fx_activation(const char *code, int limit, int64_t expires, uint32_t seed,
		   char id[STORE_UUID_LEN + 1]);
void fx_instance(const char *activation_id, const char *serial, uint32_t seed,
		 char id[STORE_INSTANCE_ID_LEN + 1]);
void fx_session(const char *caller, const char *target, int64_t start, uint32_t seed,
		char id[STORE_SESSION_ID_MAX + 1]);

#endif
