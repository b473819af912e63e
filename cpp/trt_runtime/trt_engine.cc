#include "cpp/trt_runtime/trt_engine.h"

#include <cuda_runtime_api.h>

#include <string>
#include <utility>

namespace awml::trt {
namespace {

class TrtEngine final : public Engine {
 public:
  explicit TrtEngine(std::unique_ptr<EngineRunner> runner) : runner_(std::move(runner)) {}

  IoSpec const& io() const override { return runner_->io(); }
  MemoryLocation location() const override { return MemoryLocation::kDevice; }
  Status SetInputShape(std::string const& name, Dims const& dims) override {
    return runner_->SetInputShape(name, dims);
  }
  Status SetTensorAddress(std::string const& name, void* address) override {
    return runner_->SetTensorAddress(name, address);
  }
  Status Run(StreamHandle stream) override { return runner_->Enqueue(static_cast<cudaStream_t>(stream)); }

 private:
  std::unique_ptr<EngineRunner> runner_;
};

}  // namespace

StatusOr<std::unique_ptr<Engine>> OpenTrtEngine(RunnerOptions const& options) {
  AWML_ASSIGN_OR_RETURN(std::unique_ptr<EngineRunner> runner, EngineRunner::Create(options));
  return std::unique_ptr<Engine>(std::make_unique<TrtEngine>(std::move(runner)));
}

}  // namespace awml::trt
