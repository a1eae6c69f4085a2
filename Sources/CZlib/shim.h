#include <zlib.h>
// inflateInit2 / deflateInit2 are macros; expose functions Swift can call.
static inline int czlib_inflateInit2(z_streamp strm, int windowBits) {
    return inflateInit2_(strm, windowBits, ZLIB_VERSION, (int)sizeof(z_stream));
}
static inline int czlib_deflateInit2(z_streamp strm, int level, int windowBits, int memLevel) {
    return deflateInit2_(strm, level, Z_DEFLATED, windowBits, memLevel, Z_DEFAULT_STRATEGY, ZLIB_VERSION, (int)sizeof(z_stream));
}
