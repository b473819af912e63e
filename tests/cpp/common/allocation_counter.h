// Counts the calls of the global operator new in a test binary that links :allocation_counter (which replaces it),
// so a test can assert that a hot path allocates nothing.
#ifndef AWML_TESTS_CPP_COMMON_ALLOCATION_COUNTER_H_
#define AWML_TESTS_CPP_COMMON_ALLOCATION_COUNTER_H_

namespace awml::testing {

//! Calls of the global operator new (scalar and array) since the program started.
long AllocationCount();

}  // namespace awml::testing

#endif  // AWML_TESTS_CPP_COMMON_ALLOCATION_COUNTER_H_
