// PNG decoding and encoding through libpng's full API with a setjmp error handler.
#include "lumen_codecs.h"

#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <png.h>

typedef struct lumen_png_context {
    const uint8_t *data;
    size_t size;
    size_t offset;
    int status;
    char message[LUMEN_CODEC_MESSAGE_LENGTH];
} lumen_png_context;

static void lumen_png_error(png_structp png, png_const_charp message) {
    lumen_png_context *ctx = (lumen_png_context *)png_get_error_ptr(png);
    if (ctx->status == LUMEN_CODEC_OK) ctx->status = LUMEN_CODEC_CORRUPT;
    if (ctx->message[0] == 0) snprintf(ctx->message, sizeof(ctx->message), "%s", message);
    png_longjmp(png, 1);
}

static void lumen_png_warning(png_structp png, png_const_charp message) {
    (void)png;
    (void)message;
}

static void lumen_png_read(png_structp png, png_bytep dst, png_size_t length) {
    lumen_png_context *ctx = (lumen_png_context *)png_get_io_ptr(png);
    if (length > ctx->size - ctx->offset) {
        snprintf(ctx->message, sizeof(ctx->message), "PNG data is truncated");
        png_error(png, "PNG data is truncated");
    }
    memcpy(dst, ctx->data + ctx->offset, length);
    ctx->offset += length;
}

int lumen_png_decode(const uint8_t *data, size_t size, uint64_t max_pixels,
                     lumen_decoded_image *out) {
    if (out == NULL) return LUMEN_CODEC_INVALID_ARGUMENT;
    memset(out, 0, sizeof(*out));
    if (data == NULL || size < 8 || png_sig_cmp(data, 0, 8) != 0) {
        snprintf(out->message, sizeof(out->message), "not a PNG file (bad signature)");
        return LUMEN_CODEC_CORRUPT;
    }

    lumen_png_context ctx;
    memset(&ctx, 0, sizeof(ctx));
    ctx.data = data;
    ctx.size = size;

    png_structp png = png_create_read_struct(PNG_LIBPNG_VER_STRING, &ctx, lumen_png_error,
                                             lumen_png_warning);
    if (png == NULL) return LUMEN_CODEC_NO_MEMORY;
    png_infop info = png_create_info_struct(png);
    if (info == NULL) {
        png_destroy_read_struct(&png, NULL, NULL);
        return LUMEN_CODEC_NO_MEMORY;
    }
    uint8_t *volatile pixels = NULL;
    png_bytep *volatile rows = NULL;

    if (setjmp(png_jmpbuf(png))) {
        png_destroy_read_struct(&png, &info, NULL);
        free(pixels);
        free(rows);
        snprintf(out->message, sizeof(out->message), "%s", ctx.message);
        out->pixels = NULL;
        return ctx.status ? ctx.status : LUMEN_CODEC_CORRUPT;
    }

    png_set_read_fn(png, &ctx, lumen_png_read);
    // Ancillary chunks cannot make libpng allocate more than 8 MiB each.
    png_set_chunk_malloc_max(png, 8u << 20);
    png_read_info(png, info);

    png_uint_32 w = png_get_image_width(png, info);
    png_uint_32 h = png_get_image_height(png, info);
    if ((uint64_t)w * (uint64_t)h > max_pixels) {
        snprintf(ctx.message, sizeof(ctx.message),
                 "PNG is %ux%u = %llu pixels, over the budget of %llu pixels", (unsigned)w,
                 (unsigned)h, (unsigned long long)((uint64_t)w * h),
                 (unsigned long long)max_pixels);
        ctx.status = LUMEN_CODEC_TOO_LARGE;
        png_longjmp(png, 1);
    }
    int color_type = png_get_color_type(png, info);
    out->source_components = (color_type & PNG_COLOR_MASK_COLOR) ? 3 : 1;

    png_set_expand(png);
    png_set_strip_16(png);
    png_set_strip_alpha(png);
    png_set_gray_to_rgb(png);
    png_set_interlace_handling(png);
    png_read_update_info(png, info);

    size_t row_bytes = png_get_rowbytes(png, info);
    if (row_bytes != (size_t)w * 3) {
        snprintf(ctx.message, sizeof(ctx.message), "unexpected PNG row layout after conversion");
        ctx.status = LUMEN_CODEC_UNSUPPORTED;
        png_longjmp(png, 1);
    }
    pixels = (uint8_t *)malloc(row_bytes * (size_t)h);
    rows = (png_bytep *)malloc(sizeof(png_bytep) * (size_t)h);
    if (pixels == NULL || rows == NULL) {
        snprintf(ctx.message, sizeof(ctx.message), "out of memory decoding a %ux%u PNG",
                 (unsigned)w, (unsigned)h);
        ctx.status = LUMEN_CODEC_NO_MEMORY;
        png_longjmp(png, 1);
    }
    for (png_uint_32 y = 0; y < h; y++) rows[y] = pixels + (size_t)y * row_bytes;
    png_read_image(png, rows);
    png_read_end(png, NULL);
    png_destroy_read_struct(&png, &info, NULL);
    free(rows);

    out->pixels = pixels;
    out->width = w;
    out->height = h;
    return LUMEN_CODEC_OK;
}

