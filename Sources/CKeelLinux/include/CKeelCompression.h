#ifndef CKEEL_COMPRESSION_H
#define CKEEL_COMPRESSION_H

/// The system's zlib (gzip and deflate) and liblzma (xz), for KeelArchive's decompressors, and
/// the helpers for what Swift cannot import from them (function-like macros, macro constants).

#include <lzma.h>
#include <zlib.h>

/// inflateInit2(3) (a macro in zlib.h): prepares `stream`, which must be zeroed and must not
/// move afterwards (zlib keeps a pointer back to it), for inflating with `window_bits`
/// (15 + 16: one gzip member; -15: raw deflate, as in zip). Returns a zlib status (Z_OK).
int ckeel_inflate_init(z_stream *stream, int window_bits);

/// deflateInit2(3) (a macro in zlib.h): prepares `stream`, which must be zeroed and must not
/// move afterwards, for deflating at `level` with `window_bits` (-15: raw deflate, the caller
/// writes any gzip header and trailer) and `memory_level` (8: zlib's default), method
/// Z_DEFLATED and the default strategy. Returns a zlib status (Z_OK).
int ckeel_deflate_init(z_stream *stream, int level, int window_bits, int memory_level);

/// Prepares `stream` (LZMA_STREAM_INIT, a macro) as a decoder of one .xz stream without a
/// memory limit; concatenated streams and stream padding are left to the caller, so that it can
/// tell them from trailing garbage. Returns an lzma status (LZMA_OK).
lzma_ret ckeel_xz_decoder_init(lzma_stream *stream);

/// Prepares `stream` (LZMA_STREAM_INIT, a macro) as a single-threaded encoder of one .xz stream
/// with lzma_easy_encoder(3) at `preset` and integrity check `check`, as Nix's xz sink does.
/// Returns an lzma status (LZMA_OK).
lzma_ret ckeel_xz_encoder_init(lzma_stream *stream, uint32_t preset, lzma_check check);

#endif
