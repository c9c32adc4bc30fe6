#include "failover/core/backoff.h"

#include <algorithm>
#include <vector>

#include <gtest/gtest.h>

namespace failover::core {
namespace {

TEST(BackoffTest, DoublesUpToTheCapWithoutJitterWhenRandomIsZero) {
  Backoff backoff(BackoffPolicy{Millis(100), Millis(5000), 0.2}, [] { return 0.0; });
  const std::vector<int64_t> expected = {100, 200, 400, 800, 1600, 3200, 5000, 5000};
  for (const int64_t ms : expected) {
    EXPECT_EQ(backoff.next().count(), ms);
  }
  for (int i = 0; i < 100; ++i) {
    EXPECT_EQ(backoff.next().count(), 5000);  // never overflows, stays capped
  }
}

TEST(BackoffTest, JitterTakesOffAtMostItsFraction) {
  Backoff backoff(BackoffPolicy{Millis(100), Millis(5000), 0.2}, [] { return 0.5; });
  EXPECT_EQ(backoff.next().count(), 90);  // 100 * (1 - 0.2 * 0.5)
  EXPECT_EQ(backoff.next().count(), 180);
  Backoff full(BackoffPolicy{Millis(1000), Millis(5000), 0.2}, [] { return 0.999; });
  EXPECT_GE(full.next().count(), 800);
}

TEST(BackoffTest, ResetStartsAgain) {
  Backoff backoff(BackoffPolicy{Millis(100), Millis(5000), 0.0}, [] { return 0.7; });
  (void)backoff.next();
  (void)backoff.next();
  backoff.reset();
  EXPECT_EQ(backoff.next().count(), 100);
  EXPECT_EQ(backoff.attempt(), 1u);
}

TEST(BackoffTest, OutOfRangeRandomValuesAreClamped) {
  Backoff backoff(BackoffPolicy{Millis(100), Millis(5000), 0.5}, [] { return 7.0; });
  EXPECT_EQ(backoff.next().count(), 50);
  Backoff negative(BackoffPolicy{Millis(100), Millis(5000), 0.5}, [] { return -3.0; });
  EXPECT_EQ(negative.next().count(), 100);
}

TEST(BackoffTest, NoRandomSourceMeansNoJitter) {
  Backoff backoff(BackoffPolicy{Millis(250), Millis(5000), 0.2}, nullptr);
  EXPECT_EQ(backoff.next().count(), 250);
  EXPECT_EQ(backoff.next().count(), 500);
}

TEST(BackoffTest, ACapBelowTheInitialDelayWins) {
  Backoff backoff(BackoffPolicy{Millis(1500), Millis(200), 0.0}, nullptr);
  EXPECT_EQ(backoff.next().count(), 200);
  EXPECT_EQ(backoff.next().count(), 200);
}

TEST(BackoffTest, SeededRandomIsRepeatableAndInRange) {
  auto a = seededUnitRandom(7);
  auto b = seededUnitRandom(7);
  for (int i = 0; i < 1000; ++i) {
    const double x = a();
    EXPECT_EQ(x, b());
    EXPECT_GE(x, 0.0);
    EXPECT_LT(x, 1.0);
  }
}

TEST(BackoffTest, JitteredDelaysStayWithinTheirBand) {
  Backoff backoff(BackoffPolicy{Millis(100), Millis(5000), 0.2}, seededUnitRandom(1));
  int64_t nominal = 100;
  for (int i = 0; i < 12; ++i) {
    const int64_t delay = backoff.next().count();
    EXPECT_LE(delay, nominal);
    EXPECT_GE(delay, nominal * 8 / 10);
    nominal = std::min<int64_t>(nominal * 2, 5000);
  }
}

}  // namespace
}  // namespace failover::core
