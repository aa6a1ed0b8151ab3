#ifndef CVIPS_SHIMS_H
#define CVIPS_SHIMS_H

#include <vips/vips.h>

// Swift cannot call C variadic functions or macros, so each variadic libvips call crier uses gets
// one typed wrapper here (as Sources/CCurl does for curl_easy_setopt). Every wrapper ends the
// option list with NULL itself.

// VIPS_INIT is a macro; crier calls this once per process (CrierDaemon's `Vips.start()`).
static inline int cvips_init(const char *argv0) {
    return VIPS_INIT(argv0);
}

// vips_thumbnail_buffer: decodes and shrinks in one go (JPEG shrink-on-load), applies the EXIF
// orientation, and scales to exactly width × height (the caller keeps the ratio, so "force" only
// settles the last pixel of rounding).
static inline int cvips_thumbnail_buffer(void *buffer, size_t length, VipsImage **out, int width, int height) {
    return vips_thumbnail_buffer(buffer, length, out, width, "height", height, "size", VIPS_SIZE_FORCE, NULL);
}

// vips_extract_area: the crop rectangle.
static inline int cvips_extract_area(VipsImage *in, VipsImage **out, int left, int top, int width, int height) {
    return vips_extract_area(in, out, left, top, width, height, NULL);
}

// vips_jpegsave_buffer with Q, no metadata (strip), optimised Huffman tables, progressive off.
static inline int cvips_jpegsave_buffer(VipsImage *in, void **buffer, size_t *length, int quality) {
    return vips_jpegsave_buffer(in, buffer, length, "Q", quality, "strip", TRUE, "optimize_coding", TRUE, NULL);
}

// vips_webpsave_buffer with Q and no metadata (strip).
static inline int cvips_webpsave_buffer(VipsImage *in, void **buffer, size_t *length, int quality) {
    return vips_webpsave_buffer(in, buffer, length, "Q", quality, "strip", TRUE, NULL);
}

// vips_pngsave_buffer, lossless, no metadata (strip), zlib level 9.
static inline int cvips_pngsave_buffer(VipsImage *in, void **buffer, size_t *length) {
    return vips_pngsave_buffer(in, buffer, length, "strip", TRUE, "compression", 9, NULL);
}

// vips_flatten onto white: JPEG has no alpha channel.
static inline int cvips_flatten_white(VipsImage *in, VipsImage **out) {
    double white[3] = {255.0, 255.0, 255.0};
    VipsArrayDouble *background = vips_array_double_new(white, 3);
    int result = vips_flatten(in, out, "background", background, NULL);
    vips_area_unref(VIPS_AREA(background));
    return result;
}

// For tests and the bench: a width × height sRGB image of Gaussian noise around mid-grey (`sigma`
// 0 gives flat grey; larger values compress worse, like photos and busy screenshots).
static inline VipsImage *cvips_noise_image(int width, int height, double sigma) {
    VipsImage *noise = NULL, *bytes = NULL, *rgb = NULL, *tagged = NULL;
    if (vips_gaussnoise(&noise, width, height, "mean", 128.0, "sigma", sigma, NULL)) return NULL;
    int failed = vips_cast_uchar(noise, &bytes, NULL);
    g_object_unref(noise);
    if (failed) return NULL;
    VipsImage *bands[3] = {bytes, bytes, bytes};
    failed = vips_bandjoin(bands, &rgb, 3, NULL);
    g_object_unref(bytes);
    if (failed) return NULL;
    failed = vips_copy(rgb, &tagged, "interpretation", VIPS_INTERPRETATION_sRGB, NULL);
    g_object_unref(rgb);
    return failed ? NULL : tagged;
}

// g_object_unref for images (a macro-free name Swift can call).
static inline void cvips_unref(VipsImage *image) {
    g_object_unref(image);
}

#endif
