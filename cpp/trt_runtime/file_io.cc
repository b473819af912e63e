#include "cpp/trt_runtime/file_io.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <sstream>

namespace awml::trt {

bool FileExists(std::string const& path) {
  struct stat info;
  return ::stat(path.c_str(), &info) == 0 && S_ISREG(info.st_mode);
}

StatusOr<std::string> ReadFileBytes(std::string const& path) {
  std::ifstream file(path, std::ios::binary);
  if (!file) return NotFoundError("file | cannot open '" + path + "' for reading");
  std::ostringstream bytes;
  bytes << file.rdbuf();
  if (file.bad()) return InternalError("file | read error on '" + path + "'");
  return bytes.str();
}

Status WriteFileAtomically(std::string const& path, void const* data, std::size_t size) {
  std::string const temp = path + ".tmp." + std::to_string(::getpid());
  {
    std::ofstream file(temp, std::ios::binary | std::ios::trunc);
    if (!file) return NotFoundError("file | cannot open '" + temp + "' for writing (does the folder exist?)");
    file.write(static_cast<char const*>(data), static_cast<std::streamsize>(size));
    file.flush();
    if (!file) {
      std::remove(temp.c_str());
      return InternalError("file | write error on '" + temp + "'");
    }
  }
  if (std::rename(temp.c_str(), path.c_str()) != 0) {
    std::remove(temp.c_str());
    return InternalError("file | cannot rename '" + temp + "' to '" + path + "'");
  }
  return OkStatus();
}

}  // namespace awml::trt
