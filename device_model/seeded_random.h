// The model's only source of randomness (NAND read jitter, for now).
//
// std::mt19937_64's output is fixed by the standard for a given seed, but
// std::uniform_int_distribution and friends are not: libstdc++ and libc++
// turn the same bits into different numbers. So the transforms are our own,
// and a seed gives the same jitter everywhere.
#pragma once

#include <cstdint>
#include <random>

namespace sbpf::device_model {

class SeededRandom {
 public:
  explicit SeededRandom(std::uint64_t seed) : engine_(seed) {}

  std::uint64_t next() { return engine_(); }
  // Uniform in [0, bound); bound 0 gives 0. Rejection sampling, so no value
  // is favoured when bound does not divide 2^64.
  std::uint64_t below(std::uint64_t bound);
  // Uniform in [-spread, +spread].
  std::int64_t symmetric(std::uint64_t spread);

 private:
  std::mt19937_64 engine_;
};

}  // namespace sbpf::device_model
