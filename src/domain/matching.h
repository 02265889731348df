/* matching.h: matching paid members to ZSXQ users (ARCHITECTURE §6): normalisation, confidence, Levenshtein. */
#ifndef CAMP_MATCHING_H
#define CAMP_MATCHING_H

#include <stddef.h>
#include <stdint.h>

#define MATCH_NAME_MAX 128           /* code points compared; longer names are cut */
#define MATCH_FLAG_NICK "昵称不符"

/* A ZSXQ user as the sync saw it. */
struct match_user {
	const char *user_id;             /* decimal text */
	const char *name;
	const char *alias;               /* may be NULL or "" */
};

/* What a member filled in. */
struct match_member {
	const char *planet_user_id;
	const char *planet_nickname;
	const char *wechat_nickname;
};

struct match_result {
	int confidence;                  /* 100, 66, 33 or 0 */
	long user;                       /* index into the users, -1 for none */
	const char *flags;               /* MATCH_FLAG_NICK or NULL */
};

/* UTF-8 → code points, trimmed (ASCII and ideographic spaces, NBSP) with
 * fullwidth ASCII (U+FF01–FF5E) and U+3000 folded to ASCII.  Invalid bytes
 * stay as themselves.  Returns the number of code points written (≤ cap). */
size_t match_normalize(const char *s, uint32_t *out, size_t cap);
/* 1 when both are non-empty and equal after normalisation. */
int match_names_equal(const char *a, const char *b);
/* Levenshtein distance over normalised code points. */
size_t match_levenshtein(const char *a, const char *b);

/* The confidence rules of ARCHITECTURE §6 against a list of users. */
void match_member(const struct match_member *m, const struct match_user *users, size_t n,
                  struct match_result *out);

#endif
