// Carves aligned sub-buffers out of one caller-owned device workspace (the kernels never allocate).
#ifndef AWML_CPP_COMMON_WORKSPACE_CARVER_H_
#define AWML_CPP_COMMON_WORKSPACE_CARVER_H_

#include <cstddef>

namespace awml {

//! Hands out 256-byte aligned slices of `base` in call order; with a null base it only measures, so the same
//! code path sizes the workspace (bytes()) and later carves it.
class WorkspaceCarver {
 public:
  explicit WorkspaceCarver(void* base) : base_(static_cast<char*>(base)) {}

  template <typename T>
  T* Take(std::size_t count) {
    offset_ = (offset_ + 255) / 256 * 256;
    T* p = base_ ? reinterpret_cast<T*>(base_ + offset_) : nullptr;
    offset_ += count * sizeof(T);
    return p;
  }

  std::size_t bytes() const { return (offset_ + 255) / 256 * 256; }

 private:
  char* base_;
  std::size_t offset_ = 0;
};

}  // namespace awml

#endif  // AWML_CPP_COMMON_WORKSPACE_CARVER_H_