typedef struct lumen_png_sink {
    uint8_t *data;
    size_t size;
    size_t capacity;
    int failed;
} lumen_png_sink;

static void lumen_png_write(png_structp png, png_bytep src, png_size_t length) {
    lumen_png_sink *sink = (lumen_png_sink *)png_get_io_ptr(png);
    if (sink->size + length > sink->capacity) {
        size_t capacity = sink->capacity ? sink->capacity : 65536;
        while (capacity < sink->size + length) capacity *= 2;
        uint8_t *grown = (uint8_t *)realloc(sink->data, capacity);
        if (grown == NULL) {
            sink->failed = 1;
            png_error(png, "out of memory encoding PNG");
        }
        sink->data = grown;
        sink->capacity = capacity;
    }
    memcpy(sink->data + sink->size, src, length);
    sink->size += length;
}

static void lumen_png_flush(png_structp png) { (void)png; }

int lumen_png_encode(const uint8_t *pixels, uint32_t width, uint32_t height, uint32_t channels,
                     int level, int filter_mode, int strategy, uint8_t **out, size_t *out_size,
                     char message[LUMEN_CODEC_MESSAGE_LENGTH]) {
    if (message) message[0] = 0;
    if (pixels == NULL || out == NULL || out_size == NULL || width == 0 || height == 0 ||
        (channels != 1 && channels != 3 && channels != 4) || level < 0 || level > 9 ||
        strategy < 0 || strategy > 3) {
        if (message) snprintf(message, LUMEN_CODEC_MESSAGE_LENGTH, "invalid PNG encode arguments");
        return LUMEN_CODEC_INVALID_ARGUMENT;
    }
    *out = NULL;
    *out_size = 0;

    lumen_png_context ctx;
    memset(&ctx, 0, sizeof(ctx));
    lumen_png_sink sink;
    memset(&sink, 0, sizeof(sink));
    png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, &ctx, lumen_png_error,
                                              lumen_png_warning);
    if (png == NULL) return LUMEN_CODEC_NO_MEMORY;
    png_infop info = png_create_info_struct(png);
    if (info == NULL) {
        png_destroy_write_struct(&png, NULL);
        return LUMEN_CODEC_NO_MEMORY;
    }
    if (setjmp(png_jmpbuf(png))) {
        png_destroy_write_struct(&png, &info);
        free(sink.data);
        if (message) snprintf(message, LUMEN_CODEC_MESSAGE_LENGTH, "%s", ctx.message);
        return sink.failed ? LUMEN_CODEC_NO_MEMORY : (ctx.status ? ctx.status : LUMEN_CODEC_CORRUPT);
    }
    png_set_write_fn(png, &sink, lumen_png_write, lumen_png_flush);
    int color_type = channels == 1 ? PNG_COLOR_TYPE_GRAY
                     : channels == 3 ? PNG_COLOR_TYPE_RGB
                                     : PNG_COLOR_TYPE_RGBA;
    png_set_IHDR(png, info, width, height, 8, color_type, PNG_INTERLACE_NONE,
                 PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
    png_set_compression_level(png, level);
    png_set_compression_strategy(png, strategy);
    int filters = filter_mode == 0   ? PNG_FILTER_NONE
                  : filter_mode == 1 ? PNG_FILTER_SUB
                  : filter_mode == 3 ? PNG_FILTER_PAETH
                                     : PNG_ALL_FILTERS;
    png_set_filter(png, PNG_FILTER_TYPE_BASE, filters);
    png_write_info(png, info);
    size_t row_bytes = (size_t)width * channels;
    for (uint32_t y = 0; y < height; y++) {
        png_write_row(png, (png_const_bytep)(pixels + (size_t)y * row_bytes));
    }
    png_write_end(png, NULL);
    png_destroy_write_struct(&png, &info);
    *out = sink.data;
    *out_size = sink.size;
    return LUMEN_CODEC_OK;
}
