/* camp.h: return codes and small helpers shared by every module. */
#ifndef CAMP_H
#define CAMP_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>

/* Every fallible function returns one of these; callers compare against
 * CAMP_OK by name so the meaning survives new codes being added. */
enum camp_rc {
	CAMP_OK = 0,
	CAMP_ERR,        /* unexpected failure (logged where it happened) */
	CAMP_EINVAL,     /* bad input: the caller shows a message */
	CAMP_ENOTFOUND,  /* no such row / resource */
	CAMP_EDB,        /* database unreachable or query failed */
	CAMP_ECONFLICT,  /* state does not allow the action */
	CAMP_ETOOBIG,    /* input over a size limit */
	CAMP_ECRYPTO,    /* signature / decryption / key failure */
	CAMP_EBUSY,      /* a lock is held by someone else */
	CAMP_EPROVIDER,  /* an outside service failed */
	CAMP_EEXPIRED,   /* an outside service no longer accepts our credentials */
};

#define CAMP_ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

#endif
