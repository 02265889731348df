/* demo_images.c: gradient posters and QR codes as PNG, in memory (libpng, libqrencode). */
#include "demo_images.h"
#include "qrpng.h"
#include "buf.h"
#include "camp.h"

#include <png.h>
#include <stdlib.h>
#include <string.h>

static void write_to_buf(png_structp png, png_bytep data, png_size_t n)
{
	buf_append(png_get_io_ptr(png), data, n);
}

static void flush_nothing(png_structp png)
{
	(void)png;
}

/* Encodes rows of 8-bit RGB (channels 3) or grey (channels 1) pixels. */
static int encode(const unsigned char *pixels, int w, int h, int channels,
                  struct png_image_buf *out)
{
	struct buf b = BUF_INIT;
	png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, NULL, NULL, NULL);
	png_infop info = png ? png_create_info_struct(png) : NULL;
	if (png == NULL || info == NULL) {
		png_destroy_write_struct(&png, &info);
		return CAMP_ERR;
	}
	if (setjmp(png_jmpbuf(png))) {
		png_destroy_write_struct(&png, &info);
		buf_free(&b);
		return CAMP_ERR;
	}
	png_set_write_fn(png, &b, write_to_buf, flush_nothing);
	png_set_IHDR(png, info, (png_uint_32)w, (png_uint_32)h, 8,
	             channels == 3 ? PNG_COLOR_TYPE_RGB : PNG_COLOR_TYPE_GRAY,
	             PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
	png_set_compression_level(png, 9);
	png_write_info(png, info);
	for (int y = 0; y < h; y++)
		png_write_row(png, (png_const_bytep)(pixels + (size_t)y * (size_t)w * (size_t)channels));
	png_write_end(png, NULL);
	png_destroy_write_struct(&png, &info);
	out->bytes = (unsigned char *)buf_detach(&b, &out->len);
	out->width = w;
	out->height = h;
	return out->bytes ? CAMP_OK : CAMP_ERR;
}

static unsigned char mix(unsigned a, unsigned b, double t)
{
	return (unsigned char)((double)a + ((double)b - (double)a) * t + 0.5);
}

int demo_poster_png(unsigned top, unsigned bottom, int width, int height,
                    struct png_image_buf *out)
{
	static const struct { double x, y, r, alpha; } circles[] = {
		{ 0.82, 0.16, 0.22, 0.18 }, { 0.12, 0.70, 0.30, 0.12 }, { 0.60, 0.92, 0.18, 0.15 },
	};
	memset(out, 0, sizeof(*out));
	if (width <= 0 || height <= 0 || width > 2000 || height > 2000)
		return CAMP_ERR;
	unsigned char *px = malloc((size_t)width * (size_t)height * 3);
	if (px == NULL)
		return CAMP_ERR;
	for (int y = 0; y < height; y++) {
		for (int x = 0; x < width; x++) {
			double t = ((double)y / height * 0.75) + ((double)x / width * 0.25);
			unsigned char *p = px + ((size_t)y * (size_t)width + (size_t)x) * 3;
			for (int ch = 0; ch < 3; ch++) {
				int shift = 16 - ch * 8;
				double v = mix((top >> shift) & 0xff, (bottom >> shift) & 0xff, t);
				for (size_t k = 0; k < CAMP_ARRAY_LEN(circles); k++) {
					double dx = (double)x / width - circles[k].x;
					double dy = ((double)y - circles[k].y * height) / width;
					if (dx * dx + dy * dy < circles[k].r * circles[k].r)
						v += (255.0 - v) * circles[k].alpha;   /* lighten */
				}
				p[ch] = (unsigned char)(v > 255.0 ? 255.0 : v);
			}
		}
	}
	int rc = encode(px, width, height, 3, out);
	free(px);
	return rc;
}

int demo_qr_png(const char *text, int scale, struct png_image_buf *out)
{
	memset(out, 0, sizeof(*out));
	out->bytes = qrpng_encode(text, scale, &out->len, &out->width);
	out->height = out->width;
	return out->bytes ? CAMP_OK : CAMP_ERR;
}

void demo_image_free(struct png_image_buf *img)
{
	free(img->bytes);
	img->bytes = NULL;
	img->len = 0;
}
