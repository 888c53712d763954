// PNG and JPEG codecs over libpng and libjpeg, with their longjmp error handling kept inside C:
// every entry point returns 0 on success or writes a message and returns non-zero.
#ifndef CIMAGECODECS_H
#define CIMAGECODECS_H
#include <stddef.h>

/// Interleaved pixels, row-major, rows tightly packed; 16-bit samples in native byte order.
typedef struct {
    int width;
    int height;
    /// 1 (grey), 3 (RGB) or 4 (RGBA).
    int channels;
    /// 8 or 16.
    int bit_depth;
    /// width * height * channels samples; free with gic_free.
    void *pixels;
} gic_image;

/// Decodes a PNG of any colour type to grey, RGB or RGBA (palette and grey+alpha expanded).
int gic_png_decode(const unsigned char *data, size_t size, gic_image *out, char *message, size_t message_size);

/// Encodes `image` as a PNG into a new buffer (*data, *size); free it with gic_free.
int gic_png_encode(const gic_image *image, unsigned char **data, size_t *size, char *message, size_t message_size);

/// Decodes a baseline or progressive JPEG to grey or RGB, 8-bit (CMYK and YCCK converted to RGB).
/// A truncated stream is an error.
int gic_jpeg_decode(const unsigned char *data, size_t size, gic_image *out, char *message, size_t message_size);

/// Encodes an 8-bit grey or RGB `image` as a baseline JPEG of `quality` (1-100) into a new
/// buffer (*data, *size); free it with gic_free.
int gic_jpeg_encode(const gic_image *image, int quality, unsigned char **data, size_t *size, char *message,
                    size_t message_size);

void gic_free(void *pointer);

#endif
