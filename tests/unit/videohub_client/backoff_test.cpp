#include "failover/videohub_client/backoff.h"

#include <gtest/gtest.h>

namespace failover::videohub_client {
namespace {

using std::chrono::milliseconds;

TEST(BackoffTest, DoublesUpToTheCapWithoutJitterWhenRandomIsZero) {
  Backoff backoff(BackoffPolicy{milliseconds(100), milliseconds(5000), 0.2}, [] { return 0.0; });
  const std::vector<int64_t> expected = {100, 200, 400, 800, 1600, 3200, 5000, 5000};
  for (const int64_t ms : expected) {
    EXPECT_EQ(backoff.next().count(), ms);
  }
  for (int i = 0; i < 100; ++i) {
    EXPECT_EQ(backoff.next().count(), 5000);  // never overflows, stays capped
  }
}

TEST(BackoffTest, JitterTakesOffAtMostItsFraction) {
  Backoff backoff(BackoffPolicy{milliseconds(100), milliseconds(5000), 0.2}, [] { return 0.5; });
  EXPECT_EQ(backoff.next().count(), 90);  // 100 * (1 - 0.2 * 0.5)
  EXPECT_EQ(backoff.next().count(), 180);
  Backoff full(BackoffPolicy{milliseconds(1000), milliseconds(5000), 0.2}, [] { return 0.999; });
  EXPECT_GE(full.next().count(), 800);
}

TEST(BackoffTest, ResetStartsAgain) {
  Backoff backoff(BackoffPolicy{milliseconds(100), milliseconds(5000), 0.0}, [] { return 0.7; });
  (void)backoff.next();
  (void)backoff.next();
  backoff.reset();
  EXPECT_EQ(backoff.next().count(), 100);
  EXPECT_EQ(backoff.attempt(), 1u);
}

TEST(BackoffTest, OutOfRangeRandomValuesAreClamped) {
  Backoff backoff(BackoffPolicy{milliseconds(100), milliseconds(5000), 0.5}, [] { return 7.0; });
  EXPECT_EQ(backoff.next().count(), 50);
}

}  // namespace
}  // namespace failover::videohub_client
