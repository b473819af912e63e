// SHA-256 of bytes and files (OpenSSL's EVP digest), used to key the engine cache on the exact ONNX content.
#ifndef AWML_CPP_TRT_RUNTIME_SHA256_H_
#define AWML_CPP_TRT_RUNTIME_SHA256_H_

#include <string>

#include "cpp/common/status.h"

namespace awml::trt {

//! Lower-case hex SHA-256 digest (64 characters) of `bytes`. Empty on an OpenSSL failure (never seen).
std::string Sha256Hex(std::string const& bytes);

//! Lower-case hex SHA-256 digest of a file's content, read in 1 MiB chunks.
StatusOr<std::string> Sha256File(std::string const& path);

}  // namespace awml::trt

#endif  // AWML_CPP_TRT_RUNTIME_SHA256_H_
