// Whole-file reads and atomic writes (write a sibling temp file, then rename) for plans, metadata,
// timing caches and inspector JSON, so a crashed build never leaves a half-written engine behind.
#ifndef AWML_CPP_TRT_RUNTIME_FILE_IO_H_
#define AWML_CPP_TRT_RUNTIME_FILE_IO_H_

#include <string>

#include "cpp/common/status.h"

namespace awml::trt {

bool FileExists(std::string const& path);
StatusOr<std::string> ReadFileBytes(std::string const& path);
Status WriteFileAtomically(std::string const& path, void const* data, std::size_t size);
inline Status WriteFileAtomically(std::string const& path, std::string const& bytes) {
  return WriteFileAtomically(path, bytes.data(), bytes.size());
}

}  // namespace awml::trt

#endif  // AWML_CPP_TRT_RUNTIME_FILE_IO_H_
