// Where the generator's decisions come from: a seeded generator, or the
// bytes of a fuzzer input read as a stream of choices.
#pragma once

#include <array>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <span>

namespace sbpf::testing::generator {

class Choices {
 public:
  virtual ~Choices() = default;
  // A number in [0, bound); 0 when bound <= 1.
  virtual uint64_t below(uint64_t bound) = 0;
  virtual bool exhausted() const = 0;

  bool coin() { return below(2) == 1; }
  bool per_mille(unsigned p) { return below(1000) < p; }
  // A number in [lo, hi].
  int64_t between(int64_t lo, int64_t hi) {
    return lo + static_cast<int64_t>(below(static_cast<uint64_t>(hi - lo) + 1));
  }
  template <typename T, size_t N>
  T pick(const T (&options)[N]) {
    return options[below(N)];
  }
  // An index into `weights`, each chosen with probability proportional to its weight.
  size_t weighted(std::span<const unsigned> weights) {
    uint64_t total = 0;
    for (unsigned w : weights) total += w;
    uint64_t r = below(total);
    for (size_t i = 0; i < weights.size(); ++i) {
      if (r < weights[i]) return i;
      r -= weights[i];
    }
    return 0;
  }
};

// xoshiro256**, seeded through splitmix64: the same numbers on every host,
// which std::uniform_int_distribution does not promise.
class SeededChoices final : public Choices {
 public:
  explicit SeededChoices(uint64_t seed) {
    for (auto& word : state_) {
      seed += 0x9e3779b97f4a7c15u;
      uint64_t z = seed;
      z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
      z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
      word = z ^ (z >> 31);
    }
  }
  uint64_t below(uint64_t bound) override { return bound <= 1 ? 0 : next() % bound; }
  bool exhausted() const override { return false; }

 private:
  uint64_t next() {
    const uint64_t result = std::rotl(state_[1] * 5, 7) * 9;
    const uint64_t t = state_[1] << 17;
    state_[2] ^= state_[0];
    state_[3] ^= state_[1];
    state_[1] ^= state_[2];
    state_[0] ^= state_[3];
    state_[2] ^= t;
    state_[3] = std::rotl(state_[3], 45);
    return result;
  }
  std::array<uint64_t, 4> state_{};
};

// Fuzzer bytes as choices: a choice takes as few bytes as its range needs, so
// a byte maps to one decision; past the end every choice is 0.
class ByteChoices final : public Choices {
 public:
  explicit ByteChoices(std::span<const uint8_t> bytes) : bytes_(bytes) {}
  uint64_t below(uint64_t bound) override {
    if (bound <= 1) return 0;
    uint64_t value = 0;
    for (uint64_t range = bound - 1; range != 0; range >>= 8) {
      value = (value << 8) | (next_ < bytes_.size() ? bytes_[next_++] : 0);
    }
    return value % bound;
  }
  bool exhausted() const override { return next_ >= bytes_.size(); }

 private:
  std::span<const uint8_t> bytes_;
  size_t next_ = 0;
};

}  // namespace sbpf::testing::generator
