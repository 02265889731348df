/* seed_demo.h: `campctl seed-demo` — a living demo system in one transaction. */
#ifndef CAMP_CTL_SEED_DEMO_H
#define CAMP_CTL_SEED_DEMO_H

#include <stdio.h>

struct db;

/* Seeds camps in every state (with posters and group QR codes), coaches and
 * volunteers, members in every binding state, check-ins and refunds.
 * Refuses (CAMP_ECONFLICT, nothing written) when the database was seeded
 * before.  Prints what it did (and the demo users' generated passwords,
 * once) to out.  CAMP_OK or another code with the reason on stderr. */
int seed_demo(struct db *d, FILE *out);

#endif
