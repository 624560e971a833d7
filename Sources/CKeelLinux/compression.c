#include "CKeelCompression.h"

#include <stdint.h>
#include <string.h>

int ckeel_inflate_init(z_stream *stream, int window_bits) {
    return inflateInit2(stream, window_bits);
}

lzma_ret ckeel_xz_decoder_init(lzma_stream *stream) {
    lzma_stream initial = LZMA_STREAM_INIT;
    memcpy(stream, &initial, sizeof initial);
    return lzma_stream_decoder(stream, UINT64_MAX, 0);
}

int ckeel_deflate_init(z_stream *stream, int level, int window_bits, int memory_level) {
    return deflateInit2(stream, level, Z_DEFLATED, window_bits, memory_level, Z_DEFAULT_STRATEGY);
}

lzma_ret ckeel_xz_encoder_init(lzma_stream *stream, uint32_t preset, lzma_check check) {
    lzma_stream initial = LZMA_STREAM_INIT;
    memcpy(stream, &initial, sizeof initial);
    return lzma_easy_encoder(stream, preset, check);
}
