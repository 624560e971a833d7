#ifndef CKEEL_LZ4_H
#define CKEEL_LZ4_H

/// The system's liblz4 frame API (LZ4F_*), for KeelArchive's decompressor of .lz4 files (apt
/// keeps its package lists in that format). Swift imports everything it needs from the header
/// directly: the decompression context, LZ4F_decompress, LZ4F_isError and LZ4F_VERSION.

#include <lz4frame.h>

#endif
