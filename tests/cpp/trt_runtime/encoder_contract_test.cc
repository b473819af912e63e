// The runtime's I/O contract (PlanCenterPoint: dynamic pillar axis and its profile) against the dims the
// exporter writes (testdata/centerpoint_tiny_io.txt, generated from the embedded model's ONNX by
// tests/centerpoint/test_runtime_backend.py, which fails when the file is stale). TensorRT-free: the runner
// would call the same ValidateEngineIo on what TensorRT reports.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "cpp/trt_runtime/centerpoint_config.h"
#include "cpp/trt_runtime/io_spec.h"

namespace awml::trt {
namespace {

constexpr char kIoFile[] = "tests/cpp/trt_runtime/testdata/centerpoint_tiny_io.txt";
// The single graph (encoder + AwmlPillarScatter + head) and its engine profile, written by
// tests/centerpoint/test_single_engine.py (which fails when the file is stale).
constexpr char kSingleIoFile[] = "tests/cpp/trt_runtime/testdata/centerpoint_single_io.txt";

Dims ParseDims(std::string const& text) {
  Dims dims;
  std::stringstream in(text);
  std::string item;
  while (std::getline(in, item, ',')) dims.push_back(std::stoll(item));
  return dims;
}

struct Exported {
  CenterPointConfig config;
  EngineIo encoder;
  EngineIo head;
  EngineIo single;
};

Exported ReadExported(char const* path = kIoFile) {
  Exported out;
  std::ifstream file(path);
  EXPECT_TRUE(file.good()) << "cannot read " << path;
  std::string line;
  while (std::getline(file, line)) {
    std::stringstream in(line);
    std::string kind, component, name;
    in >> kind;
    if (kind == "geometry") {
      kernels::PillarGrid& g = out.config.voxelize.grid;
      int center_z = 0;
      in >> g.min_x >> g.min_y >> g.min_z >> g.max_x >> g.max_y >> g.max_z >> g.voxel_x >> g.voxel_y >> g.voxel_z >>
          out.config.voxelize.num_point_features >> out.config.voxelize.max_points_per_pillar >>
          out.config.voxelize.max_pillars >> center_z >> out.config.encoder_channels >> out.config.out_size_factor >>
          out.config.decode.num_classes;
      out.config.use_voxel_center_z = center_z != 0;
      out.config.has_velocity = true;
      continue;
    }
    in >> component >> name;
    EngineIo& io = component == "pts_voxel_encoder"    ? out.encoder
                   : component == "centerpoint_single" ? out.single
                                                       : out.head;
    if (kind == "tensor") {
      std::string role, dtype, dims;
      in >> role >> dtype >> dims;
      io.tensors.push_back({name, role == "input" ? TensorRole::kInput : TensorRole::kOutput,
                            dtype == "int32" ? DataType::kInt32 : DataType::kFloat32, ParseDims(dims)});
    } else if (kind == "profile") {
      std::string min, opt, max;
      in >> min >> opt >> max;
      if (io.profiles.empty()) io.profiles.emplace_back();
      io.profiles[0].shapes[name] = {ParseDims(min), ParseDims(opt), ParseDims(max)};
    }
  }
  return out;
}

TEST(EncoderContractTest, RuntimeAcceptsTheExportedGraphsAndProfile) {
  Exported const exported = ReadExported();
  ASSERT_EQ(exported.encoder.tensors.size(), 2u);
  StatusOr<CenterPointPlan> const plan = PlanCenterPoint(exported.config);
  ASSERT_TRUE(plan.ok()) << plan.status().ToString();
  Status const encoder = ValidateEngineIo(plan->encoder_io, exported.encoder);
  EXPECT_TRUE(encoder.ok()) << encoder.ToString();
  IoSpec head = plan->head_io;  // static: no profile to compare
  EngineIo head_engine = exported.head;
  head_engine.profiles.clear();
  Status const head_status = ValidateEngineIo(head, head_engine);
  EXPECT_TRUE(head_status.ok()) << head_status.ToString();
  // The runtime validates its runtime shapes against the same range.
  TensorSpec const& input = *plan->encoder_io.Find("input_features");
  ShapeRange const& range = plan->encoder_io.profiles[0].shapes.at("input_features");
  EXPECT_TRUE(ValidateInputShape(input, &range, {137, 32, 10}).ok());
  EXPECT_FALSE(ValidateInputShape(input, &range, {exported.config.voxelize.max_pillars + 1, 32, 10}).ok());
}

TEST(EncoderContractTest, TheOldStaticContractRejectsTheExportAndADifferentProfileIsNamed) {
  Exported const exported = ReadExported();
  StatusOr<CenterPointPlan> const plan = PlanCenterPoint(exported.config);
  ASSERT_TRUE(plan.ok()) << plan.status().ToString();
  IoSpec stale = plan->encoder_io;
  int64_t const pillars = exported.config.voxelize.max_pillars;
  stale.tensors[0].dims[0] = pillars;  // what the runtime declared before: [max_pillars, M, F]
  stale.tensors[1].dims[0] = pillars;
  stale.profiles.clear();
  Status const status = ValidateEngineIo(stale, exported.encoder);
  EXPECT_EQ(status.code(), StatusCode::kMismatch);
  EXPECT_NE(status.message().find("tensor 'input_features' | dims"), std::string::npos) << status.message();

  EngineIo other = exported.encoder;
  other.profiles[0].shapes["input_features"].opt[0] = 1234;
  Status const profile = ValidateEngineIo(plan->encoder_io, other);
  EXPECT_NE(profile.message().find("profile 0 'input_features' | range"), std::string::npos) << profile.message();
}

TEST(EncoderContractTest, SingleEngineContractAcceptsTheExportedSingleGraphAndItsProfile) {
  Exported exported = ReadExported(kSingleIoFile);
  ASSERT_EQ(exported.single.tensors.size(), 9u);  // input_features, coords, num_pillars + six head outputs
  exported.config.mode = CenterPointMode::kSingleEngine;
  StatusOr<CenterPointPlan> const plan = PlanCenterPoint(exported.config);
  ASSERT_TRUE(plan.ok()) << plan.status().ToString();
  Status const status = ValidateEngineIo(plan->single_io, exported.single);
  EXPECT_TRUE(status.ok()) << status.ToString();

  EngineIo other = exported.single;  // a coords profile off the encoder's pillar range is named
  other.profiles[0].shapes["coords"].max[0] = exported.config.voxelize.max_pillars / 4;
  Status const profile = ValidateEngineIo(plan->single_io, other);
  EXPECT_NE(profile.message().find("profile 0 'coords' | range"), std::string::npos) << profile.message();
  EngineIo int64_coords = exported.single;  // a coords dtype other than the plugin's int32 is named
  for (TensorSpec& t : int64_coords.tensors) {
    if (t.name == "coords") t.dtype = DataType::kInt64;
  }
  EXPECT_FALSE(ValidateEngineIo(plan->single_io, int64_coords).ok());
}

}  // namespace
}  // namespace awml::trt
