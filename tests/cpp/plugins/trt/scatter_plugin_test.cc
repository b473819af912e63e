// AwmlPillarScatter through its TensorRT interfaces, without the TensorRT library: the creator and the
// plugin are driven the way TensorRT drives them (field collections, capability interfaces, tensor
// descs, enqueue). The enqueue test runs the plugin on the GPU and compares with the kernels' CPU
// reference; it skips without a device.
#include <cuda_runtime_api.h>
#include <gtest/gtest.h>

#include <NvInferRuntime.h>

#include <algorithm>
#include <cstring>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "cpp/plugins/kernels/scatter/scatter.h"
#include "cpp/plugins/trt/scatter/scatter_creator.h"
#include "cpp/plugins/trt/scatter/scatter_plugin.h"

extern "C" nvinfer1::IPluginCreatorInterface* const* getCreators(int32_t& nbCreators);

namespace awml::plugins {
namespace {

using nvinfer1::DataType;
using nvinfer1::PluginField;
using nvinfer1::PluginFieldCollection;
using nvinfer1::PluginFieldType;

struct Fields {
  std::vector<PluginField> fields;
  PluginFieldCollection collection{};
  PluginFieldCollection const* get() {
    collection.nbFields = static_cast<int32_t>(fields.size());
    collection.fields = fields.data();
    return &collection;
  }
};

std::unique_ptr<nvinfer1::IPluginV3> Create(ScatterPluginCreator& creator, PluginFieldCollection const* fc,
                                            nvinfer1::TensorRTPhase phase = nvinfer1::TensorRTPhase::kBUILD) {
  return std::unique_ptr<nvinfer1::IPluginV3>(creator.createPlugin("scatter_node", fc, phase));
}

ScatterPlugin* AsScatter(nvinfer1::IPluginV3* plugin) { return dynamic_cast<ScatterPlugin*>(plugin); }

int32_t FieldValue(PluginFieldCollection const* fc, char const* name) {
  for (int32_t i = 0; i < fc->nbFields; ++i) {
    if (std::strcmp(fc->fields[i].name, name) == 0) return *static_cast<int32_t const*>(fc->fields[i].data);
  }
  return -1;
}

nvinfer1::PluginTensorDesc Desc(std::vector<int64_t> const& dims, DataType type) {
  nvinfer1::PluginTensorDesc desc{};
  desc.dims.nbDims = static_cast<int32_t>(dims.size());
  for (std::size_t i = 0; i < dims.size(); ++i) desc.dims.d[i] = dims[i];
  desc.type = type;
  desc.format = nvinfer1::TensorFormat::kLINEAR;
  return desc;
}

TEST(ScatterCreatorTest, IdentityAndFieldNamesComeFromTheTable) {
  ScatterPluginCreator creator;
  EXPECT_STREQ(creator.getPluginName(), "AwmlPillarScatter");
  EXPECT_STREQ(creator.getPluginVersion(), "1");
  EXPECT_STREQ(creator.getPluginNamespace(), "");
  EXPECT_STREQ(creator.getInterfaceInfo().kind, "PLUGIN CREATOR_V3ONE");
  PluginFieldCollection const* names = creator.getFieldNames();
  ASSERT_EQ(names->nbFields, 2);
  EXPECT_STREQ(names->fields[0].name, "grid_x");
  EXPECT_STREQ(names->fields[1].name, "grid_y");
  EXPECT_EQ(names->fields[0].type, PluginFieldType::kINT32);
  EXPECT_EQ(names->fields[1].length, 1);
}

TEST(ScatterCreatorTest, SerializedFieldsRecreateTheSamePlugin) {
  ScatterPluginCreator creator;
  int32_t const grid_x = 480;
  int32_t const grid_y = 240;
  Fields fields;
  fields.fields = {{"grid_y", &grid_y, PluginFieldType::kINT32, 1}, {"grid_x", &grid_x, PluginFieldType::kINT32, 1}};
  std::unique_ptr<nvinfer1::IPluginV3> built = Create(creator, fields.get());
  ASSERT_NE(built, nullptr);
  auto* runtime = static_cast<nvinfer1::IPluginV3OneRuntime*>(
      built->getCapabilityInterface(nvinfer1::PluginCapabilityType::kRUNTIME));
  PluginFieldCollection const* serialized = runtime->getFieldsToSerialize();
  ASSERT_NE(serialized, nullptr);
  ASSERT_EQ(serialized->nbFields, 2);
  EXPECT_EQ(FieldValue(serialized, "grid_x"), 480);
  EXPECT_EQ(FieldValue(serialized, "grid_y"), 240);

  std::unique_ptr<nvinfer1::IPluginV3> restored = Create(creator, serialized, nvinfer1::TensorRTPhase::kRUNTIME);
  ASSERT_NE(restored, nullptr);
  auto* restored_runtime = static_cast<nvinfer1::IPluginV3OneRuntime*>(
      restored->getCapabilityInterface(nvinfer1::PluginCapabilityType::kRUNTIME));
  PluginFieldCollection const* again = restored_runtime->getFieldsToSerialize();
  EXPECT_EQ(FieldValue(again, "grid_x"), 480);
  EXPECT_EQ(FieldValue(again, "grid_y"), 240);

  std::unique_ptr<nvinfer1::IPluginV3> cloned(built->clone());
  ASSERT_NE(AsScatter(cloned.get()), nullptr);
}

TEST(ScatterCreatorTest, BadFieldsYieldNoPlugin) {
  ScatterPluginCreator creator;
  int32_t const value = 480;
  float const fvalue = 480.0f;
  int32_t const zero = 0;
  Fields unknown;
  unknown.fields = {{"grid_x", &value, PluginFieldType::kINT32, 1},
                    {"grid_y", &value, PluginFieldType::kINT32, 1},
                    {"dense_shape", &value, PluginFieldType::kINT32, 1}};
  EXPECT_EQ(Create(creator, unknown.get()), nullptr);
  Fields mistyped;
  mistyped.fields = {{"grid_x", &fvalue, PluginFieldType::kFLOAT32, 1}, {"grid_y", &value, PluginFieldType::kINT32, 1}};
  EXPECT_EQ(Create(creator, mistyped.get()), nullptr);
  Fields missing;
  missing.fields = {{"grid_x", &value, PluginFieldType::kINT32, 1}};
  EXPECT_EQ(Create(creator, missing.get()), nullptr);
  Fields out_of_range;
  out_of_range.fields = {{"grid_x", &zero, PluginFieldType::kINT32, 1}, {"grid_y", &value, PluginFieldType::kINT32, 1}};
  EXPECT_EQ(Create(creator, out_of_range.get()), nullptr);
}

TEST(ScatterPluginTest, CapabilitiesFormatsAndTypes) {
  ScatterPlugin plugin(ScatterParams{8, 4});
  auto* core = plugin.getCapabilityInterface(nvinfer1::PluginCapabilityType::kCORE);
  auto* build = plugin.getCapabilityInterface(nvinfer1::PluginCapabilityType::kBUILD);
  auto* runtime = plugin.getCapabilityInterface(nvinfer1::PluginCapabilityType::kRUNTIME);
  ASSERT_TRUE(core && build && runtime);
  EXPECT_STREQ(static_cast<nvinfer1::IPluginV3OneCore*>(core)->getPluginName(), "AwmlPillarScatter");
  EXPECT_STREQ(build->getInterfaceInfo().kind, "PLUGIN_V3ONE_BUILD");
  EXPECT_STREQ(runtime->getInterfaceInfo().kind, "PLUGIN_V3ONE_RUNTIME");
  EXPECT_EQ(plugin.getNbOutputs(), 1);

  nvinfer1::DynamicPluginTensorDesc io[4]{};
  io[0].desc = Desc({-1, 1, 32}, DataType::kFLOAT);
  io[1].desc = Desc({-1, 3}, DataType::kINT32);
  io[2].desc = Desc({1}, DataType::kINT32);
  io[3].desc = Desc({1, 32, 4, 8}, DataType::kFLOAT);
  for (int32_t pos = 0; pos < 4; ++pos) EXPECT_TRUE(plugin.supportsFormatCombination(pos, io, 3, 1)) << pos;
  io[0].desc.type = DataType::kHALF;
  EXPECT_FALSE(plugin.supportsFormatCombination(0, io, 3, 1));
  io[1].desc.type = DataType::kFLOAT;
  EXPECT_FALSE(plugin.supportsFormatCombination(1, io, 3, 1));
  io[3].desc.format = nvinfer1::TensorFormat::kCHW32;
  EXPECT_FALSE(plugin.supportsFormatCombination(3, io, 3, 1));

  DataType const inputs[3] = {DataType::kFLOAT, DataType::kINT32, DataType::kINT32};
  DataType output = DataType::kINT8;
  EXPECT_EQ(plugin.getOutputDataTypes(&output, 1, inputs, 3), 0);
  EXPECT_EQ(output, DataType::kFLOAT);
  DataType const half_inputs[3] = {DataType::kHALF, DataType::kINT32, DataType::kINT32};
  EXPECT_NE(plugin.getOutputDataTypes(&output, 1, half_inputs, 3), 0);
}

TEST(ScatterPluginTest, ConfigureRejectsWrongCoordsAndCount) {
  ScatterPlugin plugin(ScatterParams{8, 4});
  nvinfer1::DynamicPluginTensorDesc in[3]{};
  nvinfer1::DynamicPluginTensorDesc out[1]{};
  in[0].desc = Desc({100, 32}, DataType::kFLOAT);
  in[1].desc = Desc({100, 3}, DataType::kINT32);
  in[2].desc = Desc({1}, DataType::kINT32);
  EXPECT_EQ(plugin.configurePlugin(in, 3, out, 1), 0);
  in[1].desc = Desc({100, 4}, DataType::kINT32);
  EXPECT_NE(plugin.configurePlugin(in, 3, out, 1), 0);
  in[1].desc = Desc({99, 3}, DataType::kINT32);
  EXPECT_NE(plugin.configurePlugin(in, 3, out, 1), 0);
  in[1].desc = Desc({100, 3}, DataType::kINT32);
  in[2].desc = Desc({2}, DataType::kINT32);
  EXPECT_NE(plugin.configurePlugin(in, 3, out, 1), 0);
  EXPECT_NE(plugin.configurePlugin(in, 2, out, 1), 0);
}

TEST(PluginLibraryTest, GetCreatorsExportsTheScatterCreator) {
  int32_t count = 0;
  nvinfer1::IPluginCreatorInterface* const* creators = getCreators(count);
  ASSERT_EQ(count, 1);
  ASSERT_NE(creators[0], nullptr);
  EXPECT_STREQ(creators[0]->getInterfaceInfo().kind, "PLUGIN CREATOR_V3ONE");
  EXPECT_STREQ(static_cast<nvinfer1::IPluginCreatorV3One*>(creators[0])->getPluginName(), "AwmlPillarScatter");
}

// The plugin's enqueue is the kernels' ScatterCuda: same canvas as ScatterCpu, including a pillar count
// above P (clamped), an out-of-grid coordinate (skipped) and a canvas full of stale values (cleared).
TEST(ScatterPluginGpuTest, EnqueueMatchesCpuReference) {
  int devices = 0;
  if (cudaGetDeviceCount(&devices) != cudaSuccess || devices == 0) GTEST_SKIP() << "no CUDA device";
  constexpr int kGridX = 40;
  constexpr int kGridY = 24;
  constexpr int kPillars = 300;
  constexpr int kChannels = 32;
  std::mt19937 rng(7);
  std::vector<float> features(kPillars * kChannels);
  for (float& f : features) f = std::uniform_real_distribution<float>(-3.0f, 3.0f)(rng);
  std::vector<int32_t> coords(kPillars * 3);
  std::vector<int> cells(kGridX * kGridY);
  for (int i = 0; i < kGridX * kGridY; ++i) cells[i] = i;
  std::shuffle(cells.begin(), cells.end(), rng);  // distinct cells: the result is order independent
  for (int p = 0; p < kPillars; ++p) {
    coords[3 * p + 0] = 0;
    coords[3 * p + 1] = cells[p] / kGridX;
    coords[3 * p + 2] = cells[p] % kGridX;
  }
  coords[3 * 5 + 2] = kGridX + 3;       // outside the canvas: skipped
  int32_t const count = kPillars + 50;  // above P: clamped to P

  kernels::ScatterConfig config;
  config.num_channels = kChannels;
  config.grid_x = kGridX;
  config.grid_y = kGridY;
  config.max_pillars = kPillars;
  std::vector<float> expected(kChannels * kGridX * kGridY, 123.0f);
  ASSERT_TRUE(kernels::ScatterCpu(config, features.data(), coords.data(), &count, expected.data()).ok());

  std::size_t const canvas_bytes = expected.size() * sizeof(float);
  void* d_features = nullptr;
  void* d_coords = nullptr;
  void* d_count = nullptr;
  void* d_canvas = nullptr;
  ASSERT_EQ(cudaMalloc(&d_features, features.size() * sizeof(float)), cudaSuccess);
  ASSERT_EQ(cudaMalloc(&d_coords, coords.size() * sizeof(int32_t)), cudaSuccess);
  ASSERT_EQ(cudaMalloc(&d_count, sizeof(int32_t)), cudaSuccess);
  ASSERT_EQ(cudaMalloc(&d_canvas, canvas_bytes), cudaSuccess);
  cudaMemcpy(d_features, features.data(), features.size() * sizeof(float), cudaMemcpyHostToDevice);
  cudaMemcpy(d_coords, coords.data(), coords.size() * sizeof(int32_t), cudaMemcpyHostToDevice);
  cudaMemcpy(d_count, &count, sizeof(int32_t), cudaMemcpyHostToDevice);
  std::vector<float> stale(expected.size(), -9.0f);
  cudaMemcpy(d_canvas, stale.data(), canvas_bytes, cudaMemcpyHostToDevice);

  ScatterPluginCreator creator;
  Fields fields;
  fields.fields = {{"grid_x", &kGridX, PluginFieldType::kINT32, 1}, {"grid_y", &kGridY, PluginFieldType::kINT32, 1}};
  std::unique_ptr<nvinfer1::IPluginV3> plugin = Create(creator, fields.get(), nvinfer1::TensorRTPhase::kRUNTIME);
  ASSERT_NE(plugin, nullptr);
  auto* runtime = static_cast<nvinfer1::IPluginV3OneRuntime*>(
      plugin->getCapabilityInterface(nvinfer1::PluginCapabilityType::kRUNTIME));
  std::unique_ptr<nvinfer1::IPluginV3> attached(runtime->attachToContext(nullptr));
  auto* context_runtime = static_cast<nvinfer1::IPluginV3OneRuntime*>(
      attached->getCapabilityInterface(nvinfer1::PluginCapabilityType::kRUNTIME));
  nvinfer1::PluginTensorDesc in[3] = {Desc({kPillars, 1, kChannels}, DataType::kFLOAT),
                                      Desc({kPillars, 3}, DataType::kINT32), Desc({1}, DataType::kINT32)};
  nvinfer1::PluginTensorDesc out[1] = {Desc({1, kChannels, kGridY, kGridX}, DataType::kFLOAT)};
  ASSERT_EQ(context_runtime->onShapeChange(in, 3, out, 1), 0);
  cudaStream_t stream = nullptr;
  ASSERT_EQ(cudaStreamCreate(&stream), cudaSuccess);
  void const* inputs[3] = {d_features, d_coords, d_count};
  void* outputs[1] = {d_canvas};
  ASSERT_EQ(context_runtime->enqueue(in, out, inputs, outputs, nullptr, stream), 0);
  ASSERT_EQ(cudaStreamSynchronize(stream), cudaSuccess);
  std::vector<float> actual(expected.size());
  cudaMemcpy(actual.data(), d_canvas, canvas_bytes, cudaMemcpyDeviceToHost);
  int nonzero = 0;
  for (std::size_t i = 0; i < expected.size(); ++i) {
    ASSERT_EQ(actual[i], expected[i]) << "canvas index " << i;
    nonzero += expected[i] != 0.0f;
  }
  EXPECT_EQ(nonzero, (kPillars - 1) * kChannels);  // every pillar but the out-of-grid one
  cudaStreamDestroy(stream);
  cudaFree(d_features);
  cudaFree(d_coords);
  cudaFree(d_count);
  cudaFree(d_canvas);
}

}  // namespace
}  // namespace awml::plugins
