// The XRP paper's lookup experiment on the device model: BPF-KV point
// lookups of random keys through one of the four paths (model_host.h),
// from closed-loop threads — each issues its next lookup when the last one
// has answered, as BPF-KV's benchmark threads do — all through a real
// lookup function on the real database, every answer checked.
//
// Same profile, database, function and seed: the same figures, byte for
// byte. Time is the model's; only the answers come from running the code.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "device_model/device_profile.h"
#include "xrp_abi/model_host.h"

namespace sbpf::xrp {

struct LookupExperiment {
  IoPath path = IoPath::kXrp;
  uint32_t threads = 1;
  uint64_t requests = 10000;  // lookups, dealt to the threads in turn
  uint64_t seed = 1;          // the keys asked for and the device's draws
};

// The database the lookups run on: its file, and its keys 0, stride, ….
struct LookupDatabase {
  std::string path;
  uint64_t keys = 0;
  uint64_t stride = 1;
};

struct LookupFigures {
  uint64_t requests = 0;
  uint64_t reads = 0;           // every read of every lookup
  uint64_t mean_ns = 0;         // rounded down
  uint64_t p50_ns = 0;          // nearest-rank percentiles
  uint64_t p99_ns = 0;
  uint64_t p999_ns = 0;
  uint64_t elapsed_ns = 0;      // the first lookup's start to the last one's end
  uint64_t wrong_answers = 0;   // a lookup that failed or answered another value
  std::string first_problem;    // what the first wrong answer was

  // Thousands of lookups a second.
  double kops() const;
};

// Runs the experiment on a fresh device of `profile` holding `database`
// (namespace 1, one extent), with `function` (metered, or its runs cost
// nothing). `progress` is told each answered lookup's count.
LookupFigures run_lookup_experiment(const device_model::DeviceProfile& profile, const LookupDatabase& database,
                                    XrpFunction& function, const LookupExperiment& experiment,
                                    const std::function<void(uint64_t done)>& progress = {});

}  // namespace sbpf::xrp
