/* qrpng.h: a QR code (libqrencode) as a PNG image (libpng), in memory. */
#ifndef CAMP_QRPNG_H
#define CAMP_QRPNG_H

#include <stddef.h>

/* The PNG of text as a QR code (level M, 4-module quiet zone), each module
 * scale×scale pixels.  malloc'd, *len set, and the image's width (= height)
 * in *side when side is not NULL; NULL on failure. */
unsigned char *qrpng_encode(const char *text, int scale, size_t *len, int *side);

#endif
