// λ-IO's scheduler (FAST '23; the rule in ../shared/reference/papers.md):
// which side, host or device, runs each request of a stream.
//
// Each stream numbers its requests from 0. Request `id` is profiled when
// id % interval < samples: it runs on both sides, the host first, and both
// report what it cost — the host its compute time `calc_ns` and the time to
// bring the range into the page cache `pre_ns` (scaled to an uncached range
// by 100 / max(100 − c %, 1), c % the share of its pages that were cached),
// the device its wall time. When a window's samples are in, each figure is
// summed with its minimum and maximum dropped (with three samples or more),
// and until the next window a request runs on the host when
//
//     calc + pre · max(100 − c %, 1) / 100 ≤ device
//
// with c % that request's own cached share. Writes have no cache term: the
// host's figure is calc + pre as measured.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace sbpf::runtime {

enum class LambdaSide : uint8_t { kHost, kDevice };
const char* side_name(LambdaSide side);

struct SchedulerOptions {
  uint32_t interval = 200;  // λ-IO's prof_intv: requests per window, at most 1,000
  uint32_t samples = 5;     // λ-IO's prof_num: profiled requests at the start of each window
};

// What a profiled request cost on the host.
struct HostMeasurement {
  uint64_t calc_ns = 0;
  uint64_t pre_ns = 0;
  unsigned cached_percent = 0;  // 0–100
};

class LambdaScheduler {
 public:
  // std::invalid_argument when interval is 0 or above 1,000, or samples is 0
  // or above interval.
  explicit LambdaScheduler(SchedulerOptions options = {});

  struct Decision {
    uint64_t request = 0;                 // the stream's request number
    bool profile = false;                 // run on both sides and report()
    LambdaSide side = LambdaSide::kHost;  // when not profiled
    // The two sides' estimates for this request (when not profiled).
    double host_ns = 0;
    double device_ns = 0;
  };
  // The next request of `stream`, whose range has `cached_percent` of its
  // pages in the host's cache.
  Decision decide(uint32_t stream, unsigned cached_percent, bool is_write = false);
  // What a profiled request of `stream` cost on each side.
  void report(uint32_t stream, const HostMeasurement& host, uint64_t device_ns, bool is_write = false);

  // The figures the stream decides by (sums over the last complete window,
  // min and max dropped), or nullopt before its first window is in. Reads
  // and writes have their own; a kind no window has seen yet has none, and
  // its requests are profiled until one has.
  struct Figures {
    double calc_ns = 0;
    double pre_ns = 0;  // reads: scaled to an uncached range; writes: as measured
    double device_ns = 0;
  };
  struct Estimate {
    std::optional<Figures> read, write;
  };
  std::optional<Estimate> estimate(uint32_t stream) const;

  // One JSON object (a line of `--trace`) for a decision.
  static std::string trace_line(uint32_t stream, unsigned cached_percent, const Decision& decision);

 private:
  struct Samples {
    std::vector<double> calc, pre, device;
  };
  struct Stream {
    uint64_t next_request = 0;
    Samples reads, writes;  // this window's
    std::optional<Estimate> estimate;
  };
  Stream& stream(uint32_t id);

  SchedulerOptions options_;
  std::vector<Stream> streams_;
};

}  // namespace sbpf::runtime
