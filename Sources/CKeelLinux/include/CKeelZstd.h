#ifndef CKEEL_ZSTD_H
#define CKEEL_ZSTD_H

/// The system's libzstd, for KeelArchive's zstd decompressor: its streaming decoder
/// (ZSTD_DStream, ZSTD_decompressStream) and error codes are plain functions and enums that
/// Swift imports as they are, so no helper is needed.

#include <zstd.h>
#include <zstd_errors.h>

#endif
