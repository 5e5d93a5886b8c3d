#pragma once
// Gzip-compressed input (.gz files, gzip on standard input), inflated by zlib
// as it is read: BlockReader takes its bytes from this ByteSource instead of
// the file, so memory holds one compressed block and zlib's 32 KiB window,
// never the whole decompressed file. A file is gzip when it starts with the
// magic bytes 1f 8b, whatever its name.

#include "llmcost/files.hpp"

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace llmcost {

// Whether `start` (the first bytes of an input) is gzip's magic 1f 8b.
bool starts_with_gzip_magic(std::string_view start);

// Whether the file at `path` starts with gzip's magic (reads two bytes).
bool is_gzip_file(const std::string& path);

// Inflates the gzip data of `fd`: `start` holds its first bytes, already read;
// the rest is read from `fd` (by offset from `offset` when `seekable`, else in
// order). Several members (`cat a.gz b.gz`) are read one after another; data
// that stops inside a member, or is not gzip, throws an Error naming `name`,
// the line reached and the bytes read and written so far.
std::unique_ptr<ByteSource> make_gzip_source(const std::string& name, int fd, bool seekable, std::uint64_t offset,
                                             std::string_view start);

} // namespace llmcost
