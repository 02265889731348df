/* qrpng.c: render libqrencode's module matrix into a grey PNG in memory. */
#include "qrpng.h"
#include "buf.h"

#include <png.h>
#include <qrencode.h>
#include <stdlib.h>
#include <string.h>

#define QUIET 4

static void write_buf(png_structp png, png_bytep data, png_size_t n)
{
	buf_append(png_get_io_ptr(png), data, n);
}

static void flush_nothing(png_structp png)
{
	(void)png;
}

unsigned char *qrpng_encode(const char *text, int scale, size_t *len, int *side_out)
{
	if (text == NULL || scale < 1 || scale > 32)
		return NULL;
	QRcode *qr = QRcode_encodeString8bit(text, 0, QR_ECLEVEL_M);
	if (qr == NULL)
		return NULL;
	int side = (qr->width + 2 * QUIET) * scale;
	struct buf out = BUF_INIT;
	unsigned char *row = malloc((size_t)side);
	png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, NULL, NULL, NULL);
	png_infop info = png ? png_create_info_struct(png) : NULL;
	unsigned char *result = NULL;
	if (row == NULL || info == NULL)
		goto out;
	if (setjmp(png_jmpbuf(png)))
		goto out;
	png_set_write_fn(png, &out, write_buf, flush_nothing);
	png_set_IHDR(png, info, (png_uint_32)side, (png_uint_32)side, 8, PNG_COLOR_TYPE_GRAY,
	             PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
	png_write_info(png, info);
	for (int y = 0; y < side; y++) {
		int my = y / scale - QUIET;
		for (int x = 0; x < side; x++) {
			int mx = x / scale - QUIET;
			int dark = mx >= 0 && my >= 0 && mx < qr->width && my < qr->width &&
			           (qr->data[my * qr->width + mx] & 1);
			row[x] = dark ? 0 : 255;
		}
		png_write_row(png, row);
	}
	png_write_end(png, NULL);
	result = (unsigned char *)buf_detach(&out, len);
	if (side_out != NULL)
		*side_out = side;
out:
	png_destroy_write_struct(&png, &info);
	free(row);
	buf_free(&out);
	QRcode_free(qr);
	return result;
}
