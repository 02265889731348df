/* password.h: password hashing with libcrypt (yescrypt). */
#ifndef CAMP_PASSWORD_H
#define CAMP_PASSWORD_H

#include <stddef.h>

/* malloc'd "$y$…" hash, or NULL. */
char *password_hash(const char *pw);
/* 1 when pw matches hash.  Always does the same work for unknown users:
 * call with hash == NULL to burn the time of one verification. */
int password_verify(const char *pw, const char *hash);
/* A strong random password (16 chars, mixed classes); out >= 17. */
int password_generate(char *out, size_t n);

#endif
