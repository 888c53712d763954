// JPEG read and write with libjpeg; error_exit longjmps back here instead of exiting the process.
#include "CImageCodecs.h"
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <jpeglib.h>
#include <jerror.h>

typedef struct {
    struct jpeg_error_mgr base;
    jmp_buf jump;
    char *message;
    size_t message_size;
    int truncated;
} jpeg_context;

static void on_error_exit(j_common_ptr cinfo) {
    jpeg_context *ctx = (jpeg_context *)cinfo->err;
    char text[JMSG_LENGTH_MAX];
    (*cinfo->err->format_message)(cinfo, text);
    snprintf(ctx->message, ctx->message_size, "%s", text);
    longjmp(ctx->jump, 1);
}

/// Warnings (level -1) are corrupt-data notes; a premature end of the data is remembered as fatal.
static void on_emit_message(j_common_ptr cinfo, int level) {
    jpeg_context *ctx = (jpeg_context *)cinfo->err;
    if (level < 0 && cinfo->err->msg_code == JWRN_JPEG_EOF) ctx->truncated = 1;
    if (level < 0) cinfo->err->num_warnings++;
}

/// Resets `ctx` and makes it the error manager: messages go to `message`, errors longjmp.
static struct jpeg_error_mgr *start_errors(jpeg_context *ctx, char *message, size_t message_size) {
    memset(ctx, 0, sizeof(*ctx));
    ctx->message = message;
    ctx->message_size = message_size;
    struct jpeg_error_mgr *errors = jpeg_std_error(&ctx->base);
    ctx->base.error_exit = on_error_exit;
    ctx->base.emit_message = on_emit_message;
    return errors;
}

/// CMYK samples (libjpeg turns YCCK into CMYK) to RGB, each channel ink × black / 255 rounded. The
/// inks are read as Adobe stores them, inverted (255 is no ink), with or without Adobe's marker, as
/// Pillow and OpenCV read them: writers of CMYK JPEGs follow Photoshop.
static void ink_to_rgb(const unsigned char *cmyk, unsigned char *rgb, size_t width) {
    for (size_t x = 0; x < width; x++) {
        const unsigned char *in = cmyk + 4 * x;
        for (int c = 0; c < 3; c++) rgb[3 * x + c] = (unsigned char)((in[c] * in[3] + 127u) / 255u);
    }
}

int gic_jpeg_decode(const unsigned char *data, size_t size, gic_image *out, char *message, size_t message_size) {
    struct jpeg_decompress_struct cinfo;
    jpeg_context ctx;
    unsigned char *volatile pixels = NULL;
    unsigned char *volatile ink_row = NULL;
    memset(out, 0, sizeof(*out));
    if (size < 4 || data[0] != 0xFF || data[1] != 0xD8) {
        snprintf(message, message_size, "not a JPEG (the start-of-image marker FF D8 is missing)");
        return 1;
    }
    cinfo.err = start_errors(&ctx, message, message_size);
    if (setjmp(ctx.jump)) {
        jpeg_destroy_decompress(&cinfo);
        free(pixels);
        free(ink_row);
        return 1;
    }
    jpeg_create_decompress(&cinfo);
    jpeg_mem_src(&cinfo, (unsigned char *)data, (unsigned long)size);
    jpeg_read_header(&cinfo, TRUE);
    int ink = cinfo.jpeg_color_space == JCS_CMYK || cinfo.jpeg_color_space == JCS_YCCK;
    if (cinfo.num_components == 1) {
        cinfo.out_color_space = JCS_GRAYSCALE;
    } else if (cinfo.jpeg_color_space == JCS_YCbCr || cinfo.jpeg_color_space == JCS_RGB) {
        cinfo.out_color_space = JCS_RGB;
    } else if (ink) {
        cinfo.out_color_space = JCS_CMYK;
    } else {
        snprintf(message, message_size, "unsupported JPEG colour space %d; convert it to RGB",
                 (int)cinfo.jpeg_color_space);
        jpeg_destroy_decompress(&cinfo);
        return 1;
    }
    jpeg_start_decompress(&cinfo);
    size_t width = cinfo.output_width, height = cinfo.output_height, channels = cinfo.output_components;
    if (ink) channels = 3;
    if (width == 0 || height == 0) {
        snprintf(message, message_size, "the image has zero size");
        jpeg_destroy_decompress(&cinfo);
        return 1;
    }
    pixels = malloc(width * height * channels);
    if (ink) ink_row = malloc(width * 4);
    if (!pixels || (ink && !ink_row)) {
        snprintf(message, message_size, "out of memory for %zu x %zu pixels", width, height);
        jpeg_destroy_decompress(&cinfo);
        free(pixels);
        free(ink_row);
        return 1;
    }
    while (cinfo.output_scanline < cinfo.output_height && !ctx.truncated) {
        unsigned char *target = pixels + (size_t)cinfo.output_scanline * width * channels;
        JSAMPROW row = ink ? ink_row : target;
        jpeg_read_scanlines(&cinfo, &row, 1);
        if (ink) ink_to_rgb(ink_row, target, width);
    }
    free(ink_row);
    ink_row = NULL;
    if (!ctx.truncated) jpeg_finish_decompress(&cinfo);
    jpeg_destroy_decompress(&cinfo);
    if (ctx.truncated) {
        snprintf(message, message_size, "the file ends early (truncated JPEG data)");
        free(pixels);
        return 1;
    }
    out->width = (int)width;
    out->height = (int)height;
    out->channels = (int)channels;
    out->bit_depth = 8;
    out->pixels = pixels;
    return 0;
}

int gic_jpeg_encode(const gic_image *image, int quality, unsigned char **data, size_t *size, char *message,
                    size_t message_size) {
    struct jpeg_compress_struct cinfo;
    jpeg_context ctx;
    unsigned char *volatile buffer = NULL;
    unsigned long buffer_size = 0;
    *data = NULL;
    *size = 0;
    if ((image->channels != 1 && image->channels != 3) || image->bit_depth != 8) {
        snprintf(message, message_size, "%d channels at %d bits (JPEG takes 8-bit grey or RGB)", image->channels,
                 image->bit_depth);
        return 1;
    }
    if (image->width <= 0 || image->height <= 0) {
        snprintf(message, message_size, "the image has zero size (%d x %d)", image->width, image->height);
        return 1;
    }
    cinfo.err = start_errors(&ctx, message, message_size);
    if (setjmp(ctx.jump)) {
        jpeg_destroy_compress(&cinfo);
        free(buffer);
        return 1;
    }
    jpeg_create_compress(&cinfo);
    jpeg_mem_dest(&cinfo, (unsigned char **)&buffer, &buffer_size);
    cinfo.image_width = (JDIMENSION)image->width;
    cinfo.image_height = (JDIMENSION)image->height;
    cinfo.input_components = image->channels;
    cinfo.in_color_space = image->channels == 1 ? JCS_GRAYSCALE : JCS_RGB;
    jpeg_set_defaults(&cinfo);
    jpeg_set_quality(&cinfo, quality < 1 ? 1 : quality > 100 ? 100 : quality, TRUE);
    jpeg_start_compress(&cinfo, TRUE);
    size_t row_bytes = (size_t)image->width * image->channels;
    while (cinfo.next_scanline < cinfo.image_height) {
        JSAMPROW row = (JSAMPROW)image->pixels + (size_t)cinfo.next_scanline * row_bytes;
        jpeg_write_scanlines(&cinfo, &row, 1);
    }
    jpeg_finish_compress(&cinfo);
    jpeg_destroy_compress(&cinfo);
    *data = buffer;
    *size = buffer_size;
    return 0;
}
