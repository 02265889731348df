/* demo_images.h: PNG images drawn in code for the demo data (posters, group QR codes). */
#ifndef CAMP_CTL_DEMO_IMAGES_H
#define CAMP_CTL_DEMO_IMAGES_H

#include <stddef.h>

struct png_image_buf {
	unsigned char *bytes;   /* malloc'd PNG file */
	size_t len;
	int width, height;
};

/* A soft two-colour diagonal gradient with a few light circles, no text.
 * Colours are 0xRRGGBB.  CAMP_OK or CAMP_ERR. */
int demo_poster_png(unsigned top, unsigned bottom, int width, int height,
                    struct png_image_buf *out);
/* A real QR code of text (libqrencode, level M), scale pixels a module,
 * 4-module quiet zone.  CAMP_OK or CAMP_ERR. */
int demo_qr_png(const char *text, int scale, struct png_image_buf *out);
void demo_image_free(struct png_image_buf *img);

#endif
