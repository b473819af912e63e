// Minimal RAII device buffer for the CUDA kernel tests and the benchmark (not for production code).
#ifndef AWML_TESTS_CPP_KERNELS_DEVICE_BUFFER_H_
#define AWML_TESTS_CPP_KERNELS_DEVICE_BUFFER_H_

#include <cuda_runtime.h>

#include <cstdio>
#include <cstdlib>
#include <vector>

namespace awml::kernels::testing {

inline void CheckCuda(cudaError_t err, char const* what) {
  if (err != cudaSuccess) {
    std::fprintf(stderr, "CUDA failure in %s: %s\n", what, cudaGetErrorString(err));
    std::abort();
  }
}

inline int CudaDeviceCount() {
  int n = 0;
  return cudaGetDeviceCount(&n) == cudaSuccess ? n : 0;
}

template <typename T>
class DeviceBuffer {
 public:
  explicit DeviceBuffer(size_t count = 0) { Resize(count); }
  ~DeviceBuffer() { cudaFree(ptr_); }
  DeviceBuffer(DeviceBuffer const&) = delete;
  DeviceBuffer& operator=(DeviceBuffer const&) = delete;

  void Resize(size_t count) {
    if (count <= capacity_) {
      count_ = count;
      return;
    }
    cudaFree(ptr_);
    ptr_ = nullptr;
    CheckCuda(cudaMalloc(&ptr_, (count ? count : 1) * sizeof(T)), "cudaMalloc");
    count_ = capacity_ = count;
  }
  void Upload(std::vector<T> const& host) {
    Resize(host.size());
    if (!host.empty()) CheckCuda(cudaMemcpy(ptr_, host.data(), host.size() * sizeof(T), cudaMemcpyHostToDevice), "H2D");
  }
  std::vector<T> Download(size_t count) const {
    std::vector<T> host(count);
    if (count) CheckCuda(cudaMemcpy(host.data(), ptr_, count * sizeof(T), cudaMemcpyDeviceToHost), "D2H");
    return host;
  }
  // Copies the first `count` elements into `host`, reusing its storage.
  std::vector<T> const& DownloadTo(std::vector<T>* host, size_t count) const {
    host->resize(count);
    if (count) CheckCuda(cudaMemcpy(host->data(), ptr_, count * sizeof(T), cudaMemcpyDeviceToHost), "D2H");
    return *host;
  }
  void Poison() { CheckCuda(cudaMemset(ptr_, 0xff, (count_ ? count_ : 1) * sizeof(T)), "poison"); }
  T* get() const { return ptr_; }
  size_t size() const { return count_; }

 private:
  T* ptr_ = nullptr;
  size_t count_ = 0;
  size_t capacity_ = 0;
};

}  // namespace awml::kernels::testing

#endif  // AWML_TESTS_CPP_KERNELS_DEVICE_BUFFER_H_
