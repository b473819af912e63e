// WorkspaceCarver: 256-byte aligned slices in call order; a null base only measures.
#include "cpp/common/workspace_carver.h"

#include <gtest/gtest.h>

#include <cstdint>

namespace awml {
namespace {

TEST(WorkspaceCarverTest, MeasuresWithANullBase) {
  WorkspaceCarver measure(nullptr);
  EXPECT_EQ(measure.Take<float>(10), nullptr);     // bytes 0..40
  EXPECT_EQ(measure.Take<int32_t>(100), nullptr);  // starts at 256, ends at 656
  EXPECT_EQ(measure.bytes(), 768u);                // 656 rounded up to 256
}

TEST(WorkspaceCarverTest, CarvesAlignedSlicesInCallOrder) {
  alignas(256) static char buffer[1024];
  WorkspaceCarver carver(buffer);
  float* a = carver.Take<float>(10);
  int32_t* b = carver.Take<int32_t>(100);
  char* c = carver.Take<char>(1);
  EXPECT_EQ(reinterpret_cast<char*>(a), buffer);
  EXPECT_EQ(reinterpret_cast<char*>(b), buffer + 256);
  EXPECT_EQ(c, buffer + 768);
  EXPECT_EQ(carver.bytes(), 1024u);
}

}  // namespace
}  // namespace awml
