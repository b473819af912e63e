#include "cpp/plugins/trt/fields/plugin_fields.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "cpp/plugins/trt/scatter/scatter_fields.h"

namespace awml::plugins {
namespace {

std::vector<FieldDef> const& DemoTable() {
  static std::vector<FieldDef> const table = {
      {"dense_shape", FieldType::kInt32, 2, {}},
      {"voxel_size", FieldType::kFloat32, 3, {0.32, 0.32, 10.0}},
      {"keep", FieldType::kInt32, 1, {1}},
  };
  return table;
}

bool ErrorContains(ParseResult const& result, std::string const& text) {
  return result.error && result.error->message.find(text) != std::string::npos;
}

TEST(ParseFieldsTest, ParsesGivenFieldsAndAppliesDefaults) {
  int32_t const shape[2] = {480, 240};
  ParseResult const result = ParseFields("Demo", DemoTable(), {{"dense_shape", FieldType::kInt32, shape, 2}});
  ASSERT_TRUE(result.values) << result.error->message;
  EXPECT_EQ(*result.values->Int32("dense_shape"), (std::vector<int32_t>{480, 240}));
  EXPECT_EQ(*result.values->Float32("voxel_size"), (std::vector<float>{0.32f, 0.32f, 10.0f}));
  EXPECT_EQ(*result.values->Int32("keep"), (std::vector<int32_t>{1}));
  EXPECT_EQ(result.values->Float32("dense_shape"), nullptr) << "storage type must equal the declared type";
}

TEST(ParseFieldsTest, RejectsUnknownDuplicatedMistypedMisSizedAndMissing) {
  int32_t const shape[2] = {1, 2};
  float const fshape[2] = {1.0f, 2.0f};
  EXPECT_TRUE(ErrorContains(
      ParseFields("Demo", DemoTable(),
                  {{"dense_shape", FieldType::kInt32, shape, 2}, {"colour", FieldType::kInt32, shape, 1}}),
      "Demo | unknown field 'colour'. Note: expected one of [dense_shape, voxel_size, keep]"));
  EXPECT_TRUE(ErrorContains(
      ParseFields("Demo", DemoTable(),
                  {{"dense_shape", FieldType::kInt32, shape, 2}, {"dense_shape", FieldType::kInt32, shape, 2}}),
      "given twice"));
  EXPECT_TRUE(ErrorContains(ParseFields("Demo", DemoTable(), {{"dense_shape", FieldType::kFloat32, fshape, 2}}),
                            "wrong type. Note: expected int32, got float32"));
  EXPECT_TRUE(ErrorContains(ParseFields("Demo", DemoTable(), {{"dense_shape", FieldType::kOther, shape, 2}}),
                            "got unsupported type"));
  EXPECT_TRUE(ErrorContains(ParseFields("Demo", DemoTable(), {{"dense_shape", FieldType::kInt32, shape, 1}}),
                            "wrong length. Note: expected 2, got 1"));
  EXPECT_TRUE(ErrorContains(ParseFields("Demo", DemoTable(), {{"dense_shape", FieldType::kInt32, nullptr, 2}}),
                            "wrong length"));
  EXPECT_TRUE(ErrorContains(ParseFields("Demo", DemoTable(), {}), "required field 'dense_shape' is missing"));
}

TEST(SerializeFieldsTest, TableOrderAndRoundTripThroughParse) {
  FieldValues values;
  values.SetInt32("keep", {0});
  values.SetInt32("dense_shape", {7, 9});
  values.SetFloat32("voxel_size", {0.1f, 0.2f, 4.0f});
  std::vector<RawField> raw;
  ASSERT_FALSE(SerializeFields(DemoTable(), values, raw).has_value());
  ASSERT_EQ(raw.size(), 3u);
  EXPECT_EQ(raw[0].name, "dense_shape");
  EXPECT_EQ(raw[1].name, "voxel_size");
  EXPECT_EQ(raw[2].name, "keep");
  ParseResult const back = ParseFields("Demo", DemoTable(), raw);
  ASSERT_TRUE(back.values);
  EXPECT_EQ(*back.values->Int32("dense_shape"), (std::vector<int32_t>{7, 9}));
  EXPECT_EQ(*back.values->Float32("voxel_size"), (std::vector<float>{0.1f, 0.2f, 4.0f}));
  EXPECT_EQ(*back.values->Int32("keep"), (std::vector<int32_t>{0}));
}

TEST(SerializeFieldsTest, MissingOrWrongSizedValueIsAnError) {
  FieldValues values;
  values.SetInt32("dense_shape", {7});  // length 1, declared 2
  values.SetFloat32("voxel_size", {0.1f, 0.2f, 4.0f});
  values.SetInt32("keep", {0});
  std::vector<RawField> raw;
  auto const error = SerializeFields(DemoTable(), values, raw);
  ASSERT_TRUE(error.has_value());
  EXPECT_NE(error->message.find("'dense_shape'"), std::string::npos);
  EXPECT_TRUE(raw.empty());
}

TEST(ScatterFieldsTest, TableIsGridXThenGridYBothRequiredInt32) {
  std::vector<FieldDef> const& table = ScatterFieldTable();
  ASSERT_EQ(table.size(), 2u);
  EXPECT_STREQ(table[0].name, "grid_x");
  EXPECT_STREQ(table[1].name, "grid_y");
  for (FieldDef const& def : table) {
    EXPECT_EQ(def.type, FieldType::kInt32);
    EXPECT_EQ(def.length, 1);
    EXPECT_TRUE(def.default_value.empty());
  }
  EXPECT_STREQ(kScatterPluginName, "AwmlPillarScatter");
  EXPECT_STREQ(kScatterPluginVersion, "1");
  EXPECT_STREQ(kScatterPluginNamespace, "");
}

TEST(ScatterFieldsTest, ParamsRoundTripThroughSerializedFields) {
  ScatterParams const params{480, 240};
  FieldValues const values = ScatterParamsToValues(params);
  std::vector<RawField> raw;
  ASSERT_FALSE(SerializeFields(ScatterFieldTable(), values, raw).has_value());
  ScatterParamsResult const back = ScatterParamsFromFields(raw);
  ASSERT_TRUE(back.params) << back.error->message;
  EXPECT_EQ(back.params->grid_x, 480);
  EXPECT_EQ(back.params->grid_y, 240);
}

TEST(ScatterFieldsTest, RejectsOutOfRangeGridAndMissingField) {
  int32_t const zero = 0;
  int32_t const ok = 480;
  ScatterParamsResult const bad =
      ScatterParamsFromFields({{"grid_x", FieldType::kInt32, &zero, 1}, {"grid_y", FieldType::kInt32, &ok, 1}});
  ASSERT_TRUE(bad.error);
  EXPECT_NE(bad.error->message.find("AwmlPillarScatter | grid_x and grid_y must be in 1..16384. Note: got 0 x 480"),
            std::string::npos);
  ScatterParamsResult const missing = ScatterParamsFromFields({{"grid_x", FieldType::kInt32, &ok, 1}});
  ASSERT_TRUE(missing.error);
  EXPECT_NE(missing.error->message.find("required field 'grid_y' is missing"), std::string::npos);
}

}  // namespace
}  // namespace awml::plugins
