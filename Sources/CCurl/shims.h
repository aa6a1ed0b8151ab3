#ifndef CCURL_SHIMS_H
#define CCURL_SHIMS_H

// The shims below pass compile-time-typed values, so curl's GCC type-check macros add nothing.
#define CURL_DISABLE_TYPECHECK 1
#include <curl/curl.h>

// Swift cannot call C variadic functions, so each variadic libcurl call gets one typed wrapper
// per argument type it is used with.

// curl_easy_setopt is variadic: wrapper for `long` options (flags, timeouts, sizes up to 2 GiB).
static inline CURLcode ccurl_easy_setopt_long(CURL *handle, CURLoption option, long value) {
    return curl_easy_setopt(handle, option, value);
}

// curl_easy_setopt is variadic: wrapper for pointer options (PRIVATE, WRITEDATA, POSTFIELDS, slists).
static inline CURLcode ccurl_easy_setopt_pointer(CURL *handle, CURLoption option, void *value) {
    return curl_easy_setopt(handle, option, value);
}

// curl_easy_setopt is variadic: wrapper for string options (URL, USERAGENT); curl copies the string.
static inline CURLcode ccurl_easy_setopt_string(CURL *handle, CURLoption option, const char *value) {
    return curl_easy_setopt(handle, option, value);
}

// curl_easy_setopt is variadic: wrapper for curl_off_t options (the *_LARGE sizes).
static inline CURLcode ccurl_easy_setopt_off_t(CURL *handle, CURLoption option, curl_off_t value) {
    return curl_easy_setopt(handle, option, value);
}

// curl_easy_setopt is variadic: wrapper for WRITEFUNCTION / HEADERFUNCTION callbacks.
static inline CURLcode ccurl_easy_setopt_write_callback(CURL *handle, CURLoption option,
                                                        curl_write_callback callback) {
    return curl_easy_setopt(handle, option, callback);
}

// curl_easy_getinfo is variadic: wrapper for `long` results (RESPONSE_CODE).
static inline CURLcode ccurl_easy_getinfo_long(CURL *handle, CURLINFO info, long *value) {
    return curl_easy_getinfo(handle, info, value);
}

// curl_easy_getinfo is variadic: wrapper for `double` results (TOTAL_TIME).
static inline CURLcode ccurl_easy_getinfo_double(CURL *handle, CURLINFO info, double *value) {
    return curl_easy_getinfo(handle, info, value);
}

// curl_easy_getinfo is variadic: wrapper for curl_off_t results (the *_T sizes and times).
static inline CURLcode ccurl_easy_getinfo_off_t(CURL *handle, CURLINFO info, curl_off_t *value) {
    return curl_easy_getinfo(handle, info, value);
}

// curl_easy_getinfo is variadic: wrapper for `char *` results (EFFECTIVE_URL, PRIVATE).
static inline CURLcode ccurl_easy_getinfo_string(CURL *handle, CURLINFO info, char **value) {
    return curl_easy_getinfo(handle, info, value);
}

// curl_multi_setopt is variadic: wrapper for `long` options (MAXCONNECTS).
static inline CURLMcode ccurl_multi_setopt_long(CURLM *multi, CURLMoption option, long value) {
    return curl_multi_setopt(multi, option, value);
}

#endif
