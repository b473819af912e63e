#include "cpp/trt_runtime/sha256.h"

#include <openssl/evp.h>

#include <array>
#include <cstdio>
#include <fstream>
#include <memory>
#include <vector>

namespace awml::trt {
namespace {

struct CtxDeleter {
  void operator()(EVP_MD_CTX* ctx) const { EVP_MD_CTX_free(ctx); }
};
using Ctx = std::unique_ptr<EVP_MD_CTX, CtxDeleter>;

Ctx NewSha256() {
  Ctx ctx(EVP_MD_CTX_new());
  if (ctx && EVP_DigestInit_ex(ctx.get(), EVP_sha256(), nullptr) != 1) ctx.reset();
  return ctx;
}

std::string Finish(EVP_MD_CTX* ctx) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned int size = 0;
  if (EVP_DigestFinal_ex(ctx, digest.data(), &size) != 1) return {};
  static char const kHex[] = "0123456789abcdef";
  std::string hex;
  hex.reserve(2 * size);
  for (unsigned int i = 0; i < size; ++i) {
    hex.push_back(kHex[digest[i] >> 4]);
    hex.push_back(kHex[digest[i] & 0xF]);
  }
  return hex;
}

}  // namespace

std::string Sha256Hex(std::string const& bytes) {
  Ctx ctx = NewSha256();
  if (!ctx || EVP_DigestUpdate(ctx.get(), bytes.data(), bytes.size()) != 1) return {};
  return Finish(ctx.get());
}

StatusOr<std::string> Sha256File(std::string const& path) {
  std::ifstream file(path, std::ios::binary);
  if (!file) return NotFoundError("sha256 | cannot open '" + path + "'");
  Ctx ctx = NewSha256();
  if (!ctx) return InternalError("sha256 | OpenSSL could not create a SHA-256 context");
  std::vector<char> chunk(1 << 20);
  while (file) {
    file.read(chunk.data(), static_cast<std::streamsize>(chunk.size()));
    if (EVP_DigestUpdate(ctx.get(), chunk.data(), static_cast<std::size_t>(file.gcount())) != 1) {
      return InternalError("sha256 | OpenSSL digest update failed on '" + path + "'");
    }
  }
  if (file.bad()) return InternalError("sha256 | read error on '" + path + "'");
  std::string hex = Finish(ctx.get());
  if (hex.empty()) return InternalError("sha256 | OpenSSL digest finalisation failed on '" + path + "'");
  return hex;
}

}  // namespace awml::trt
