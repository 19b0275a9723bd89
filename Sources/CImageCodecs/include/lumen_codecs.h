// Lumen's C shim around libjpeg(-turbo) and libpng.
//
// Both libraries report fatal errors by longjmp (libpng) or by calling exit() (libjpeg's default
// handler). Every function here installs its own error manager with setjmp, so corrupt, truncated
// or hostile input comes back as a status code and a message and never ends the process.
#ifndef LUMEN_CODECS_H
#define LUMEN_CODECS_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// Status codes returned by every function of the shim.
enum lumen_codec_status {
    LUMEN_CODEC_OK = 0,
    LUMEN_CODEC_CORRUPT = 1,      ///< malformed or truncated data
    LUMEN_CODEC_TOO_LARGE = 2,    ///< pixel count over the caller's budget
    LUMEN_CODEC_UNSUPPORTED = 3,  ///< a valid file using a feature Lumen refuses
    LUMEN_CODEC_NO_MEMORY = 4,    ///< allocation failed
    LUMEN_CODEC_INVALID_ARGUMENT = 5
};

#define LUMEN_CODEC_MESSAGE_LENGTH 256

/// A decoded 8-bit RGB image (rows packed, 3 bytes per pixel). Free `pixels` with lumen_codec_free.
typedef struct lumen_decoded_image {
    uint8_t *pixels;
    uint32_t width;
    uint32_t height;
    /// Colour model of the source: 1 gray, 3 colour, 4 CMYK/YCCK (converted to RGB).
    uint32_t source_components;
    char message[LUMEN_CODEC_MESSAGE_LENGTH];
} lumen_decoded_image;

/// Decodes a baseline or progressive JPEG (gray, YCbCr, RGB, CMYK, YCCK) to RGB.
/// Warnings about corrupt data (e.g. a truncated stream) are treated as errors.
int lumen_jpeg_decode(const uint8_t *data, size_t size, uint64_t max_pixels,
                      lumen_decoded_image *out);

/// Decodes any PNG (gray, gray+alpha, RGB, RGBA, palette, 1-16 bit, interlaced) to 8-bit RGB:
/// palettes and low bit depths are expanded, 16-bit samples keep their high byte, alpha is dropped.
int lumen_png_decode(const uint8_t *data, size_t size, uint64_t max_pixels,
                     lumen_decoded_image *out);

/// Encodes packed 8-bit pixels (channels 1 gray, 3 RGB or 4 RGBA) as PNG with the given zlib level
/// (0-9), filter mode (0 = none only, 1 = sub only, 2 = libpng's adaptive choice, 3 = paeth only)
/// and zlib strategy (0 default, 1 filtered, 2 Huffman only, 3 run-length).
/// On success *out holds the file; free it with lumen_codec_free.
int lumen_png_encode(const uint8_t *pixels, uint32_t width, uint32_t height, uint32_t channels,
                     int level, int filter_mode, int strategy, uint8_t **out, size_t *out_size,
                     char message[LUMEN_CODEC_MESSAGE_LENGTH]);

/// Releases memory handed out by this shim.
void lumen_codec_free(void *pointer);

#ifdef __cplusplus
}
#endif
#endif
