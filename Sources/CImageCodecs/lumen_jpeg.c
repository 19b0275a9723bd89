// JPEG decoding through libjpeg(-turbo) with a setjmp error manager.
#include "lumen_codecs.h"

#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <jpeglib.h>

typedef struct lumen_jpeg_error {
    struct jpeg_error_mgr base;
    jmp_buf jump;
    int status;
    char message[JMSG_LENGTH_MAX];
} lumen_jpeg_error;

static void lumen_jpeg_error_exit(j_common_ptr cinfo) {
    lumen_jpeg_error *err = (lumen_jpeg_error *)cinfo->err;
    (*cinfo->err->format_message)(cinfo, err->message);
    err->status = LUMEN_CODEC_CORRUPT;
    longjmp(err->jump, 1);
}

// libjpeg reports corrupt or truncated entropy data as a warning and fills the rest with grey.
// Lumen would rather refuse the image than explain a half-grey picture.
static void lumen_jpeg_emit_message(j_common_ptr cinfo, int level) {
    if (level < 0) {
        lumen_jpeg_error *err = (lumen_jpeg_error *)cinfo->err;
        (*cinfo->err->format_message)(cinfo, err->message);
        err->status = LUMEN_CODEC_CORRUPT;
        longjmp(err->jump, 1);
    }
}

static void lumen_jpeg_silent(j_common_ptr cinfo) { (void)cinfo; }

static void copy_message(char *dst, const char *src) {
    snprintf(dst, LUMEN_CODEC_MESSAGE_LENGTH, "%s", src);
}

int lumen_jpeg_decode(const uint8_t *data, size_t size, uint64_t max_pixels,
                      lumen_decoded_image *out) {
    if (out == NULL) return LUMEN_CODEC_INVALID_ARGUMENT;
    memset(out, 0, sizeof(*out));
    if (data == NULL || size < 4) {
        copy_message(out->message, "not a JPEG file (too short)");
        return LUMEN_CODEC_CORRUPT;
    }
    if (size > (size_t)0xFFFFFFFFu) {
        copy_message(out->message, "JPEG data larger than 4 GiB");
        return LUMEN_CODEC_TOO_LARGE;
    }

    struct jpeg_decompress_struct cinfo;
    lumen_jpeg_error err;
    memset(&cinfo, 0, sizeof(cinfo));
    memset(&err, 0, sizeof(err));
    uint8_t *volatile pixels = NULL;
    JSAMPLE *volatile cmyk_row = NULL;

    cinfo.err = jpeg_std_error(&err.base);
    err.base.error_exit = lumen_jpeg_error_exit;
    err.base.emit_message = lumen_jpeg_emit_message;
    err.base.output_message = lumen_jpeg_silent;

    if (setjmp(err.jump)) {
        copy_message(out->message, err.message);
        jpeg_destroy_decompress(&cinfo);
        free(pixels);
        free(cmyk_row);
        out->pixels = NULL;
        return err.status ? err.status : LUMEN_CODEC_CORRUPT;
    }

    jpeg_create_decompress(&cinfo);
    jpeg_mem_src(&cinfo, data, (unsigned long)size);
    jpeg_read_header(&cinfo, TRUE);

    uint64_t w = cinfo.image_width, h = cinfo.image_height;
    if (w == 0 || h == 0) {
        snprintf(err.message, sizeof(err.message), "JPEG has zero width or height");
        err.status = LUMEN_CODEC_CORRUPT;
        longjmp(err.jump, 1);
    }
    if (w * h > max_pixels) {
        snprintf(err.message, sizeof(err.message),
                 "JPEG is %llux%llu = %llu pixels, over the budget of %llu pixels",
                 (unsigned long long)w, (unsigned long long)h, (unsigned long long)(w * h),
                 (unsigned long long)max_pixels);
        err.status = LUMEN_CODEC_TOO_LARGE;
        longjmp(err.jump, 1);
    }

    int is_cmyk = cinfo.jpeg_color_space == JCS_CMYK || cinfo.jpeg_color_space == JCS_YCCK;
    // Adobe applications write CMYK JPEGs with inverted samples (0 = full ink).
    int inverted = is_cmyk && cinfo.saw_Adobe_marker;
    out->source_components = is_cmyk ? 4 : (cinfo.num_components == 1 ? 1 : 3);
    cinfo.out_color_space = is_cmyk ? JCS_CMYK : JCS_RGB;

    jpeg_start_decompress(&cinfo);
    size_t row_bytes = (size_t)w * 3;
    pixels = (uint8_t *)malloc(row_bytes * (size_t)h);
    if (is_cmyk) cmyk_row = (JSAMPLE *)malloc((size_t)w * 4);
    if (pixels == NULL || (is_cmyk && cmyk_row == NULL)) {
        snprintf(err.message, sizeof(err.message), "out of memory decoding a %llux%llu JPEG",
                 (unsigned long long)w, (unsigned long long)h);
        err.status = LUMEN_CODEC_NO_MEMORY;
        longjmp(err.jump, 1);
    }

    while (cinfo.output_scanline < cinfo.output_height) {
        uint8_t *dst = pixels + (size_t)cinfo.output_scanline * row_bytes;
        if (!is_cmyk) {
            JSAMPROW row = dst;
            jpeg_read_scanlines(&cinfo, &row, 1);
        } else {
            JSAMPROW row = cmyk_row;
            jpeg_read_scanlines(&cinfo, &row, 1);
            for (size_t x = 0; x < (size_t)w; x++) {
                unsigned c = cmyk_row[4 * x], m = cmyk_row[4 * x + 1];
                unsigned y = cmyk_row[4 * x + 2], k = cmyk_row[4 * x + 3];
                if (!inverted) { c = 255 - c; m = 255 - m; y = 255 - y; k = 255 - k; }
                dst[3 * x] = (uint8_t)((c * k + 127) / 255);
                dst[3 * x + 1] = (uint8_t)((m * k + 127) / 255);
                dst[3 * x + 2] = (uint8_t)((y * k + 127) / 255);
            }
        }
    }
    jpeg_finish_decompress(&cinfo);
    jpeg_destroy_decompress(&cinfo);
    free(cmyk_row);

    out->pixels = pixels;
    out->width = (uint32_t)w;
    out->height = (uint32_t)h;
    return LUMEN_CODEC_OK;
}

void lumen_codec_free(void *pointer) { free(pointer); }
