// What stores the bits: the timing of a storage medium.
//
// A medium answers "given a request that reaches you at `arrival`, when is
// it done?" and reserves whatever it occupies meanwhile (a LUN, a channel,
// a command slot), so the next request waits behind it. The device asks in
// the order requests arrive, from the event queue, so a reservation never
// has to be undone. Data does not pass through here: the namespace's file
// holds it (NamespaceFile), the medium only says how long it takes.
#pragma once

#include <cstdint>

#include "device_model/sim_time.h"

namespace sbpf::device_model {

class Medium {
 public:
  virtual ~Medium() = default;
  // `offset` and `bytes` are in the namespace's address space (bytes, not
  // LBAs): where a request lands decides which parts of the medium it uses.
  // The result is when the data is ready for the link (a read) or durable
  // enough to complete (a write).
  virtual Nanoseconds read(Nanoseconds arrival, std::uint64_t offset, std::uint64_t bytes) = 0;
  virtual Nanoseconds write(Nanoseconds arrival, std::uint64_t offset, std::uint64_t bytes) = 0;
  // When every write that arrived before `arrival` is on the medium.
  virtual Nanoseconds flush(Nanoseconds arrival) = 0;
};

}  // namespace sbpf::device_model
