#include "cpp/trt_runtime/engine_cache.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <string>

#include "cpp/trt_runtime/file_io.h"
#include "cpp/trt_runtime/sha256.h"

namespace awml::trt {
namespace {

std::string TempPath(std::string const& name) {
  char const* dir = std::getenv("TEST_TMPDIR");
  return std::string(dir != nullptr ? dir : "/tmp") + "/" + name;
}

EngineMetadata Wanted() {
  ProfileSpec profile;
  profile.shapes["input_features"] = {{1, 32, 9}, {20000, 32, 9}, {40000, 32, 9}};
  EngineMetadata m;
  m.onnx_sha256 = Sha256Hex("onnx bytes");
  m.precision = "fp16";
  m.profiles = FormatProfiles({profile});
  m.optimization_level = "default";
  m.tensorrt_version = "10.16.0";
  m.compute_capability = "9.0";
  m.plugins = {"AwmlPillarScatter@1"};
  m.build_mechanism = "fp16: builder flag";
  return m;
}

TEST(Sha256Test, KnownVectors) {
  EXPECT_EQ(Sha256Hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(Sha256Hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(Sha256Hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  EXPECT_EQ(Sha256Hex(std::string(1000000, 'a')), "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

TEST(Sha256Test, FileMatchesBytesAndMissingFileIsNotFound) {
  std::string const path = TempPath("sha_input.bin");
  std::string const bytes(3 << 20, '\x5a');  // spans several read chunks
  ASSERT_TRUE(WriteFileAtomically(path, bytes).ok());
  StatusOr<std::string> const digest = Sha256File(path);
  ASSERT_TRUE(digest.ok());
  EXPECT_EQ(*digest, Sha256Hex(bytes));
  EXPECT_EQ(Sha256File(TempPath("absent.onnx")).status().code(), StatusCode::kNotFound);
}

TEST(FileIoTest, AtomicWriteReplacesContentAndFailsForMissingFolder) {
  std::string const path = TempPath("plan.engine");
  ASSERT_TRUE(WriteFileAtomically(path, std::string("first")).ok());
  ASSERT_TRUE(WriteFileAtomically(path, std::string("second")).ok());
  EXPECT_EQ(*ReadFileBytes(path), "second");
  EXPECT_TRUE(FileExists(path));
  EXPECT_FALSE(FileExists(path + ".tmp"));
  EXPECT_EQ(WriteFileAtomically(TempPath("no/such/dir/plan"), std::string("x")).code(), StatusCode::kNotFound);
}

TEST(EngineMetadataTest, SerializeParseRoundTrip) {
  EngineMetadata const wanted = Wanted();
  std::string const text = SerializeMetadata(wanted);
  EXPECT_EQ(text.rfind("awml-engine-metadata 1\n", 0), 0u);
  StatusOr<EngineMetadata> const parsed = ParseMetadata(text);
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  EXPECT_TRUE(CompareMetadata(*parsed, wanted).ok());
  EXPECT_EQ(parsed->build_mechanism, wanted.build_mechanism);
  EXPECT_EQ(parsed->plugins, wanted.plugins);
}

TEST(EngineMetadataTest, ParseRejectsCorruptFiles) {
  std::string const good = SerializeMetadata(Wanted());
  EXPECT_FALSE(ParseMetadata("").ok());
  EXPECT_FALSE(ParseMetadata("awml-engine-metadata 2\n").ok());
  EXPECT_NE(ParseMetadata(good + "surprise=1\n").status().message().find("unknown key 'surprise'"), std::string::npos);
  EXPECT_NE(ParseMetadata(good + "precision=fp16\n").status().message().find("duplicated key 'precision'"),
            std::string::npos);
  std::string truncated = good.substr(0, good.find("tensorrt_version"));
  EXPECT_NE(ParseMetadata(truncated).status().message().find("missing key"), std::string::npos);
  EXPECT_NE(ParseMetadata(good + "garbage\n").status().message().find("without '='"), std::string::npos);
}

TEST(EngineMetadataTest, PluginOrderDoesNotMatter) {
  EngineMetadata a = Wanted();
  EngineMetadata b = Wanted();
  a.plugins = {"B@1", "A@2", "A@2"};
  b.plugins = {"A@2", "B@1"};
  EXPECT_TRUE(CompareMetadata(a, b).ok());
}

TEST(EngineMetadataTest, ProfilesTextIsCanonical) {
  ProfileSpec p0;
  p0.shapes["b"] = {{1}, {2}, {3}};
  p0.shapes["a"] = {{1, 4}, {2, 4}, {8, 4}};
  EXPECT_EQ(FormatProfiles({p0, p0}),
            "0{a:min=[1, 4],opt=[2, 4],max=[8, 4];b:min=[1],opt=[2],max=[3]}|"
            "1{a:min=[1, 4],opt=[2, 4],max=[8, 4];b:min=[1],opt=[2],max=[3]}");
  EXPECT_EQ(FormatProfiles({}), "");
}

// Every compared key, changed alone, must invalidate the cache and be named in the reason.
TEST(DecideCacheTest, EachKeyInvalidates) {
  std::string const stored = SerializeMetadata(Wanted());
  struct Case {
    char const* key;
    void (*mutate)(EngineMetadata&);
  };
  Case const cases[] = {
      {"onnx_sha256", [](EngineMetadata& m) { m.onnx_sha256 = Sha256Hex("other onnx"); }},
      {"precision", [](EngineMetadata& m) { m.precision = "strongly_typed"; }},
      {"profiles", [](EngineMetadata& m) { m.profiles += "|1{}"; }},
      {"optimization_level", [](EngineMetadata& m) { m.optimization_level = "5"; }},
      {"tensorrt_version", [](EngineMetadata& m) { m.tensorrt_version = "11.1.0"; }},
      {"compute_capability", [](EngineMetadata& m) { m.compute_capability = "8.6"; }},
      {"plugins", [](EngineMetadata& m) { m.plugins = {"AwmlPillarScatter@2"}; }},
  };
  for (Case const& c : cases) {
    EngineMetadata wanted = Wanted();
    c.mutate(wanted);
    CacheDecision const decision = DecideCache(true, stored, wanted);
    EXPECT_FALSE(decision.reuse) << c.key;
    EXPECT_NE(decision.reason.find(c.key), std::string::npos) << decision.reason;
  }
}

TEST(DecideCacheTest, ReusesOnlyWithMatchingReadableMetadata) {
  EngineMetadata const wanted = Wanted();
  std::string const stored = SerializeMetadata(wanted);
  CacheDecision const hit = DecideCache(true, stored, wanted);
  EXPECT_TRUE(hit.reuse) << hit.reason;
  EXPECT_NE(hit.reason.find("TensorRT 10.16.0"), std::string::npos);

  EXPECT_FALSE(DecideCache(false, stored, wanted).reuse);
  CacheDecision const unreadable = DecideCache(true, NotFoundError("no meta"), wanted);
  EXPECT_FALSE(unreadable.reuse);
  EXPECT_NE(unreadable.reason.find("no readable metadata"), std::string::npos);
  EXPECT_FALSE(DecideCache(true, std::string("not metadata"), wanted).reuse);

  // The informational mechanism line does not invalidate.
  EngineMetadata other_mechanism = wanted;
  other_mechanism.build_mechanism = "something else";
  EXPECT_TRUE(DecideCache(true, stored, other_mechanism).reuse);
}

TEST(EngineCachePathsTest, SidecarsSitNextToPlan) {
  EXPECT_EQ(MetadataPathFor("/m/encoder.engine"), "/m/encoder.engine.meta");
  EXPECT_EQ(InspectorPathFor("/m/encoder.engine"), "/m/encoder.engine.layers.json");
}

}  // namespace
}  // namespace awml::trt
